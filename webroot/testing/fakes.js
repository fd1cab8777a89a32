// What the client meets outside itself, for tests: a bridge that answers as the test says and delivers the events
// the test publishes, REST with canned answers, storage in memory, a page. The client under test is the real one
// (store/client.js); only its surroundings are made up.

import { BusError } from '../js/eventbus.js';
import { createClient } from '../js/store/client.js';

/** Lets every pending promise callback and microtask run (slices notify once per microtask). */
export async function settle() {
  for (let i = 0; i < 5; i += 1) {
    await new Promise(resolve => setImmediate(resolve));
  }
}

export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Fails a request as the server does: a BusError with the wire code, the HTTP status and the error body. */
export function refusal(code, failureCode, detail, fields = {}) {
  return new BusError(code, failureCode, detail, { code, detail, ...fields });
}

/** The bridge client's interface (js/eventbus.js), with the server played by the test. */
export class FakeBus {
  constructor() {
    this.state = 'closed';
    this.nextAttemptAt = 0;
    this.requests = []; // {address, body}
    this.answers = new Map(); // address -> body => reply (a value, a promise, or a thrown BusError)
    this.handlers = new Map(); // address -> Set of handlers
    this.stateListeners = new Set();
    this.openListeners = new Set();
    this.errorListeners = new Set();
  }

  /** How the server answers requests to `address`. */
  answer(address, reply) {
    this.answers.set(address, reply);
    return this;
  }

  /** Forgets the requests made so far (those of starting up). */
  forget() {
    this.requests.length = 0;
  }

  /** The bodies of the requests sent to `address`, in order. */
  sent(address) {
    return this.requests.filter(request => request.address === address).map(request => request.body);
  }

  async request(address, body) {
    this.requests.push({ address, body });
    if (this.state !== 'open') {
      throw new BusError('disconnected', 0, 'not connected');
    }
    const reply = this.answers.get(address);
    if (!reply) {
      throw new BusError('forbidden', 403, `the test does not answer ${address}`);
    }
    return reply(body);
  }

  subscribe(address, handler) {
    let set = this.handlers.get(address);
    if (!set) {
      set = new Set();
      this.handlers.set(address, set);
    }
    set.add(handler);
    const unsubscribe = () => {
      set.delete(handler);
      if (set.size === 0) {
        this.handlers.delete(address);
      }
    };
    unsubscribe.ready = Promise.resolve();
    return unsubscribe;
  }

  /** Whether anything listens on `address`. */
  registered(address) {
    return this.handlers.has(address);
  }

  /** The server publishes an event on `address`. */
  publish(address, event) {
    this.handlers.get(address)?.forEach(handler => handler(event));
  }

  setState(state) {
    if (this.state !== state) {
      this.state = state;
      this.stateListeners.forEach(listener => listener(state, this));
    }
  }

  /** The connection opens (or comes back): the client's onOpen listeners run. */
  open() {
    this.setState('open');
    this.openListeners.forEach(listener => listener());
  }

  /** The connection drops. */
  drop() {
    this.setState('reconnecting');
  }

  start() {
    if (this.state === 'closed') {
      this.setState('connecting');
    }
  }

  close() {
    this.setState('closed');
  }

  onState(listener) {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onOpen(listener) {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  onError(listener) {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  sendPing() {}

  reconnectNow() {}
}

/**
 * Time for what the client paces (reads, the title), moved by the test: `advance(ms)` runs the timers that come due,
 * in order.
 */
export function fakeClock(start = 1_000_000) {
  let time = start;
  let ids = 0;
  const timers = new Map(); // id -> {at, run}
  const clock = {
    now: () => time,
    setTimeout(run, ms = 0) {
      ids += 1;
      timers.set(ids, { at: time + Math.max(0, ms), run });
      return ids;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    /** Moves time on by `ms`, running every timer due by then at its own time. */
    async advance(ms) {
      const until = time + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, timer]) => timer.at <= until)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) {
          break;
        }
        timers.delete(due[0]);
        time = due[1].at;
        due[1].run();
        await settle();
      }
      time = until;
      await settle();
    },
  };
  return clock;
}

/** localStorage in memory. */
export function memoryStorage(entries = {}) {
  const items = new Map(Object.entries(entries));
  return {
    getItem: key => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: key => items.delete(key),
  };
}

/** The IndexedDB outbox (js/outbox-db.js) in memory. */
export function memoryOutbox() {
  const entries = new Map();
  return {
    entries,
    put: async entry => {
      entries.set(entry.clientId, entry);
    },
    remove: async clientId => {
      entries.delete(clientId);
    },
    list: async userId => [...entries.values()].filter(entry => entry.userId === userId),
  };
}

/** The page: its title, a favicon link, visibility, and event listeners the test can fire. */
export function fakePage() {
  const listeners = new Map();
  const on = (type, listener) => {
    listeners.set(type, [...(listeners.get(type) || []), listener]);
  };
  return {
    title: '',
    visibilityState: 'visible',
    addEventListener: on,
    removeEventListener: () => {},
    getElementById: () => null,
    fire: type => (listeners.get(type) || []).forEach(listener => listener({ type })),
  };
}

/** REST with the data the test sets (`api.data`), and the session (null: signed out). */
export function fakeApi(data = {}) {
  const listeners = new Set();
  let session = data.session || null;
  const api = {
    data: { workspaces: [], members: {}, chats: [], chatMembers: {}, urgent: [],
      notificationSettings: { desktop: true, sound: true, dnd: null, schedule: null, dndActive: false }, ...data },
    calls: [],
    currentSession: () => session,
    onSession: listener => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    signIn(next) {
      session = next;
      listeners.forEach(listener => listener(session));
    },
    dropSession() {
      session = null;
      listeners.forEach(listener => listener(session));
    },
    logout: async () => api.dropSession(),
    rest: {},
    uploads: [], // every upload started, as the test drives it: see `uploadFile`
    /**
     * An upload the test finishes: `progress(loaded)`, `finish(fields)` (201 with a file made from the upload),
     * `refuse(status, problem)`; `aborted` once cancelled.
     */
    uploadFile(chatId, file, onProgress) {
      let settle;
      const done = new Promise((resolve, reject) => {
        settle = { resolve, reject };
      });
      const upload = {
        chatId, file, aborted: false, done,
        progress: loaded => onProgress(loaded, file.size),
        finish: (fields = {}) => settle.resolve(uploadedFile(file, fields)),
        refuse: (status, problem) => settle.reject(Object.assign(new Error(problem.detail || problem.code),
          { status, code: problem.code, problem })),
      };
      api.uploads.push(upload);
      return {
        done,
        abort() {
          upload.aborted = true;
          settle.reject(Object.assign(new Error('Cancelled'), { status: 0, code: 'aborted', problem: {} }));
        },
      };
    },
    updateUser(user) {
      if (session?.user.id === user.id) {
        api.signIn({ ...session, user });
      }
    },
  };
  const rest = (name, answer) => {
    api.rest[name] = async (...args) => {
      api.calls.push([name, ...args]);
      return answer(...args);
    };
  };
  rest('workspaces', () => ({ workspaces: api.data.workspaces }));
  rest('members', workspaceId => ({ members: api.data.members[workspaceId] || [] }));
  rest('chats', () => ({ chats: api.data.chats }));
  rest('chatMembers', chatId => ({ members: api.data.chatMembers[chatId] || [] }));
  rest('joinChat', chatId => ({ chat: api.data.chats.find(chat => chat.id === chatId) }));
  rest('leaveChat', () => null);
  rest('fileLimits', () => api.data.fileLimits);
  rest('chatFiles', (chatId, before) => api.data.chatFiles(chatId, before));
  rest('setAvatar', file => ({ ...session.user, avatarUrl: `/api/v1/avatars/${file.name}` }));
  rest('removeAvatar', () => ({ ...session.user, avatarUrl: null }));
  rest('me', () => ({ user: session.user }));
  rest('updateMe', change => ({ user: { ...session.user, ...change } }));
  rest('join', code => {
    const workspace = api.data.invites?.[code];
    if (!workspace) {
      throw Object.assign(new Error('No such invite'), { status: 404, code: 'not_found', problem: {} });
    }
    if (!api.data.workspaces.some(ws => ws.id === workspace.id)) {
      api.data.workspaces = [...api.data.workspaces, workspace];
    }
    return { workspace };
  });
  rest('notificationSettings', () => ({ settings: api.data.notificationSettings,
    chats: Object.entries(api.data.chatNotificationSettings ?? {})
      .map(([chatId, settings]) => ({ chatId, level: 'mentions', muted: false, ...settings })) }));
  rest('pendingUrgent', () => ({ urgent: api.data.urgent, sent: api.data.sentUrgent ?? [] }));
  rest('saveNotificationSettings', change => {
    api.data.notificationSettings = { ...api.data.notificationSettings, ...change };
    return { settings: api.data.notificationSettings };
  });
  rest('chatNotificationSettings', chatId => ({ chatId, level: 'mentions', muted: false,
    ...api.data.chatNotificationSettings?.[chatId] }));
  rest('saveChatNotificationSettings', (chatId, change) => ({ chatId, level: 'mentions', muted: false,
    ...api.data.chatNotificationSettings?.[chatId], ...change }));
  return api;
}

let fileIds = 0;

/** The server's `file` for an upload (ids counted: file-1, file-2, ...). */
export function uploadedFile(file, fields = {}) {
  fileIds += 1;
  const id = `file-${fileIds}`;
  const image = /^image\//.test(file.type);
  return {
    id, name: file.name, type: file.type || 'application/octet-stream', size: file.size,
    width: image ? 800 : null, height: image ? 600 : null, url: `/api/v1/files/${id}`,
    thumbnailUrl: image ? `/api/v1/files/${id}/thumbnail` : null, ...fields,
  };
}

/** A file as the page's file input gives it (only what the client reads of one). */
export const localFile = (name, size, type = 'image/png') => ({ name, size, type });

/** The limits the server answers by default (GET /api/v1/files/limits). */
export const FILE_LIMITS = {
  maxBytes: 25 * 1024 * 1024, avatarMaxBytes: 2 * 1024 * 1024, allowedTypes: ['image/png'],
  quotaBytes: 1024 * 1024 * 1024, usedBytes: 0, uploadsPerMinute: 10,
};

export const ME = { id: 'u-me', username: 'me', displayName: 'Me Myself' };
export const ALICE = { id: 'u-alice', username: 'alice', displayName: 'Alice' };
export const BOB = { id: 'u-bob', username: 'bob', displayName: 'Bob' };

/** A channel as the chat list gives it. */
export function channel(id, name, fields = {}) {
  return {
    id, workspaceId: 'ws-1', kind: 'channel', name, topic: null, private: false, archived: false, memberCount: 3,
    lastSeq: 0, readSeq: 0, unreadCount: 0, mentionCount: 0, ...fields,
  };
}

/** A message as the server sends it. */
export function message(chatId, seq, fields = {}) {
  return {
    id: `m-${chatId}-${seq}`, chatId, seq, clientId: `c-${chatId}-${seq}`, senderId: ALICE.id,
    content: `message ${seq}`, createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, seq)).toISOString(), editedAt: null,
    deleted: false, replyTo: null, replyCount: 0, mentions: { users: [], channel: false, here: false }, reactions: [],
    ...fields,
  };
}

/**
 * A `chat.sync` answer for one chat: `events` (as heard live, with their message) after the asked seq, up to
 * `lastSeq`, in the sync's shape (each message once, in `messages`, as the last event about it has it); `hasMore` says
 * the chat goes on after the last of them.
 */
export function synced(chatId, lastSeq, events, { hasMore = false } = {}) {
  const messages = {};
  const replayed = events.map(({ message, reactions, ...event }) => {
    messages[message.id] = message;
    return { ...event, messageId: message.id };
  });
  const syncedSeq = hasMore ? events.at(-1).seq : lastSeq;
  return { chats: { [chatId]: { lastSeq, tooLarge: false, events: replayed, messages, hasMore, syncedSeq } } };
}

/** A message search result, as `search.query` gives it: `text` with `<mark>` around the matched word. */
export function searchResult(chat, msg, snippet = msg.content, fields = {}) {
  return {
    type: 'message', messageId: msg.id, chatId: chat.id,
    chat: { id: chat.id, kind: chat.kind, name: chat.name, private: chat.private, joined: true }, seq: msg.seq,
    rootId: msg.replyTo || null, senderId: msg.senderId, sender: ALICE, createdAt: msg.createdAt, editedAt: null,
    snippet, ...fields,
  };
}

/** A `message.new` event, numbered by the message's seq. */
export const newMessage = msg => ({ type: 'message.new', chatId: msg.chatId, seq: msg.seq, message: msg });

/**
 * A `chat.history` answer from a chat's messages, as the server gives it: its top-level messages (or the replies of
 * thread `rootId`), newest first (oldest first after `afterSeq`), at most `limit`; around `aroundSeq`, the message
 * with up to half the limit (rounded up, with it) older and the rest newer, and `hasNewer`.
 */
export function historyPage(chatMessages, { chatId, beforeSeq, afterSeq, aroundSeq, rootId, limit = 50 }) {
  const stored = chatMessages.filter(msg => (rootId ? msg.replyTo === rootId : !msg.replyTo));
  const newestFirst = list => [...list].sort((a, b) => b.seq - a.seq);
  const oldestFirst = list => [...list].sort((a, b) => a.seq - b.seq);
  if (aroundSeq !== undefined) {
    const newerWanted = Math.floor(limit / 2);
    const olderWanted = limit - newerWanted;
    const older = newestFirst(stored.filter(msg => msg.seq <= aroundSeq));
    const newer = oldestFirst(stored.filter(msg => msg.seq > aroundSeq));
    return {
      chatId,
      messages: [...newer.slice(0, newerWanted).reverse(), ...older.slice(0, olderWanted)],
      hasMore: older.length > olderWanted,
      hasNewer: newer.length > newerWanted,
    };
  }
  const all = afterSeq !== undefined ? oldestFirst(stored.filter(msg => msg.seq > afterSeq))
    : newestFirst(stored.filter(msg => !beforeSeq || msg.seq < beforeSeq));
  return { chatId, messages: all.slice(0, limit), hasMore: all.length > limit };
}

/**
 * A signed-in client against fakes, with the given chats (in workspace ws-1, with Alice and Bob), started and
 * connected; `history` answers chat.history per chat (newest first, as the server does). Signed out (its timers
 * stopped) after the test `t`.
 */
export async function connectedClient(t, { chats = [channel('c-general', 'general')], history = {}, connect = true,
  storage = memoryStorage(), outboxStore = memoryOutbox(), page = fakePage(), clock = globalThis,
  chatNotificationSettings = {} } = {}) {
  const bus = new FakeBus();
  const api = fakeApi({
    session: { user: ME, accessToken: 'token' },
    workspaces: [{ id: 'ws-1', name: 'Acme', role: 'member', generalChatId: 'c-general' }],
    members: { 'ws-1': [ME, ALICE, BOB].map(user => ({ userId: user.id, user })) },
    chats,
    chatNotificationSettings,
    fileLimits: FILE_LIMITS,
    chatFiles: () => ({ files: [], nextCursor: null }),
    chatMembers: Object.fromEntries(chats.map(chat => [chat.id,
      [ME, ALICE, BOB].map(user => ({ userId: user.id, readSeq: 0, user }))])),
  });
  bus.answer('chat.history', body => historyPage(history[body.chatId] || [], body));
  bus.answer('chat.sync', () => ({ chats: {} }));
  bus.answer('presence.subscribe', body => ({ users: body.userIds.map(userId => ({ userId, status: 'available' })) }));
  bus.answer('chat.read', body => ({ chatId: body.chatId, seq: body.seq, unreadCount: 0, mentionCount: 0 }));
  bus.answer('chat.saved', () => ({ items: [], hasMore: false }));
  const favicons = [];
  let ids = 0;
  const client = createClient({
    api, bus, outboxStore, storage, document: page, window: fakePage(),
    drawFavicon: (count, urgent) => favicons.push({ count, urgent }),
    newId: () => `client-${(ids += 1)}`,
    clock,
    timeZone: () => 'Europe/Paris',
  });
  t.after(() => client.logout());
  await client.start();
  if (connect) {
    bus.open();
  }
  await settle();
  return { client, bus, api, page, storage, outboxStore, favicons, clock };
}
