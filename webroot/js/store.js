// The client's state and everything that changes it: workspaces, chats and their messages, presence, typing, the
// outbox. Components read `state` and re-render on `subscribe`; actions are the exported functions.

import * as api from './api.js';
import { EventBus, BusError } from './eventbus.js';
import * as outbox from './outbox.js';

const HISTORY_PAGE = 50;
const TYPING_SHOWN_MS = 6_000;
const TYPING_REPEAT_MS = 3_000;
const IDLE_AFTER_MS = 5 * 60_000;
const PRESENCE_RENEW_MS = 9 * 60_000;

export const state = {
  session: api.currentSession(),
  connection: 'closed',
  nextAttemptAt: 0,
  workspaces: [],
  workspaceId: localStorage.getItem('ocomms.workspace'),
  chats: new Map(), // chatId -> chat (with unreadCount, mentionCount, readSeq: the user's read watermark)
  users: new Map(), // userId -> public profile
  presence: new Map(), // userId -> {status, lastSeen}
  myStatus: 'available',
  views: new Map(), // chatId -> ChatView (messages and what is loaded)
  activeChatId: null,
  threadRootId: null,
  typing: new Map(), // chatId -> Map userId -> {name, until}
  error: null,
  announcement: '', // for the ARIA live region
};

/** What the client knows of one chat's messages. */
function newView(chatId) {
  return {
    chatId,
    messages: [], // top-level, by seq
    byId: new Map(),
    pending: [], // our messages not acknowledged yet: {clientId, content, replyTo, status, createdAt}
    loaded: false,
    loading: false,
    hasMore: true,
    threads: new Map(), // rootId -> {replies: [], loaded}
    members: new Map(), // userId -> readSeq
    syncedSeq: 0,
    ahead: new Set(),
  };
}

// Change notification

const listeners = new Set();
let scheduled = false;

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      listeners.forEach(listener => listener());
      updateTitle();
    });
  }
}

// The connection

export const bus = new EventBus('/eventbus', {
  token: api.accessToken,
  refreshToken: async () => (await api.refreshSession()).accessToken,
});

bus.onState((connection, source) => {
  state.connection = connection;
  state.nextAttemptAt = source.nextAttemptAt;
  changed();
});

bus.onOpen(() => {
  resync().catch(error => console.warn('sync after reconnect failed', error));
});

bus.onError(error => {
  if (error.failureCode === 401) {
    // The session was revoked (logged out elsewhere, or a refresh token was reused).
    signedOut();
  }
});

api.onSession(session => {
  const wasSignedIn = !!state.session;
  state.session = session;
  if (!session && wasSignedIn) {
    signedOut();
  } else if (session && !wasSignedIn) {
    start();
  } else if (session) {
    bus.sendPing(); // renews the connection's token
  }
  changed();
});

let unsubscribeUser = null;
let presenceTimer = 0;

/** Starts the signed-in client: loads workspaces and chats, connects the bus. */
export async function start() {
  if (!state.session) {
    return;
  }
  const me = state.session.user;
  state.users.set(me.id, me);
  unsubscribeUser = bus.subscribe(`user.${me.id}`, userEvent);
  bus.start();
  try {
    await loadWorkspaces();
    await loadChats();
    await loadOutbox();
  } catch (error) {
    fail(error);
  }
  watchIdleness();
  presenceTimer = setInterval(() => subscribePresence(), PRESENCE_RENEW_MS);
  changed();
}

function signedOut() {
  bus.close();
  unsubscribeUser?.();
  clearInterval(presenceTimer);
  state.session = null;
  state.workspaces = [];
  state.chats = new Map();
  state.views = new Map();
  state.activeChatId = null;
  state.threadRootId = null;
  chatSubscriptions.forEach(unsubscribe => unsubscribe());
  chatSubscriptions.clear();
  tallies.clear();
  api.dropSession();
  changed();
}

export async function logout() {
  await api.logout().catch(() => {});
  signedOut();
}

function fail(error) {
  console.warn(error);
  state.error = error.message || String(error);
  changed();
}

export function dismissError() {
  state.error = null;
  changed();
}

// After (re)connecting: every chat's gaps are filled, the list is fresh, presence is known, the outbox goes out.
async function resync() {
  await loadChats();
  const since = {};
  state.chats.forEach((chat, chatId) => {
    const view = state.views.get(chatId);
    if (view) {
      since[chatId] = view.syncedSeq;
    }
  });
  const ids = Object.keys(since);
  for (let i = 0; i < ids.length; i += 500) {
    const chats = Object.fromEntries(ids.slice(i, i + 500).map(id => [id, since[id]]));
    await syncChats(chats);
  }
  await subscribePresence();
  await flushOutbox();
  if (state.activeChatId) {
    markReadSoon();
  }
}

// Workspaces and chats

async function loadWorkspaces() {
  const { workspaces } = await api.rest.workspaces();
  state.workspaces = workspaces;
  if (!workspaces.some(ws => ws.id === state.workspaceId)) {
    state.workspaceId = workspaces[0]?.id || null;
  }
  if (state.workspaceId) {
    await loadMembers(state.workspaceId);
  }
  changed();
}

async function loadMembers(workspaceId) {
  const { members } = await api.rest.members(workspaceId);
  members.forEach(member => state.users.set(member.userId, member.user));
  state.workspaceMembers = state.workspaceMembers || new Map();
  state.workspaceMembers.set(workspaceId, members.map(member => member.userId));
  subscribePresence();
}

const chatSubscriptions = new Map();

async function loadChats() {
  const { chats } = await api.rest.chats();
  const seen = new Set();
  chats.forEach(chat => {
    seen.add(chat.id);
    addChat(chat);
    listedCounts(chat);
  });
  [...state.chats.keys()].filter(id => !seen.has(id)).forEach(removeChat);
  if (state.activeChatId && !state.chats.has(state.activeChatId)) {
    state.activeChatId = null;
  }
  if (!state.activeChatId) {
    const remembered = localStorage.getItem(`ocomms.chat.${state.workspaceId}`);
    const first = chatsOf(state.workspaceId).channels[0];
    const target = state.chats.has(remembered) ? remembered : first?.id;
    if (target) {
      openChat(target);
    }
  }
  changed();
}

function addChat(chat) {
  const known = state.chats.get(chat.id);
  // The watermark never moves back; a chat one just joined or opened is read up to its last seq.
  const readSeq = Math.max(known?.readSeq || 0, chat.readSeq ?? chat.lastSeq ?? 0);
  state.chats.set(chat.id, { ...known, ...chat, readSeq });
  if (!tallies.has(chat.id)) {
    tallies.set(chat.id, { floor: chat.lastSeq || 0, seen: new Map() });
  }
  let view = state.views.get(chat.id);
  if (!view) {
    view = newView(chat.id);
    view.syncedSeq = chat.lastSeq;
    state.views.set(chat.id, view);
  }
  if (!chatSubscriptions.has(chat.id)) {
    chatSubscriptions.set(chat.id, bus.subscribe(`chat.${chat.id}`, event => chatEvent(chat.id, event)));
  }
}

function removeChat(chatId) {
  state.chats.delete(chatId);
  tallies.delete(chatId);
  state.views.delete(chatId);
  chatSubscriptions.get(chatId)?.();
  chatSubscriptions.delete(chatId);
  if (state.activeChatId === chatId) {
    state.activeChatId = null;
    state.threadRootId = null;
  }
}

/** The chats of a workspace, as the sidebar lists them. */
export function chatsOf(workspaceId) {
  const all = [...state.chats.values()].filter(chat => chat.workspaceId === workspaceId);
  const byName = (a, b) => chatTitle(a).localeCompare(chatTitle(b));
  return {
    channels: all.filter(chat => chat.kind === 'channel' && !chat.archived).sort(byName),
    dms: all.filter(chat => chat.kind === 'dm').sort(byName),
  };
}

/** In sidebar order: for Alt+Up/Down. */
export function orderedChatIds() {
  const { channels, dms } = chatsOf(state.workspaceId);
  return [...channels, ...dms].map(chat => chat.id);
}

export function chatTitle(chat) {
  if (!chat) {
    return '';
  }
  if (chat.kind === 'channel') {
    return chat.name;
  }
  const me = state.session?.user.id;
  const others = (chat.memberIds || []).filter(id => id !== me);
  if (others.length === 0) {
    return `${displayName(me)} (you)`;
  }
  return others.map(displayName).join(', ');
}

export function dmPartner(chat) {
  const me = state.session?.user.id;
  const others = (chat.memberIds || []).filter(id => id !== me);
  return others.length === 1 ? others[0] : null;
}

export function displayName(userId) {
  const user = state.users.get(userId);
  return user ? user.displayName : 'Someone';
}

export async function switchWorkspace(workspaceId) {
  state.workspaceId = workspaceId;
  localStorage.setItem('ocomms.workspace', workspaceId);
  state.activeChatId = null;
  state.threadRootId = null;
  changed();
  try {
    await loadMembers(workspaceId);
    const remembered = localStorage.getItem(`ocomms.chat.${workspaceId}`);
    const target = state.chats.has(remembered) ? remembered : chatsOf(workspaceId).channels[0]?.id;
    if (target) {
      openChat(target);
    }
  } catch (error) {
    fail(error);
  }
  changed();
}

export async function createWorkspace(name) {
  const { workspace } = await api.rest.createWorkspace(name);
  await loadWorkspaces();
  await loadChats();
  await switchWorkspace(workspace.id);
}

export async function joinWorkspace(code) {
  const { workspace } = await api.rest.join(code.trim());
  await loadWorkspaces();
  await loadChats();
  await switchWorkspace(workspace.id);
}

export async function createInvite() {
  return api.rest.invite(state.workspaceId);
}

export async function browseChannels() {
  const { channels } = await api.rest.channels(state.workspaceId);
  return channels;
}

export async function joinChannel(chatId) {
  const { chat } = await api.rest.joinChat(chatId);
  addChat(chat);
  openChat(chat.id);
}

export async function createChannel(name, isPrivate, topic) {
  const { chat } = await api.rest.createChannel(state.workspaceId, name, isPrivate, topic);
  addChat({ unreadCount: 0, mentionCount: 0, ...chat });
  openChat(chat.id);
}

export async function startDm(userIds) {
  const { chat } = await api.rest.openDm(state.workspaceId, userIds);
  addChat({ unreadCount: 0, mentionCount: 0, ...chat });
  openChat(chat.id);
}

export async function leaveChat(chatId) {
  await api.rest.leaveChat(chatId);
  removeChat(chatId);
  const next = chatsOf(state.workspaceId).channels[0];
  if (next) {
    openChat(next.id);
  }
  changed();
}

/** Reloads the people of the current workspace (someone may have joined). */
export async function refreshMembers() {
  if (state.workspaceId) {
    await loadMembers(state.workspaceId);
    changed();
  }
}

export function workspaceMemberIds() {
  return state.workspaceMembers?.get(state.workspaceId) || [];
}

// Opening a chat

export function openChat(chatId) {
  if (!state.chats.has(chatId)) {
    return;
  }
  state.activeChatId = chatId;
  state.threadRootId = null;
  localStorage.setItem(`ocomms.chat.${state.chats.get(chatId).workspaceId}`, chatId);
  const view = state.views.get(chatId);
  if (!view.loaded && !view.loading) {
    loadOlder(chatId);
  }
  loadChatMembers(chatId);
  markReadSoon();
  changed();
}

async function loadChatMembers(chatId) {
  try {
    const { members } = await api.rest.chatMembers(chatId);
    const view = state.views.get(chatId);
    if (!view) {
      return;
    }
    view.members = new Map(members.map(member => [member.userId, member.readSeq]));
    members.forEach(member => state.users.set(member.userId, member.user));
    changed();
  } catch (error) {
    console.warn('members', error);
  }
}

/** The next page back through history (the first page when nothing is loaded). */
export async function loadOlder(chatId) {
  const view = state.views.get(chatId);
  if (!view || view.loading || (view.loaded && !view.hasMore)) {
    return;
  }
  if (bus.state !== 'open') {
    await waitForConnection();
  }
  view.loading = true;
  changed();
  try {
    const oldest = view.messages[0];
    const body = { chatId, limit: HISTORY_PAGE };
    if (view.loaded && oldest) {
      body.beforeSeq = oldest.seq;
    }
    const page = await bus.request('chat.history', body);
    page.messages.forEach(message => upsertMessage(view, message, 0));
    view.hasMore = page.hasMore;
    view.loaded = true;
  } catch (error) {
    fail(error);
  } finally {
    view.loading = false;
    changed();
  }
}

function waitForConnection() {
  return new Promise(resolve => {
    const stop = bus.onOpen(() => {
      stop();
      resolve();
    });
  });
}

// Messages in a view

function upsertMessage(view, message, eventSeq) {
  if (message.replyTo) {
    upsertReply(view, message, eventSeq);
    return;
  }
  const known = view.byId.get(message.id);
  if (known) {
    if (eventSeq && eventSeq <= (known.version || 0)) {
      return;
    }
    Object.assign(known, message, { version: eventSeq || known.version || 0 });
  } else {
    const copy = { ...message, version: eventSeq || 0 };
    view.byId.set(message.id, copy);
    const index = view.messages.findIndex(other => other.seq > message.seq);
    if (index < 0) {
      view.messages.push(copy);
    } else {
      view.messages.splice(index, 0, copy);
    }
  }
  view.pending = view.pending.filter(pending => pending.clientId !== message.clientId);
}

function upsertReply(view, message, eventSeq) {
  const thread = view.threads.get(message.replyTo) || { replies: [], loaded: false };
  view.threads.set(message.replyTo, thread);
  const known = thread.replies.find(reply => reply.id === message.id);
  if (known) {
    if (!eventSeq || eventSeq > (known.version || 0)) {
      Object.assign(known, message, { version: eventSeq || 0 });
    }
  } else {
    thread.replies.push({ ...message, version: eventSeq || 0 });
    thread.replies.sort((a, b) => a.seq - b.seq);
    const root = view.byId.get(message.replyTo);
    // Roots are not re-sent when a reply arrives: count it here (history brings the stored count).
    if (root && eventSeq && eventSeq > (root.version || 0) && !message.deleted) {
      root.replyCount = (root.replyCount || 0) + 1;
      root.lastReplyAt = message.createdAt;
    }
  }
  view.pending = view.pending.filter(pending => pending.clientId !== message.clientId);
}

// Unread counting: the server sends no badge for new messages; the client counts them from message.new (live or
// replayed by chat.sync) by the server's rule: after the user's watermark, not their own, not deleted; a mention
// names them or the whole chat. Every message is counted once, by seq: `floor` is the seq up to which the counts
// already include everything (the chat list's lastSeq), `seen` what was counted above it and how.

const tallies = new Map(); // chatId -> {floor, seen: Map seq -> 'own' | 'mention' | 'unread' | 'read'}
const TALLY_KEPT = 500;

function mentionsMe(message, me) {
  const mentions = message.mentions || {};
  return !!(mentions.channel || mentions.here || (mentions.users || []).includes(me));
}

/** Counts a new message (a thread reply too) into its chat's badge, once. */
function countMessage(chatId, message) {
  const chat = state.chats.get(chatId);
  const tally = tallies.get(chatId);
  if (!chat || !tally || !message || message.seq <= tally.floor || tally.seen.has(message.seq)) {
    return;
  }
  const me = state.session?.user.id;
  let kind = 'read';
  if (message.senderId === me) {
    kind = 'own';
  } else if (message.seq > (chat.readSeq || 0) && !message.deleted) {
    kind = mentionsMe(message, me) ? 'mention' : 'unread';
  }
  tally.seen.set(message.seq, kind);
  if (tally.seen.size > TALLY_KEPT) {
    const oldest = Math.min(...tally.seen.keys());
    tally.seen.delete(oldest);
    tally.floor = oldest;
  }
  applyCount(chatId, message.seq, kind);
}

function applyCount(chatId, seq, kind) {
  const chat = state.chats.get(chatId);
  if (kind === 'own') {
    // Sending reads the chat up to one's message: what is left unread came after it (counted here, as it is above
    // the floor), usually nothing.
    const readSeq = Math.max(chat.readSeq || 0, seq);
    let unreadCount = 0;
    let mentionCount = 0;
    tallies.get(chatId).seen.forEach((other, otherSeq) => {
      if (otherSeq > readSeq && (other === 'unread' || other === 'mention')) {
        unreadCount += 1;
        mentionCount += other === 'mention' ? 1 : 0;
      }
    });
    state.chats.set(chatId, { ...chat, unreadCount, mentionCount, readSeq });
    state.views.get(chatId)?.members.set(state.session.user.id, readSeq);
  } else if (kind !== 'read' && seq > (chat.readSeq || 0)) {
    state.chats.set(chatId, {
      ...chat,
      unreadCount: (chat.unreadCount || 0) + 1,
      mentionCount: (chat.mentionCount || 0) + (kind === 'mention' ? 1 : 0),
    });
  }
}

/** The chat list's counts replace ours: they include every message up to its lastSeq; later ones are added again. */
function listedCounts(listed) {
  const tally = tallies.get(listed.id);
  tally.floor = Math.max(tally.floor, listed.lastSeq || 0);
  const later = [...tally.seen.entries()].filter(([seq]) => seq > tally.floor).sort((a, b) => a[0] - b[0]);
  tally.seen = new Map(later);
  later.forEach(([seq, kind]) => applyCount(listed.id, seq, kind));
}

// Events

function chatEvent(chatId, event) {
  const view = state.views.get(chatId);
  if (!view) {
    return;
  }
  switch (event.type) {
    case 'message.new':
      countMessage(chatId, event.message);
      applySequenced(view, event);
      break;
    case 'message.updated':
    case 'message.deleted':
    case 'message.reaction':
      applySequenced(view, event);
      break;
    case 'read.receipt':
      if ((view.members.get(event.userId) || 0) < event.seq) {
        view.members.set(event.userId, event.seq);
      }
      if (event.userId === state.session?.user.id && (state.chats.get(chatId)?.readSeq || 0) < event.seq) {
        state.chats.set(chatId, { ...state.chats.get(chatId), readSeq: event.seq }); // read on another device
      }
      break;
    case 'typing.indicator':
      typingEvent(chatId, event);
      break;
    case 'member.joined':
    case 'member.left':
      loadChatMembers(chatId);
      if (!state.users.has(event.userId)) {
        refreshMembers().catch(() => {});
      }
      if (event.type === 'member.left' && event.userId === state.session?.user.id) {
        removeChat(chatId);
      }
      break;
    case 'chat.updated':
      state.chats.set(chatId, { ...state.chats.get(chatId), ...event.chat });
      break;
    case 'sync.required':
      syncChats({ [chatId]: view.syncedSeq });
      break;
    default:
      break;
  }
  changed();
}

/** Applies a numbered event; a gap in the numbers asks chat.sync for what is missing. */
function applySequenced(view, event) {
  const isNew = event.type === 'message.new' && !view.byId.has(event.message.id);
  const wasLoaded = view.loaded;
  if (wasLoaded || event.message.replyTo) {
    upsertMessage(view, event.message, event.seq);
  }
  if (event.seq <= view.syncedSeq) {
    return;
  }
  if (event.seq === view.syncedSeq + 1) {
    view.syncedSeq = event.seq;
    while (view.ahead.delete(view.syncedSeq + 1)) {
      view.syncedSeq += 1;
    }
  } else {
    view.ahead.add(event.seq);
    requestSync(view.chatId);
  }
  const me = state.session?.user.id;
  if (isNew && event.message.senderId !== me && view.chatId === state.activeChatId) {
    if (!event.message.replyTo) {
      state.announcement = `${displayName(event.message.senderId)}: ${event.message.content.slice(0, 140)}`;
    }
    newMessageListeners.forEach(listener => listener(view.chatId, event.message));
    markReadSoon();
  }
  const typing = state.typing.get(view.chatId);
  if (isNew && typing?.delete(event.message.senderId)) {
    changed();
  }
}

const newMessageListeners = new Set();
/** Told of every new message from someone else in the open chat (for the "new messages" pill). */
export function onNewMessage(listener) {
  newMessageListeners.add(listener);
  return () => newMessageListeners.delete(listener);
}

const syncWanted = new Set();
let syncTimer = 0;
function requestSync(chatId) {
  syncWanted.add(chatId);
  clearTimeout(syncTimer);
  // Events of one burst may arrive a little out of order; give the missing ones a moment first.
  syncTimer = setTimeout(() => {
    const chats = {};
    syncWanted.forEach(id => {
      const view = state.views.get(id);
      if (view && view.ahead.size > 0) {
        chats[id] = view.syncedSeq;
      }
    });
    syncWanted.clear();
    if (Object.keys(chats).length > 0) {
      syncChats(chats);
    }
  }, 300);
}

async function syncChats(chats) {
  if (Object.keys(chats).length === 0 || bus.state !== 'open') {
    return;
  }
  let refreshCounts = false;
  try {
    const answer = await bus.request('chat.sync', { chats });
    Object.entries(answer.chats).forEach(([chatId, result]) => {
      const view = state.views.get(chatId);
      if (!view || result.error) {
        return;
      }
      if (result.tooLarge) {
        refreshCounts = true; // the events are not given: the chat list has the counts
        // Too much happened: reload the chat from history.
        const fresh = newView(chatId);
        fresh.members = view.members;
        fresh.syncedSeq = result.lastSeq;
        state.views.set(chatId, fresh);
        if (chatId === state.activeChatId) {
          loadOlder(chatId);
        }
        return;
      }
      result.events.forEach(event => {
        if (event.type === 'message.new') {
          countMessage(chatId, event.message);
        }
        if (view.loaded || event.message?.replyTo) {
          upsertMessage(view, event.message, event.seq);
        }
      });
      view.syncedSeq = Math.max(view.syncedSeq, result.lastSeq);
      view.ahead.forEach(seq => {
        if (seq <= view.syncedSeq) {
          view.ahead.delete(seq);
        }
      });
    });
    changed();
  } catch (error) {
    console.warn('chat.sync failed', error);
  }
  if (refreshCounts) {
    loadChats().catch(error => console.warn('chat list', error));
  }
}

function userEvent(event) {
  switch (event.type) {
    case 'chat.added': {
      const isNew = !chatSubscriptions.has(event.chat.id);
      addChat({ unreadCount: 0, mentionCount: 0, ...event.chat }); // read up to its lastSeq (addChat)
      if (isNew) {
        // What was sent before the registration took effect is not heard live: fetch it (and count it).
        chatSubscriptions.get(event.chat.id)?.ready?.then(() => {
          const view = state.views.get(event.chat.id);
          if (view) {
            syncChats({ [event.chat.id]: view.syncedSeq || 0 });
          }
        }).catch(() => {});
      }
      if (!state.workspaces.some(ws => ws.id === event.chat.workspaceId)) {
        loadWorkspaces().catch(fail);
      }
      break;
    }
    case 'chat.removed':
      removeChat(event.chatId);
      break;
    case 'notification.badge': {
      const chat = state.chats.get(event.chatId);
      if (chat) {
        state.chats.set(event.chatId, {
          ...chat, unreadCount: event.unreadCount, mentionCount: event.mentionCount,
        });
        if (event.chatId === state.activeChatId && event.unreadCount > 0) {
          markReadSoon(); // read while looking at it (markRead checks that it is visible)
        }
      }
      break;
    }
    case 'sync.required':
      // Missed events on the user address (badges among them): the chat list carries the counts.
      loadChats().catch(error => console.warn('chat list', error));
      break;
    case 'presence.changed':
      state.presence.set(event.userId, { status: event.status, lastSeen: event.lastSeen });
      break;
    default:
      break;
  }
  changed();
}

// Reading

let readTimer = 0;
/** Marks the open chat read up to its newest message, if the page is visible and the list is at the bottom. */
export function markReadSoon() {
  clearTimeout(readTimer);
  readTimer = setTimeout(markRead, 150);
}

let atBottom = true;
export function setAtBottom(value) {
  atBottom = value;
  if (value) {
    markReadSoon();
  }
}

async function markRead() {
  const chatId = state.activeChatId;
  const chat = state.chats.get(chatId);
  const view = state.views.get(chatId);
  if (!chat || !view || document.visibilityState !== 'visible' || !atBottom || bus.state !== 'open') {
    return;
  }
  const last = view.syncedSeq;
  const alreadyRead = Math.max(view.members.get(state.session.user.id) || 0, chat.readSeq || 0);
  if (!chat.unreadCount && !chat.mentionCount && alreadyRead >= last) {
    return;
  }
  try {
    const answer = await bus.request('chat.read', { chatId, seq: last });
    const current = state.chats.get(chatId);
    if (!current) {
      return;
    }
    state.chats.set(chatId, { ...current, unreadCount: answer.unreadCount, mentionCount: answer.mentionCount,
      readSeq: Math.max(current.readSeq || 0, answer.seq) });
    view.members.set(state.session.user.id, answer.seq);
    changed();
  } catch (error) {
    console.warn('chat.read failed', error);
  }
}

document.addEventListener('visibilitychange', () => markReadSoon());

// Sending, with the outbox

/** Writes a message (or a thread reply): shown at once, kept in the outbox until the server has it. */
export async function sendMessage(chatId, content, replyTo) {
  const view = state.views.get(chatId);
  const entry = {
    clientId: crypto.randomUUID(),
    userId: state.session.user.id,
    chatId,
    content,
    replyTo: replyTo || null,
    createdAt: new Date().toISOString(),
  };
  view.pending.push({ ...entry, status: 'sending' });
  changed();
  try {
    await outbox.put(entry);
  } catch (error) {
    console.warn('outbox unavailable; the message lives in memory only', error);
  }
  if (bus.state === 'open' && !flushing) {
    flushOutbox();
  } else {
    pendingOf(entry).status = 'queued';
    changed();
  }
}

function pendingOf(entry) {
  return state.views.get(entry.chatId)?.pending.find(p => p.clientId === entry.clientId) || {};
}

async function loadOutbox() {
  const entries = await outbox.list(state.session.user.id).catch(() => []);
  entries.forEach(entry => {
    const view = state.views.get(entry.chatId);
    if (view && !view.pending.some(p => p.clientId === entry.clientId)) {
      view.pending.push({ ...entry, status: 'queued' });
    }
  });
  changed();
  if (bus.state === 'open') {
    flushOutbox();
  }
}

let flushing = false;
/** Sends what waits in the outbox, in the order it was written; stops at the first message that cannot go now. */
async function flushOutbox() {
  if (flushing || !state.session) {
    return;
  }
  flushing = true;
  try {
    for (;;) {
      const queued = [];
      state.views.forEach(view => view.pending.forEach(p => {
        if (p.status === 'sending' || p.status === 'queued') {
          queued.push(p);
        }
      }));
      queued.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      const next = queued[0];
      if (!next || bus.state !== 'open') {
        return;
      }
      next.status = 'sending';
      changed();
      const ok = await deliver(next);
      if (!ok) {
        return;
      }
    }
  } finally {
    flushing = false;
  }
}

/** One attempt; true when the outbox may go on with the next message. */
async function deliver(pending) {
  const body = { chatId: pending.chatId, clientId: pending.clientId, content: pending.content };
  if (pending.replyTo) {
    body.replyTo = pending.replyTo;
  }
  try {
    const message = await bus.request('chat.message.send', body);
    await outbox.remove(pending.clientId).catch(() => {});
    const view = state.views.get(pending.chatId);
    if (view) {
      pending.status = 'sent';
      upsertMessage(view, message, 0);
    }
    countMessage(pending.chatId, message);
    changed();
    return true;
  } catch (error) {
    if (error instanceof BusError && error.code === 'disconnected') {
      pending.status = 'queued'; // goes out again after the reconnect
      changed();
      return false;
    }
    if (error instanceof BusError && error.code === 'rate_limited') {
      pending.status = 'queued';
      const wait = error.body.retryAfterMs || (error.body.retryAfter || 1) * 1000;
      setTimeout(flushOutbox, wait);
      changed();
      return false;
    }
    // Refused or unanswered: the user decides (retry keeps the clientId, so no duplicate either way).
    pending.status = 'failed';
    pending.error = error.message;
    await outbox.remove(pending.clientId).catch(() => {});
    changed();
    return true;
  }
}

export async function retry(chatId, clientId) {
  const pending = state.views.get(chatId)?.pending.find(p => p.clientId === clientId);
  if (!pending) {
    return;
  }
  pending.status = 'queued';
  await outbox.put({
    clientId, userId: state.session.user.id, chatId, content: pending.content, replyTo: pending.replyTo,
    createdAt: pending.createdAt,
  }).catch(() => {});
  changed();
  flushOutbox();
}

export function discard(chatId, clientId) {
  const view = state.views.get(chatId);
  view.pending = view.pending.filter(p => p.clientId !== clientId);
  outbox.remove(clientId).catch(() => {});
  changed();
}

export async function editMessage(messageId, content) {
  const message = await bus.request('chat.message.edit', { messageId, content });
  const view = state.views.get(message.chatId);
  upsertMessage(view, message, 0);
  changed();
}

export async function deleteMessage(messageId) {
  const message = await bus.request('chat.message.delete', { messageId });
  upsertMessage(state.views.get(message.chatId), message, 0);
  changed();
}

export async function react(message, emoji) {
  const me = state.session.user.id;
  const mine = (message.reactions || []).some(r => r.emoji === emoji && r.userIds.includes(me));
  try {
    const answer = await bus.request('chat.message.react', {
      messageId: message.id, emoji, action: mine ? 'remove' : 'add',
    });
    message.reactions = answer.reactions;
    changed();
  } catch (error) {
    fail(error);
  }
}

// Threads

export async function openThread(rootId) {
  state.threadRootId = rootId;
  changed();
  const view = state.views.get(state.activeChatId);
  try {
    const page = await bus.request('chat.history', { chatId: view.chatId, rootId, limit: 100 });
    const thread = view.threads.get(rootId) || { replies: [], loaded: false };
    view.threads.set(rootId, thread);
    page.messages.forEach(reply => {
      if (!thread.replies.some(known => known.id === reply.id)) {
        thread.replies.push({ ...reply, version: 0 });
      }
    });
    thread.replies.sort((a, b) => a.seq - b.seq);
    thread.loaded = true;
    changed();
  } catch (error) {
    fail(error);
  }
}

export function closeThread() {
  state.threadRootId = null;
  changed();
}

// Typing

let lastTypingSent = 0;
let typingChat = null;
export function typed(chatId) {
  const now = Date.now();
  if (bus.state !== 'open' || (typingChat === chatId && now - lastTypingSent < TYPING_REPEAT_MS)) {
    return;
  }
  typingChat = chatId;
  lastTypingSent = now;
  bus.request('chat.typing', { chatId, active: true }).catch(() => {});
}

export function stoppedTyping(chatId) {
  if (typingChat === chatId && lastTypingSent) {
    lastTypingSent = 0;
    typingChat = null;
    if (bus.state === 'open') {
      bus.request('chat.typing', { chatId, active: false }).catch(() => {});
    }
  }
}

function typingEvent(chatId, event) {
  if (event.userId === state.session?.user.id) {
    return;
  }
  const typing = state.typing.get(chatId) || new Map();
  state.typing.set(chatId, typing);
  if (event.active) {
    typing.set(event.userId, { name: event.displayName || displayName(event.userId),
      until: Date.now() + TYPING_SHOWN_MS });
    setTimeout(changed, TYPING_SHOWN_MS + 50);
  } else {
    typing.delete(event.userId);
  }
}

/** "Alice is typing…", "Alice and Bob are typing…", "Several people are typing…", or ''. */
export function typingText(chatId) {
  const now = Date.now();
  const names = [...(state.typing.get(chatId)?.values() || [])].filter(t => t.until > now).map(t => t.name);
  if (names.length === 0) {
    return '';
  }
  if (names.length === 1) {
    return `${names[0]} is typing…`;
  }
  if (names.length === 2) {
    return `${names[0]} and ${names[1]} are typing…`;
  }
  return 'Several people are typing…';
}

// Presence

async function subscribePresence() {
  if (bus.state !== 'open') {
    return;
  }
  const ids = new Set();
  state.workspaceMembers?.forEach(members => members.forEach(id => ids.add(id)));
  const userIds = [...ids].slice(0, 500);
  if (userIds.length === 0) {
    return;
  }
  try {
    const { users } = await bus.request('presence.subscribe', { userIds });
    users.forEach(user => state.presence.set(user.userId, { status: user.status, lastSeen: user.lastSeen }));
    changed();
  } catch (error) {
    console.warn('presence.subscribe failed', error);
  }
}

export async function setStatus(status) {
  state.myStatus = status;
  changed();
  try {
    const answer = await bus.request('presence.update', { status });
    state.presence.set(answer.userId, { status: answer.status, lastSeen: answer.lastSeen });
    changed();
  } catch (error) {
    fail(error);
  }
}

let idle = false;
let idleTimer = 0;
function watchIdleness() {
  const active = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idle = true;
      bus.request('presence.update', { idle: true }).catch(() => {});
    }, IDLE_AFTER_MS);
    if (idle) {
      idle = false;
      bus.request('presence.update', { idle: false }).catch(() => {});
    }
  };
  ['keydown', 'pointerdown', 'pointermove', 'focus'].forEach(type =>
    window.addEventListener(type, active, { passive: true }));
  active();
}

export function statusOf(userId) {
  if (userId === state.session?.user.id) {
    return bus.state === 'open' ? (idle && state.myStatus === 'available' ? 'away' : state.myStatus) : 'offline';
  }
  return state.presence.get(userId)?.status || 'offline';
}

// Title and favicon: the total of unread messages

let lastTotal = -1;
function updateTitle() {
  let unread = 0;
  let mentions = 0;
  state.chats.forEach(chat => {
    unread += chat.unreadCount || 0;
    mentions += chat.mentionCount || 0;
  });
  const total = mentions || unread;
  const active = state.chats.get(state.activeChatId);
  document.title = `${total ? `(${total}) ` : ''}${active ? `${active.kind === 'channel' ? '#' : ''}${chatTitle(active)} · ` : ''}OComms`;
  if (total !== lastTotal) {
    lastTotal = total;
    drawFavicon(total, mentions > 0);
  }
}

function drawFavicon(count, urgent) {
  const link = document.getElementById('favicon');
  if (!link) {
    return;
  }
  if (!count) {
    link.href = '/favicon.svg';
    return;
  }
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 32;
  const g = canvas.getContext('2d');
  g.fillStyle = '#4a3aff';
  g.beginPath();
  g.roundRect(0, 0, 32, 32, 7);
  g.fill();
  g.fillStyle = urgent ? '#e5484d' : '#f5a524';
  g.beginPath();
  g.arc(22, 10, 10, 0, Math.PI * 2);
  g.fill();
  g.fillStyle = '#fff';
  g.font = 'bold 13px sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(count > 9 ? '9+' : String(count), 22, 11);
  link.href = canvas.toDataURL('image/png');
}

export { changed as notifyChanged };
