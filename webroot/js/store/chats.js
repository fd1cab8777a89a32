// The chats slice: every chat the user is in (with their unread and mention counts and read watermark), which one is
// open, and the thread shown beside it. Owns the events that change a chat itself, and the registration on each
// chat's address (whose events the router hands to their owners).
//
// Unread counting: the server sends no badge for new messages; the client counts them from message.new (live or
// replayed by chat.sync) by the server's rule: after the user's watermark, not their own, not deleted; a mention
// names them or the whole chat. Every message is counted once, by seq: `floor` is the seq up to which the counts
// already include everything (the chat list's lastSeq), `seen` what was counted above it and how.

import { EVENT, SCOPE, chatAddress } from '../protocol.js';
import { createSlice, createTable, shallowEqual } from './slice.js';

const TALLY_KEPT = 500;
const CHAT_KEY = workspaceId => `ocomms.chat.${workspaceId}`;
/** The fields the sidebar lists and sorts by: a change of these changes the list, not just a row. */
const LISTED = ['workspaceId', 'kind', 'name', 'archived', 'private', 'memberIds'];

/** Whether a message mentions the user by name or the whole chat. */
export function mentionsMe(message, me) {
  const mentions = message.mentions || {};
  return !!(mentions.channel || mentions.here || (mentions.users || []).includes(me));
}

/**
 * How a new message counts: 'own', 'read' (at or before the watermark, deleted, or a system message: a join, a
 * rename... never counts, whoever caused it), 'mention' or 'unread'.
 */
export function classify(message, chat, me) {
  if (message.kind === 'system') {
    return 'read';
  }
  if (message.senderId === me) {
    return 'own';
  }
  if (message.seq > (chat.readSeq || 0) && !message.deleted) {
    return mentionsMe(message, me) ? 'mention' : 'unread';
  }
  return 'read';
}

/**
 * @param deps.api REST (`rest.chats`)
 * @param deps.bus the bridge client: one registration per chat
 * @param deps.router where each chat's events go
 * @param deps.session who the user is (their own messages count differently)
 * @param deps.people names, for DM titles
 * @param deps.notices where failures are shown
 * @param deps.storage the last open chat of each workspace is remembered
 */
export function createChats({ api, bus, router, session, people, notices, storage }) {
  // Unread and mention totals, overall and per workspace, kept as rows change: the title and the workspace rail read
  // them without visiting every chat.
  const sums = { unread: 0, mentions: 0, unreadByWorkspace: new Map() };
  const table = createTable('chats', { // chatId -> chat + {unreadCount, mentionCount, readSeq}
    onRowChange: (chatId, before, after) => {
      [[before, -1], [after, 1]].forEach(([row, sign]) => {
        if (row && (row.unreadCount || row.mentionCount)) {
          sums.unread += sign * (row.unreadCount || 0);
          sums.mentions += sign * (row.mentionCount || 0);
          const workspaceSum = (sums.unreadByWorkspace.get(row.workspaceId) || 0) + sign * (row.unreadCount || 0);
          if (workspaceSum) {
            sums.unreadByWorkspace.set(row.workspaceId, workspaceSum);
          } else {
            sums.unreadByWorkspace.delete(row.workspaceId);
          }
        }
      });
    },
  });
  const selection = createSlice('chats.selection', { activeChatId: null, threadRootId: null });
  const tallies = new Map(); // chatId -> {floor, seen: Map seq -> 'own' | 'mention' | 'unread' | 'read'}
  const registrations = new Map(); // chatId -> unsubscriber of chat.<id>
  const addedListeners = new Set();
  const removedListeners = new Set();
  let listVersion = 0;

  // Rows

  /** Adds or refreshes a chat. `live`: announced by chat.added (the registration may miss what came just before). */
  function add(chat, { live = false } = {}) {
    const known = table.get(chat.id);
    // The watermark never moves back; a chat one just joined or opened is read up to its last seq.
    const readSeq = Math.max(known?.readSeq || 0, chat.readSeq ?? chat.lastSeq ?? 0);
    const merged = { ...known, ...chat, readSeq };
    const row = known && shallowEqual(known, merged) ? known : merged;
    if (!known || LISTED.some(field => !Object.is(known[field], row[field]))) {
      listVersion += 1;
    }
    table.put(chat.id, row);
    if (!tallies.has(chat.id)) {
      tallies.set(chat.id, { floor: chat.lastSeq || 0, seen: new Map() });
    }
    const isNew = !registrations.has(chat.id);
    if (isNew) {
      const hear = event => router.route(SCOPE.CHAT, event, chat.id);
      registrations.set(chat.id, bus.subscribe(chatAddress(chat.id), hear));
    }
    const ready = registrations.get(chat.id).ready || Promise.resolve();
    ready.catch(() => {}); // a refused registration is the bus's to report; listeners that wait on it see it too
    addedListeners.forEach(listener => listener(row, { isNew, live, ready }));
    return row;
  }

  function remove(chatId) {
    if (!table.has(chatId) && !registrations.has(chatId)) {
      return;
    }
    table.remove(chatId);
    listVersion += 1;
    tallies.delete(chatId);
    registrations.get(chatId)?.();
    registrations.delete(chatId);
    if (selection.state.activeChatId === chatId) {
      selection.set({ activeChatId: null, threadRootId: null });
    }
    removedListeners.forEach(listener => listener(chatId));
  }

  /**
   * Fetches the chat list: its counts replace the client's; chats no longer listed go. The open chat (or the one to
   * open) is added first, so that its registration, and with it its history, come before those of the other chats.
   */
  async function load() {
    const { chats } = await api.rest.chats();
    const listed = new Set();
    const first = selection.state.activeChatId
      || storage.getItem(CHAT_KEY(session.slice.state.workspaceId));
    [...chats].sort((a, b) => (b.id === first) - (a.id === first)).forEach(chat => {
      listed.add(chat.id);
      add(chat);
      listedCounts(chat);
    });
    [...table.keys()].filter(id => !listed.has(id)).forEach(remove);
    return chats;
  }

  /** Settles once the registration of `chatId` (or, without one, of every chat) is effective or refused. */
  function registered(chatId) {
    if (chatId !== undefined) {
      return (registrations.get(chatId)?.ready || Promise.resolve()).catch(() => {});
    }
    return Promise.allSettled([...registrations.values()].map(unsubscribe => unsubscribe.ready));
  }

  function clear() {
    [...new Set([...table.keys(), ...registrations.keys()])].forEach(remove);
    selection.set({ activeChatId: null, threadRootId: null });
  }

  // Counting

  /** Counts a new message (a thread reply too) into its chat's badge, once. */
  function countMessage(chatId, message) {
    const chat = table.get(chatId);
    const tally = tallies.get(chatId);
    if (!chat || !tally || !message || message.seq <= tally.floor || tally.seen.has(message.seq)) {
      return;
    }
    const kind = classify(message, chat, session.me());
    tally.seen.set(message.seq, kind);
    if (tally.seen.size > TALLY_KEPT) {
      // The first counted goes (messages come in seq order, bar a few): not a search of all kept, on every message.
      const oldest = tally.seen.keys().next().value;
      tally.seen.delete(oldest);
      tally.floor = Math.max(tally.floor, oldest);
    }
    applyCount(chatId, message.seq, kind);
  }

  function applyCount(chatId, seq, kind) {
    if (kind === 'own') {
      // Sending reads the chat up to one's message: what is left unread came after it (counted here, as it is above
      // the floor), usually nothing.
      table.update(chatId, chat => {
        const readSeq = Math.max(chat.readSeq || 0, seq);
        let unreadCount = 0;
        let mentionCount = 0;
        tallies.get(chatId).seen.forEach((other, otherSeq) => {
          if (otherSeq > readSeq && (other === 'unread' || other === 'mention')) {
            unreadCount += 1;
            mentionCount += other === 'mention' ? 1 : 0;
          }
        });
        return withCounts(chat, { unreadCount, mentionCount, readSeq });
      });
    } else if (kind !== 'read') {
      table.update(chatId, chat => (seq > (chat.readSeq || 0) ? {
        ...chat,
        unreadCount: (chat.unreadCount || 0) + 1,
        mentionCount: (chat.mentionCount || 0) + (kind === 'mention' ? 1 : 0),
      } : chat));
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

  const withCounts = (chat, fields) => (shallowEqual({ ...chat, ...fields }, chat) ? chat : { ...chat, ...fields });

  /** Authoritative counts (a badge event, a chat.read answer); the watermark only moves forward. */
  function setCounts(chatId, { unreadCount, mentionCount, readSeq }) {
    table.update(chatId, chat => withCounts(chat, {
      unreadCount, mentionCount, readSeq: Math.max(chat.readSeq || 0, readSeq || 0),
    }));
  }

  /** The user read up to `seq` (on another device, say). */
  function raiseReadSeq(chatId, seq) {
    table.update(chatId, chat => ((chat.readSeq || 0) < seq ? { ...chat, readSeq: seq } : chat));
  }

  /** The chat's member count, as its member list has it now (after a join or a leave). */
  function setMemberCount(chatId, memberCount) {
    table.update(chatId, chat => (chat.memberCount === memberCount ? chat : { ...chat, memberCount }));
  }

  // Events this slice owns

  router.own(SCOPE.USER, EVENT.CHAT_ADDED, 'chats', event => {
    add({ unreadCount: 0, mentionCount: 0, ...event.chat }, { live: true }); // read up to its lastSeq (add)
    session.ensureWorkspace(event.chat.workspaceId).catch(notices.fail);
  });
  router.own(SCOPE.USER, EVENT.CHAT_REMOVED, 'chats', event => remove(event.chatId));
  router.own(SCOPE.USER, EVENT.NOTIFICATION_BADGE, 'chats', event => {
    const chat = table.get(event.chatId);
    if (chat) {
      setCounts(event.chatId, { unreadCount: event.unreadCount, mentionCount: event.mentionCount });
    }
  });
  // Missed events on the user address (badges among them): the chat list carries the counts.
  router.own(SCOPE.USER, EVENT.SYNC_REQUIRED, 'chats', () => {
    load().catch(error => console.warn('chat list', error));
  });
  router.own(SCOPE.CHAT, EVENT.CHAT_UPDATED, 'chats', (event, chatId) => {
    if (table.has(chatId)) {
      add({ ...table.get(chatId), ...event.chat });
    }
  });

  // What the sidebar shows

  /** A chat's name as people read it: the channel's, or the other members' of a DM. */
  function title(chat) {
    if (!chat) {
      return '';
    }
    if (chat.kind === 'channel') {
      return chat.name;
    }
    const me = session.me();
    const others = (chat.memberIds || []).filter(id => id !== me);
    if (others.length === 0) {
      return `${people.displayName(me)} (you)`;
    }
    return others.map(people.displayName).join(', ');
  }

  /** The other person of a one-to-one DM, or null. */
  function dmPartner(chat) {
    const me = session.me();
    const others = (chat.memberIds || []).filter(id => id !== me);
    return others.length === 1 ? others[0] : null;
  }

  let listed = { key: null, value: null };
  /**
   * The chats of a workspace, as the sidebar lists them: the same object until a chat is added or removed, renamed,
   * archived, or a name it is sorted by changes (a badge does not change the list).
   */
  function chatsOf(workspaceId) {
    const key = `${listVersion}|${people.users.version}|${workspaceId}`;
    if (listed.key !== key) {
      const all = [...table.values()].filter(chat => chat.workspaceId === workspaceId);
      const byName = (a, b) => title(a).localeCompare(title(b));
      listed = {
        key,
        value: {
          channels: all.filter(chat => chat.kind === 'channel' && !chat.archived).sort(byName).map(chat => chat.id),
          dms: all.filter(chat => chat.kind === 'dm').sort(byName).map(chat => chat.id),
        },
      };
    }
    return listed.value;
  }

  /** In sidebar order: for Alt+Up/Down. */
  function orderedIds(workspaceId) {
    const { channels, dms } = chatsOf(workspaceId);
    return [...channels, ...dms];
  }

  /** Unread messages per workspace (for the rail): workspaceId -> count, only those with some. Read, don't keep. */
  const unreadByWorkspace = () => sums.unreadByWorkspace;

  /** Unread and mention totals over every chat. */
  const totals = () => ({ unread: sums.unread, mentions: sums.mentions });

  // Which chat is open

  function select(chatId) {
    const chat = table.get(chatId);
    if (!chat) {
      return false;
    }
    storage.setItem(CHAT_KEY(chat.workspaceId), chatId);
    selection.set({ activeChatId: chatId, threadRootId: null });
    return true;
  }

  /** The chat to open in a workspace: the one open last time, else its first channel. */
  function preferredChat(workspaceId) {
    const remembered = storage.getItem(CHAT_KEY(workspaceId));
    return table.has(remembered) ? remembered : chatsOf(workspaceId).channels[0] || null;
  }

  return {
    table,
    selection,
    add,
    remove,
    load,
    registered,
    clear,
    countMessage,
    setCounts,
    raiseReadSeq,
    setMemberCount,
    title,
    dmPartner,
    chatsOf,
    orderedIds,
    unreadByWorkspace,
    totals,
    select,
    selectThread: rootId => selection.set({ threadRootId: rootId }),
    deselect: () => selection.set({ activeChatId: null, threadRootId: null }),
    preferredChat,
    activeChatId: () => selection.state.activeChatId,
    /** `listener(chat, {isNew, live, ready})` after every add; `ready` settles once the registration is effective. */
    onAdded: listener => {
      addedListeners.add(listener);
      return () => addedListeners.delete(listener);
    },
    onRemoved: listener => {
      removedListeners.add(listener);
      return () => removedListeners.delete(listener);
    },
  };
}
