// The REST API (docs/protocol.md) and the session: tokens kept in localStorage, refreshed shortly before they expire,
// one refresh at a time across every tab (refresh tokens rotate, and presenting a used one revokes the session).

const API = '/api/v1';
const SESSION_KEY = 'ocomms.session';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;

/** A failed request: `code` is the error code of the problem document (or `network`). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code || (status === 0 ? 'network' : 'internal');
    this.problem = problem || {};
  }
}

let session = readSession();
let refreshing = null;
let refreshTimer = 0;
const listeners = new Set();

function readSession() {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY)) || null;
  } catch {
    return null;
  }
}

function storeSession(next) {
  session = next;
  if (next) {
    localStorage.setItem(SESSION_KEY, JSON.stringify(next));
  } else {
    localStorage.removeItem(SESSION_KEY);
  }
  scheduleRefresh();
  listeners.forEach(listener => listener(session));
}

/** Calls `listener(session)` whenever the session starts, is refreshed or ends; returns the unsubscriber. */
export function onSession(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentSession() {
  return session;
}

export function accessToken() {
  return session?.accessToken || null;
}

function fromAuthAnswer(answer, user) {
  return {
    user: answer.user || user,
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    expiresAt: Date.now() + answer.expiresIn * 1000,
  };
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session) {
    return;
  }
  const due = Math.max(1_000, session.expiresAt - REFRESH_MARGIN_MS - Date.now());
  refreshTimer = setTimeout(() => refreshSession().catch(() => { /* shown through onSession */ }), due);
}

/**
 * Exchanges the refresh token for new tokens. Concurrent callers share one refresh; other tabs wait for this one
 * (Web Locks) and then find the new tokens in localStorage instead of presenting the used refresh token again.
 */
export function refreshSession() {
  if (refreshing) {
    return refreshing;
  }
  const used = session?.refreshToken;
  const run = async () => {
    const latest = readSession();
    if (!latest) {
      storeSession(null);
      throw new ApiError(401, { code: 'unauthorized', detail: 'Signed out' });
    }
    if (latest.refreshToken !== used && latest.expiresAt - Date.now() > REFRESH_MARGIN_MS) {
      storeSession(latest); // another tab refreshed already
      return latest;
    }
    const response = await rawFetch('POST', '/auth/refresh', { refreshToken: latest.refreshToken });
    if (response.status === 401) {
      storeSession(null);
      throw new ApiError(401, await problemOf(response));
    }
    if (!response.ok) {
      throw new ApiError(response.status, await problemOf(response));
    }
    const next = fromAuthAnswer(await response.json(), latest.user);
    storeSession(next);
    return next;
  };
  const locked = navigator.locks ? () => navigator.locks.request('ocomms-refresh', run) : run;
  refreshing = locked().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function rawFetch(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  try {
    return await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
    });
  } catch (networkFailure) {
    throw new ApiError(0, { code: 'network', detail: 'The server cannot be reached' });
  }
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { code: 'internal', detail: `HTTP ${response.status}` };
  }
}

/** An authenticated call: refreshes the token once on 401 and tries again. The JSON answer (or null for 204). */
export async function call(method, path, body) {
  if (session && session.expiresAt - Date.now() < 5_000) {
    await refreshSession();
  }
  let response = await rawFetch(method, path, body, accessToken());
  if (response.status === 401 && session) {
    await refreshSession();
    response = await rawFetch(method, path, body, accessToken());
  }
  if (!response.ok) {
    throw new ApiError(response.status, await problemOf(response));
  }
  return response.status === 204 ? null : response.json();
}

export async function register(fields) {
  const response = await rawFetch('POST', '/auth/register', fields);
  if (!response.ok) {
    throw new ApiError(response.status, await problemOf(response));
  }
  storeSession(fromAuthAnswer(await response.json()));
}

export async function login(loginName, password) {
  const response = await rawFetch('POST', '/auth/login', { login: loginName, password });
  if (!response.ok) {
    throw new ApiError(response.status, await problemOf(response));
  }
  storeSession(fromAuthAnswer(await response.json()));
}

export async function logout() {
  try {
    await rawFetch('POST', '/auth/logout', undefined, accessToken());
  } finally {
    storeSession(null);
  }
}

/** Forgets the session locally (it was revoked elsewhere). */
export function dropSession() {
  storeSession(null);
}

// Another tab signed in, refreshed or signed out.
window.addEventListener('storage', event => {
  if (event.key === SESSION_KEY) {
    session = readSession();
    scheduleRefresh();
    listeners.forEach(listener => listener(session));
  }
});
scheduleRefresh();

export const rest = {
  workspaces: () => call('GET', '/workspaces'),
  createWorkspace: name => call('POST', '/workspaces', { name }),
  invite: workspaceId => call('POST', `/workspaces/${workspaceId}/invites`, {}),
  join: code => call('POST', '/workspaces/join', { code }),
  members: workspaceId => call('GET', `/workspaces/${workspaceId}/members`),
  channels: workspaceId => call('GET', `/workspaces/${workspaceId}/channels`),
  createChannel: (workspaceId, name, isPrivate, topic) =>
    call('POST', `/workspaces/${workspaceId}/channels`, topic ? { name, private: isPrivate, topic }
      : { name, private: isPrivate }),
  openDm: (workspaceId, userIds) => call('POST', `/workspaces/${workspaceId}/dms`, { userIds }),
  chats: () => call('GET', '/chats'),
  joinChat: chatId => call('POST', `/chats/${chatId}/join`),
  leaveChat: chatId => call('POST', `/chats/${chatId}/leave`),
  chatMembers: chatId => call('GET', `/chats/${chatId}/members`),
  me: () => call('GET', '/users/me'),
  notificationSettings: () => call('GET', '/users/me/notification-settings'),
  saveNotificationSettings: change => call('PUT', '/users/me/notification-settings', change),
  chatNotificationSettings: chatId => call('GET', `/chats/${chatId}/notification-settings`),
  saveChatNotificationSettings: (chatId, change) => call('PUT', `/chats/${chatId}/notification-settings`, change),
  pendingUrgent: () => call('GET', '/users/me/urgent-messages'),
};
