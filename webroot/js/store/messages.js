// The messages slice: what the client knows of each chat's messages (a "view" per chat: top-level messages by seq,
// threads, the members' read watermarks for read receipts, how much history is loaded), and keeping it gap-free:
// numbered events are applied in seq order, a gap asks `chat.sync` for what is missing, and after a reconnect every
// chat is synced from the last seq it saw.
//
// A view's messages are a window of consecutive top-level messages: from the newest back (as a chat opens), or, after
// a jump to a message (a search result), a page around it that need not reach the newest (`hasNewer`). The window
// grows by pages at either end (`loadOlder`, `loadNewer`). New messages join it only while it reaches the newest;
// until then they wait aside (`later`) and join it when it does, so that nothing is spliced into the middle of what
// the reader is looking at. `jumpToPresent` replaces the window by the newest page.
//
// A view is replaced whenever it changes; a message object is replaced only when that message changes, so a
// component showing one message can tell by identity whether it must render again.

import { EVENT, LIMITS, REQUEST, SCOPE } from '../protocol.js';
import { createTable } from './slice.js';

/** How long a gap may wait for the events of one burst that arrive a little out of order, before `chat.sync`. */
const GAP_WAIT_MS = 300;
/** New messages kept aside while the window does not reach the newest; beyond these, the oldest are dropped. */
export const LATER_KEPT = 500;

function emptyView(chatId) {
  return {
    chatId,
    messages: [], // top-level messages, by seq, with none missing between the first and the last
    threads: new Map(), // rootId -> {replies (by seq), loaded}
    members: new Map(), // userId -> read watermark (read receipts)
    loaded: false,
    loading: false, // an older page is on its way
    hasMore: true, // older messages than the first exist
    hasNewer: false, // newer messages than the last exist: the window does not reach the newest
    loadingNewer: false,
    jumping: false, // the window is being replaced (a jump to a message, or to the present)
    focus: null, // {seq, messageId, rootId}: the message to bring into view (a new object per request)
    epoch: 0, // goes up whenever the window is replaced
  };
}

const bySeq = (a, b) => a.seq - b.seq;

/** `messages` with `message` placed by its seq. */
export function insertBySeq(messages, message) {
  if (messages.length === 0 || messages[messages.length - 1].seq < message.seq) {
    return [...messages, message]; // the usual case: a new message, the newest
  }
  const index = messages.findIndex(other => other.seq > message.seq);
  return index < 0 ? [...messages, message] : [...messages.slice(0, index), message, ...messages.slice(index)];
}

const replaced = (list, old, next) => list.map(item => (item === old ? next : item));

/**
 * @param deps.bus the bridge client
 * @param deps.router where this slice claims its events
 * @param deps.api REST (`rest.chatMembers`)
 * @param deps.session who the user is
 * @param deps.people profiles learnt from member lists
 * @param deps.chats counts (every new message is counted there) and the open chat
 * @param deps.connection to wait for the bridge before loading history
 * @param deps.notices where failures are shown
 */
export function createMessages({ bus, router, api, session, people, chats, connection, notices }) {
  const views = createTable('messages'); // chatId -> view
  // Per chat, what is not shown: the last seq applied without a gap, the seqs seen beyond a gap, the window's messages
  // by id, new messages kept aside while the window does not reach the newest (and how many of those were dropped),
  // and the window's epoch (a page asked for an older window is not placed in a newer one).
  const books = new Map(); // chatId -> {syncedSeq, ahead: Set, byId: Map, later: Map, laterDropped, epoch}
  const newListeners = new Set();
  const upsertListeners = new Set();
  const sequencedListeners = new Set(); // (chatId, event, message): every numbered event, live or replayed
  const memberEventListeners = new Set(); // (event, chatId): member.joined / member.left heard live
  const membersLoadedListeners = new Set(); // (chatId, count): a chat's member list was read

  function open(chatId, syncedSeq) {
    const epoch = (views.get(chatId)?.epoch || 0) + 1; // a chat opened again starts a new window
    views.put(chatId, { ...emptyView(chatId), epoch });
    books.set(chatId, { syncedSeq, ahead: new Set(), byId: new Map(), later: new Map(), laterDropped: 0, epoch });
  }

  chats.onAdded((chat, { isNew, live, ready }) => {
    if (!books.has(chat.id)) {
      open(chat.id, chat.lastSeq || 0);
    }
    if (isNew && live) {
      // What was sent before the registration took effect is not heard live: fetch it (and count it).
      ready.then(() => {
        const book = books.get(chat.id);
        if (book) {
          syncChats({ [chat.id]: book.syncedSeq || 0 });
        }
      }).catch(() => {});
    }
  });
  chats.onRemoved(chatId => {
    views.remove(chatId);
    books.delete(chatId);
  });

  // Applying messages

  /** Adds or updates a message (or a thread reply); `eventSeq` 0 for answers and history (not a numbered event). */
  function upsert(chatId, message, eventSeq) {
    const book = books.get(chatId);
    if (!book || !message) {
      return;
    }
    if (message.replyTo) {
      upsertReply(chatId, book, message, eventSeq);
    } else {
      const known = book.byId.get(message.id);
      if (known && eventSeq && eventSeq <= (known.version || 0)) {
        return; // an older event than the state already shown
      }
      const view = views.get(chatId);
      const first = view.messages[0];
      const last = view.messages[view.messages.length - 1];
      if (!known && view.hasNewer && (!last || message.seq > last.seq)) {
        keepLater(book, message, eventSeq);
      } else if (!known && view.loaded && view.hasMore && first && message.seq < first.seq) {
        // Older than the window (an edit of a message not loaded): history brings it as it is when it is read.
      } else {
        const next = { ...known, ...message, version: eventSeq || known?.version || 0 };
        book.byId.set(message.id, next);
        views.update(chatId, current => ({
          ...current, messages: known ? replaced(current.messages, known, next) : insertBySeq(current.messages, next),
        }));
      }
    }
    upsertListeners.forEach(listener => listener(chatId, message));
  }

  /** A message newer than a window that does not reach the newest: kept until the window does. */
  function keepLater(book, message, eventSeq) {
    const known = book.later.get(message.id);
    if (known && eventSeq && eventSeq <= (known.version || 0)) {
      return;
    }
    book.later.set(message.id, { ...known, ...message, version: eventSeq || known?.version || 0 });
    if (book.later.size > LATER_KEPT) {
      book.later.delete(book.later.keys().next().value); // the first kept: they come in seq order, bar a few
      book.laterDropped += 1;
    }
  }

  function upsertReply(chatId, book, message, eventSeq) {
    views.update(chatId, view => {
      const thread = view.threads.get(message.replyTo) || { replies: [], loaded: false };
      const known = thread.replies.find(reply => reply.id === message.id);
      if (known) {
        if (eventSeq && eventSeq <= (known.version || 0)) {
          return view;
        }
        const next = { ...known, ...message, version: eventSeq || known.version || 0 };
        return withThread(view, message.replyTo, { ...thread, replies: replaced(thread.replies, known, next) });
      }
      const replies = [...thread.replies, { ...message, version: eventSeq || 0 }].sort((a, b) => a.seq - b.seq);
      let next = withThread(view, message.replyTo, { ...thread, replies });
      const root = book.byId.get(message.replyTo);
      // Roots are not re-sent when a reply arrives: count it here (history brings the stored count).
      if (root && eventSeq && eventSeq > (root.version || 0) && !message.deleted) {
        const counted = { ...root, replyCount: (root.replyCount || 0) + 1, lastReplyAt: message.createdAt };
        book.byId.set(root.id, counted);
        next = { ...next, messages: replaced(next.messages, root, counted) };
      } else if (!root && book.later.has(message.replyTo) && eventSeq && !message.deleted) {
        const kept = book.later.get(message.replyTo);
        book.later.set(kept.id, { ...kept, replyCount: (kept.replyCount || 0) + 1, lastReplyAt: message.createdAt });
      }
      return next;
    });
  }

  const withThread = (view, rootId, thread) => ({ ...view, threads: new Map(view.threads).set(rootId, thread) });

  /** Applies a numbered event; a gap in the numbers asks chat.sync for what is missing. */
  function applySequenced(chatId, event) {
    const book = books.get(chatId);
    const isNew = event.type === EVENT.MESSAGE_NEW && !book.byId.has(event.message.id);
    if (views.get(chatId).loaded || event.message.replyTo) {
      upsert(chatId, event.message, event.seq);
    }
    sequencedListeners.forEach(listener => listener(chatId, event, event.message));
    if (event.seq <= book.syncedSeq) {
      return;
    }
    if (event.seq === book.syncedSeq + 1) {
      book.syncedSeq = event.seq;
      while (book.ahead.delete(book.syncedSeq + 1)) {
        book.syncedSeq += 1;
      }
    } else {
      book.ahead.add(event.seq);
      requestSync(chatId);
    }
    if (isNew) {
      newListeners.forEach(listener => listener(chatId, event.message));
    }
  }

  // Events this slice owns

  const owned = handle => (event, chatId) => {
    if (books.has(chatId)) {
      handle(event, chatId);
    }
  };
  router.own(SCOPE.CHAT, EVENT.MESSAGE_NEW, 'messages', owned((event, chatId) => {
    chats.countMessage(chatId, event.message);
    applySequenced(chatId, event);
  }));
  [EVENT.MESSAGE_UPDATED, EVENT.MESSAGE_DELETED, EVENT.MESSAGE_REACTION, EVENT.MESSAGE_PINNED,
    EVENT.MESSAGE_UNPINNED].forEach(type =>
    router.own(SCOPE.CHAT, type, 'messages', owned((event, chatId) => applySequenced(chatId, event))));
  router.own(SCOPE.CHAT, EVENT.READ_RECEIPT, 'messages', owned((event, chatId) => {
    setReader(chatId, event.userId, event.seq);
    if (event.userId === session.me()) {
      chats.raiseReadSeq(chatId, event.seq); // read on another device
    }
  }));
  [EVENT.MEMBER_JOINED, EVENT.MEMBER_LEFT].forEach(type =>
    router.own(SCOPE.CHAT, type, 'messages', owned((event, chatId) => {
      loadMembers(chatId);
      if (!people.users.has(event.userId)) {
        const workspaceId = session.slice.state.workspaceId;
        if (workspaceId) {
          people.loadWorkspaceMembers(workspaceId).catch(() => {});
        }
      }
      memberEventListeners.forEach(listener => listener(event, chatId));
      if (event.type === EVENT.MEMBER_LEFT && event.userId === session.me()) {
        chats.remove(chatId);
      }
    })));
  router.own(SCOPE.CHAT, EVENT.SYNC_REQUIRED, 'messages', owned((event, chatId) => {
    syncChats({ [chatId]: books.get(chatId).syncedSeq });
  }));

  // Read receipts

  /** A member's read watermark, which only moves forward. */
  function setReader(chatId, userId, seq) {
    views.update(chatId, view => ((view.members.get(userId) || 0) < seq
      ? { ...view, members: new Map(view.members).set(userId, seq) } : view));
  }

  /** The chat's members and their read watermarks (for read receipts and @mention completion). */
  async function loadMembers(chatId) {
    try {
      const { members } = await api.rest.chatMembers(chatId);
      people.learn(members.map(member => member.user));
      const readers = new Map(members.map(member => [member.userId, member.readSeq]));
      views.update(chatId, view => ({ ...view, members: readers }));
      membersLoadedListeners.forEach(listener => listener(chatId, members.length));
    } catch (error) {
      console.warn('members', error);
    }
  }

  // History: the window of loaded messages

  /** `messages` with a history page placed in it: known messages as history has them now, the others added. */
  function withPage(book, messages, page) {
    const renewed = new Map();
    const added = [];
    page.forEach(message => {
      const known = book.byId.get(message.id);
      const next = { ...known, ...message, version: known?.version || 0 };
      book.byId.set(message.id, next);
      if (known) {
        renewed.set(known, next);
      } else {
        added.push(next);
      }
    });
    const kept = renewed.size > 0 ? messages.map(message => renewed.get(message) || message) : messages;
    return added.length > 0 ? [...kept, ...added].sort(bySeq) : kept;
  }

  /**
   * The window, now that it reaches the newest: with the messages kept aside that came after its last one. Null when
   * some were dropped (too many) since `droppedBefore`, the count when the page was asked for: newer pages bring them.
   */
  function withLater(book, messages, droppedBefore) {
    if (book.laterDropped !== droppedBefore) {
      return null;
    }
    const last = messages.length > 0 ? messages[messages.length - 1].seq : 0;
    const after = [...book.later.values()].filter(message => message.seq > last && !book.byId.has(message.id))
      .sort(bySeq);
    book.later.clear();
    after.forEach(message => book.byId.set(message.id, message));
    return after.length > 0 ? [...messages, ...after] : messages;
  }

  /** Waits until history can be read: after the chat's events are heard, so that nothing falls between. */
  async function readable(chatId) {
    await connection.whenOpen();
    await chats.registered(chatId);
    return books.get(chatId);
  }

  /** Whether a page asked for the window of `epoch` still belongs: the chat is there and its window not replaced. */
  const current = (chatId, book, epoch) => books.get(chatId) === book && book.epoch === epoch;

  /** The next page back through history (the newest page when nothing is loaded). */
  async function loadOlder(chatId) {
    const view = views.get(chatId);
    if (!view || view.loading || view.jumping || (view.loaded && !view.hasMore)) {
      return;
    }
    const book = await readable(chatId);
    if (!book || views.get(chatId).jumping) {
      return;
    }
    const { epoch, laterDropped } = book;
    views.update(chatId, loading => ({ ...loading, loading: true }));
    try {
      const asked = views.get(chatId);
      const body = { chatId, limit: LIMITS.HISTORY_PAGE };
      if (asked.loaded && asked.messages[0]) {
        body.beforeSeq = asked.messages[0].seq;
      }
      const page = await bus.request(REQUEST.HISTORY, body);
      if (!current(chatId, book, epoch)) {
        return;
      }
      views.update(chatId, loaded => {
        let messages = withPage(book, loaded.messages, page.messages);
        let { hasNewer } = loaded;
        if (!loaded.loaded) {
          // The first page is the newest one; new messages kept meanwhile join it.
          messages = withLater(book, messages, laterDropped) || messages;
          hasNewer = false;
        }
        return { ...loaded, messages, hasMore: page.hasMore, hasNewer, loaded: true };
      });
      page.messages.forEach(message => upsertListeners.forEach(listener => listener(chatId, message)));
    } catch (error) {
      notices.fail(error);
    } finally {
      if (current(chatId, book, epoch)) {
        views.update(chatId, done => ({ ...done, loading: false }));
      }
    }
  }

  /** The next page forward, towards the newest, of a window that does not reach it. */
  async function loadNewer(chatId) {
    const view = views.get(chatId);
    if (!view || !view.hasNewer || view.loadingNewer || view.jumping || view.messages.length === 0) {
      return;
    }
    const book = await readable(chatId);
    if (!book || views.get(chatId).jumping) {
      return;
    }
    const { epoch, laterDropped } = book;
    views.update(chatId, loading => ({ ...loading, loadingNewer: true }));
    try {
      const asked = views.get(chatId);
      const afterSeq = asked.messages[asked.messages.length - 1].seq;
      const page = await bus.request(REQUEST.HISTORY, { chatId, afterSeq, limit: LIMITS.HISTORY_PAGE });
      if (!current(chatId, book, epoch)) {
        return;
      }
      views.update(chatId, loaded => {
        let messages = withPage(book, loaded.messages, page.messages);
        let hasNewer = page.hasMore; // an afterSeq page's hasMore: newer ones exist
        if (!hasNewer) {
          const joined = withLater(book, messages, laterDropped);
          hasNewer = joined === null;
          messages = joined || messages;
        }
        return { ...loaded, messages, hasNewer };
      });
      page.messages.forEach(message => upsertListeners.forEach(listener => listener(chatId, message)));
    } catch (error) {
      notices.fail(error);
    } finally {
      if (current(chatId, book, epoch)) {
        views.update(chatId, done => ({ ...done, loadingNewer: false }));
      }
    }
  }

  /**
   * Replaces the window by the page `body` asks for (around a message, or the newest), marked with `focus`; a page
   * asked for the window before is then dropped when it comes.
   */
  async function replaceWindow(chatId, body, focus) {
    const book = await readable(chatId);
    if (!book) {
      return;
    }
    book.epoch += 1;
    const { epoch, laterDropped } = book;
    views.update(chatId, view => ({ ...view, jumping: true }));
    try {
      const page = await bus.request(REQUEST.HISTORY, { chatId, limit: LIMITS.HISTORY_PAGE, ...body });
      if (!current(chatId, book, epoch)) {
        return;
      }
      book.byId = new Map();
      let messages = withPage(book, [], page.messages);
      let hasNewer = body.aroundSeq !== undefined && !!page.hasNewer;
      if (!hasNewer) {
        const joined = withLater(book, messages, laterDropped);
        hasNewer = joined === null;
        messages = joined || messages;
      }
      views.update(chatId, view => ({
        ...view, messages, hasMore: page.hasMore, hasNewer, loaded: true, loading: false, loadingNewer: false,
        jumping: false, focus, epoch,
      }));
      page.messages.forEach(message => upsertListeners.forEach(listener => listener(chatId, message)));
    } catch (error) {
      notices.fail(error);
      if (current(chatId, book, epoch)) {
        // Pages asked for before are dropped when they come: nothing is loading any more.
        views.update(chatId, view => ({ ...view, jumping: false, loading: false, loadingNewer: false }));
      }
    }
  }

  /**
   * Brings a message into view (`target`: {seq, messageId, rootId}, a search result): at once when the window holds
   * its seq, else with the page around it read in place of the window.
   */
  function showMessage(chatId, target) {
    const view = views.get(chatId);
    if (!view) {
      return Promise.resolve();
    }
    const focus = { seq: target.seq, messageId: target.messageId || null, rootId: target.rootId || null };
    const first = view.messages[0];
    const last = view.messages[view.messages.length - 1];
    if (view.loaded && !view.jumping && first && first.seq <= focus.seq && focus.seq <= last.seq) {
      views.update(chatId, shown => ({ ...shown, focus }));
      return Promise.resolve();
    }
    return replaceWindow(chatId, { aroundSeq: focus.seq }, focus);
  }

  /** Back to the newest messages: the newest page in place of a window that does not reach them. */
  function jumpToPresent(chatId) {
    const view = views.get(chatId);
    if (!view || !view.hasNewer) {
      return Promise.resolve();
    }
    return replaceWindow(chatId, {}, null);
  }

  /** Forgets the message to bring into view (the chat was opened as usual). */
  function clearFocus(chatId) {
    views.update(chatId, view => (view.focus ? { ...view, focus: null } : view));
  }

  /** A thread's replies. */
  async function loadThread(chatId, rootId) {
    try {
      const page = await bus.request(REQUEST.HISTORY, { chatId, rootId, limit: LIMITS.THREAD_PAGE });
      views.update(chatId, view => {
        const thread = view.threads.get(rootId) || { replies: [], loaded: false };
        const known = new Set(thread.replies.map(reply => reply.id));
        const replies = [...thread.replies, ...page.messages.filter(reply => !known.has(reply.id))
          .map(reply => ({ ...reply, version: 0 }))].sort((a, b) => a.seq - b.seq);
        return withThread(view, rootId, { replies, loaded: true });
      });
    } catch (error) {
      notices.fail(error);
    }
  }

  // Gaps and reconnects

  const syncWanted = new Set();
  let syncTimer = 0;
  function requestSync(chatId) {
    syncWanted.add(chatId);
    clearTimeout(syncTimer);
    syncTimer = setTimeout(() => {
      const since = {};
      syncWanted.forEach(id => {
        const book = books.get(id);
        if (book && book.ahead.size > 0) {
          since[id] = book.syncedSeq;
        }
      });
      syncWanted.clear();
      syncChats(since);
    }, GAP_WAIT_MS);
  }

  /**
   * Fetches and applies every event after the given seqs: `since` is {chatId: seq}. A reply is bounded in size: the
   * chats it did not finish say `hasMore`, and are asked for again from their `syncedSeq` until none is left.
   */
  async function syncChats(since) {
    let wanted = since;
    let refreshCounts = false;
    while (Object.keys(wanted).length > 0 && connection.isOpen()) {
      let answer;
      try {
        answer = await bus.request(REQUEST.SYNC, { chats: wanted });
      } catch (error) {
        console.warn('chat.sync failed', error);
        break;
      }
      const more = {};
      let progressed = false;
      Object.entries(answer.chats).forEach(([chatId, result]) => {
        const book = books.get(chatId);
        if (!book || result.error) {
          return;
        }
        if (result.tooLarge) {
          refreshCounts = true; // the events are not given: the chat list has the counts
          // Too much happened: reload the chat from history.
          const members = views.get(chatId).members;
          open(chatId, result.lastSeq);
          views.update(chatId, view => ({ ...view, members }));
          if (chatId === chats.activeChatId()) {
            loadOlder(chatId);
          }
          return;
        }
        applySynced(chatId, book, result);
        progressed = progressed || result.syncedSeq > wanted[chatId];
        if (result.hasMore) {
          more[chatId] = result.syncedSeq;
        }
      });
      // Every reply brings at least one event: one that brings none would only be asked again.
      wanted = progressed ? more : {};
    }
    if (refreshCounts) {
      chats.load().catch(error => console.warn('chat list', error));
    }
  }

  /** One chat's entry of a sync reply: its events in order, each with its message (once in `messages`, as it is now). */
  function applySynced(chatId, book, result) {
    result.events.forEach(event => {
      const message = result.messages[event.messageId];
      if (event.type === EVENT.MESSAGE_NEW) {
        chats.countMessage(chatId, message);
      }
      if (views.get(chatId).loaded || message?.replyTo) {
        upsert(chatId, message, event.seq);
      }
      sequencedListeners.forEach(listener => listener(chatId, event, message));
    });
    book.syncedSeq = Math.max(book.syncedSeq, result.syncedSeq);
    book.ahead.forEach(seq => {
      if (seq <= book.syncedSeq) {
        book.ahead.delete(seq);
      }
    });
  }

  /** After a reconnect: every chat from the last seq it saw, in requests of at most LIMITS.SYNC_CHATS chats. */
  async function resync() {
    const ids = [...books.keys()].filter(id => chats.table.has(id));
    for (let i = 0; i < ids.length; i += LIMITS.SYNC_CHATS) {
      await syncChats(Object.fromEntries(ids.slice(i, i + LIMITS.SYNC_CHATS).map(id => [id, books.get(id).syncedSeq])));
    }
  }

  // Changing messages

  async function edit(messageId, content) {
    const message = await bus.request(REQUEST.MESSAGE_EDIT, { messageId, content });
    upsert(message.chatId, message, 0);
  }

  async function remove(messageId) {
    const message = await bus.request(REQUEST.MESSAGE_DELETE, { messageId });
    upsert(message.chatId, message, 0);
  }

  /** Adds the user's reaction, or takes it back when it is there. */
  async function react(message, emoji) {
    const me = session.me();
    const mine = (message.reactions || []).some(r => r.emoji === emoji && r.userIds.includes(me));
    try {
      const answer = await bus.request(REQUEST.MESSAGE_REACT, {
        messageId: message.id, emoji, action: mine ? 'remove' : 'add',
      });
      const { id, chatId, seq, replyTo } = message;
      upsert(chatId, { id, chatId, seq, replyTo, reactions: answer.reactions }, 0);
    } catch (error) {
      notices.fail(error);
    }
  }

  function clear() {
    [...views.keys()].forEach(chatId => views.remove(chatId));
    books.clear();
    syncWanted.clear();
    clearTimeout(syncTimer);
  }

  return {
    views,
    upsert,
    loadOlder,
    loadNewer,
    showMessage,
    jumpToPresent,
    clearFocus,
    loadThread,
    loadMembers,
    /** `listener(event, chatId)` for every member.joined and member.left of a chat the user is in. */
    onMemberEvent: listener => {
      memberEventListeners.add(listener);
      return () => memberEventListeners.delete(listener);
    },
    /** `listener(chatId, count)` whenever a chat's member list was read. */
    onMembersLoaded: listener => {
      membersLoadedListeners.add(listener);
      return () => membersLoadedListeners.delete(listener);
    },
    syncChats,
    resync,
    edit,
    remove,
    react,
    clear,
    setReader,
    /** The last seq applied without a gap: what the user has in front of them. */
    syncedSeq: chatId => books.get(chatId)?.syncedSeq || 0,
    /** `listener(chatId, message)` for every new message heard live (not the ones a sync replays). */
    onNewMessage: listener => {
      newListeners.add(listener);
      return () => newListeners.delete(listener);
    },
    /** `listener(chatId, event, message)` for every numbered event, heard live or replayed by a sync. */
    onSequenced: listener => {
      sequencedListeners.add(listener);
      return () => sequencedListeners.delete(listener);
    },
    /** `listener(chatId, message)` whenever a message is stored (an acknowledgement, an event, history). */
    onUpsert: listener => {
      upsertListeners.add(listener);
      return () => upsertListeners.delete(listener);
    },
  };
}
