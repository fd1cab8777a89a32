// The REST API (docs/protocol.md) and the session: tokens kept in localStorage, refreshed shortly before they expire,
// one refresh at a time across every tab (refresh tokens rotate, and presenting a used one revokes the session).

const API = '/api/v1';
const SESSION_KEY = 'ocomms.session';
/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * The error code an answer without a problem document stands for (an upload refused by a proxy, or answered early
 * while its body was still being sent).
 */
const CODE_BY_STATUS = { 0: 'network', 404: 'not_found', 413: 'payload_too_large', 415: 'unsupported_media_type',
  429: 'rate_limited', 503: 'unavailable', 504: 'timeout' };

/** A failed request: `code` is the error code of the problem document (or `network`). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code || CODE_BY_STATUS[status] || 'internal';
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
  let response = await rawFetch(method, path, body, await freshToken());
  if (response.status === 401 && session) {
    await refreshSession();
    response = await rawFetch(method, path, body, accessToken());
  }
  if (!response.ok) {
    throw new ApiError(response.status, await problemOf(response));
  }
  return response.status === 204 ? null : response.json();
}

/** A fresh enough access token: refreshed first when it is about to expire. */
async function freshToken() {
  if (session && session.expiresAt - Date.now() < 5_000) {
    await refreshSession();
  }
  return accessToken();
}

/**
 * An authenticated request of a body that is not JSON (a file, a form): the raw response, after one refresh and retry
 * on 401, or an ApiError.
 */
async function callRaw(method, path, body) {
  const send = async () => {
    try {
      return await fetch(API + path, { method, body, credentials: 'omit',
        headers: { Authorization: `Bearer ${await freshToken()}` } });
    } catch {
      throw new ApiError(0, { code: 'network', detail: 'The server cannot be reached' });
    }
  };
  let response = await send();
  if (response.status === 401 && session) {
    await refreshSession();
    response = await send();
  }
  if (!response.ok) {
    throw new ApiError(response.status, await problemOf(response));
  }
  return response;
}

/** A file's (or thumbnail's) bytes, fetched with the token: `<img src>` cannot carry it. */
export async function fileBlob(path) {
  return (await callRaw('GET', path.replace(/^\/api\/v1/, ''))).blob();
}

function fileForm(file, name) {
  const form = new FormData();
  form.append('file', file, name || file.name || 'file');
  return form;
}

/**
 * Uploads one file (multipart part `file`) with XMLHttpRequest, which reports upload progress (fetch does not):
 * `onProgress(loaded, total)` as bytes go. Returns `{done, abort}`: `done` resolves with the `file` answered or rejects
 * with an ApiError (`aborted` after `abort()`). A 401 refreshes the token once and sends the file again.
 */
export function uploadFile(chatId, file, onProgress = () => {}) {
  let xhr = null;
  let aborted = false;
  const attempt = token => new Promise((resolve, reject) => {
    xhr = new XMLHttpRequest();
    xhr.open('POST', `${API}/files${chatId ? `?chatId=${encodeURIComponent(chatId)}` : ''}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.responseType = 'json';
    xhr.upload.onprogress = event => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () => reject(new ApiError(0, { code: 'network', detail: 'The server cannot be reached' }));
    xhr.onabort = () => reject(new ApiError(0, { code: 'aborted', detail: 'Cancelled' }));
    xhr.send(fileForm(file));
  });
  const done = (async () => {
    let answer = await attempt(await freshToken());
    if (answer.status === 401 && session && !aborted) {
      await refreshSession();
      answer = await attempt(accessToken());
    }
    const body = answer.response;
    if (answer.status !== 201) {
      throw new ApiError(answer.status, body && typeof body === 'object' ? body : null);
    }
    return body.file;
  })();
  return {
    done,
    abort() {
      aborted = true;
      xhr?.abort();
    },
  };
}

/** Sets the signed-in user's avatar (`PUT /users/me/avatar`): the `user` answered. */
async function setAvatar(file) {
  return (await (await callRaw('PUT', '/users/me/avatar', fileForm(file))).json()).user;
}

/** The signed-in user's profile changed (a new avatar): the session carries it, every listener hears of it. */
export function updateUser(user) {
  if (session && user && session.user?.id === user.id) {
    storeSession({ ...session, user: { ...session.user, ...user } });
  }
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
  addChatMember: (chatId, userId) => call('POST', `/chats/${chatId}/members`, { userId }),
  removeChatMember: (chatId, userId) => call('DELETE', `/chats/${chatId}/members/${encodeURIComponent(userId)}`),
  updateChat: (chatId, change) => call('PATCH', `/chats/${chatId}`, change),
  me: () => call('GET', '/users/me'),
  updateMe: change => call('PATCH', '/users/me', change),
  // A note is named by its chat (`{chatId}`) or, for the personal note, its workspace (`{workspaceId}`).
  note: target => call('GET', `${notePath(target)}/note`),
  saveNote: (target, content, expectedVersion) => call('PUT', `${notePath(target)}/note`, { content, expectedVersion }),
  noteRevisions: target => call('GET', `${notePath(target)}/note/revisions`),
  noteRevision: (target, version) => call('GET', `${notePath(target)}/note/revisions/${version}`),
  restoreNote: (target, version) => call('POST', `${notePath(target)}/note/revisions/${version}/restore`),
  fileLimits: () => call('GET', '/files/limits'),
  chatFiles: (chatId, before) => call('GET', `/chats/${chatId}/files?limit=30${before ? `&before=${encodeURIComponent(before)}` : ''}`),
  setAvatar,
  removeAvatar: async () => (await call('DELETE', '/users/me/avatar')).user,
  notificationSettings: () => call('GET', '/users/me/notification-settings'),
  saveNotificationSettings: change => call('PUT', '/users/me/notification-settings', change),
  chatNotificationSettings: chatId => call('GET', `/chats/${chatId}/notification-settings`),
  saveChatNotificationSettings: (chatId, change) => call('PUT', `/chats/${chatId}/notification-settings`, change),
  pendingUrgent: () => call('GET', '/users/me/urgent-messages'),
  vapidPublicKey: () => call('GET', '/users/me/push-subscriptions/vapid-public-key'),
  savePushSubscription: subscription => call('POST', '/users/me/push-subscriptions', subscription),
  deletePushSubscription: endpoint => call('DELETE', '/users/me/push-subscriptions', { endpoint }),
  // Integrations (docs/protocol.md, "Bots", "Incoming webhooks", "Slash commands", "Outgoing webhooks")
  bots: workspaceId => call('GET', `/workspaces/${workspaceId}/bots`),
  createBot: (workspaceId, fields) => call('POST', `/workspaces/${workspaceId}/bots`, fields),
  deleteBot: botId => call('DELETE', `/bots/${encodeURIComponent(botId)}`),
  rotateBotToken: botId => call('POST', `/bots/${encodeURIComponent(botId)}/token`),
  webhooks: chatId => call('GET', `/chats/${chatId}/webhooks`),
  createWebhook: (chatId, fields) => call('POST', `/chats/${chatId}/webhooks`, fields),
  updateWebhook: (webhookId, change) => call('PATCH', `/webhooks/${encodeURIComponent(webhookId)}`, change),
  deleteWebhook: webhookId => call('DELETE', `/webhooks/${encodeURIComponent(webhookId)}`),
  commands: workspaceId => call('GET', `/workspaces/${workspaceId}/commands`),
  createCommand: (workspaceId, fields) => call('POST', `/workspaces/${workspaceId}/commands`, fields),
  deleteCommand: commandId => call('DELETE', `/commands/${encodeURIComponent(commandId)}`),
  commandDeliveries: commandId => call('GET', `/commands/${encodeURIComponent(commandId)}/deliveries`),
  outgoingWebhooks: chatId => call('GET', `/chats/${chatId}/outgoing-webhooks`),
  createOutgoingWebhook: (chatId, fields) => call('POST', `/chats/${chatId}/outgoing-webhooks`, fields),
  deleteOutgoingWebhook: id => call('DELETE', `/outgoing-webhooks/${encodeURIComponent(id)}`),
  outgoingWebhookDeliveries: id => call('GET', `/outgoing-webhooks/${encodeURIComponent(id)}/deliveries`),
  postToWebhook,
};

/**
 * Posts a Slack payload to a webhook's URL (`/hooks/<secret>`, no token: the secret is the credential), as a tool
 * would: `{status, text}` whatever the answer, an ApiError only when the server cannot be reached.
 */
async function postToWebhook(url, payload) {
  let response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload), credentials: 'omit' });
  } catch {
    throw new ApiError(0, { code: 'network', detail: 'The server cannot be reached' });
  }
  const text = await response.text().catch(() => '');
  let problem = null;
  if (!response.ok) {
    try {
      problem = JSON.parse(text);
    } catch {
      problem = null;
    }
  }
  return { status: response.status, ok: response.ok, text, problem };
}

function notePath({ chatId, workspaceId }) {
  return chatId ? `/chats/${encodeURIComponent(chatId)}` : `/workspaces/${encodeURIComponent(workspaceId)}`;
}
