// Pins and saved items. Pins belong to a chat (any member pins; `chat.pins` lists them, `message.pinned` and
// `message.unpinned` keep the list current, live or replayed by a sync); saved items belong to the user
// (`chat.saved` lists them, `message.saved` tells the user's other devices). Each has a side panel: the pins of the
// open chat, or the user's saved items.

import { EVENT, REQUEST, SCOPE } from '../protocol.js';
import { createSlice, createTable } from './slice.js';

/** Newest first by `at` (an ISO time, so text order is time order), then by message id, newest id first. */
function newestFirst(at) {
  return (a, b) => (a[at] === b[at] ? (a.messageId < b.messageId ? 1 : -1) : (a[at] < b[at] ? 1 : -1));
}

/** The pins with `entry` ({messageId, userId, pinnedAt, message}) in its place: newest pin first, one per message. */
export function withPin(items, entry) {
  return [...items.filter(item => item.messageId !== entry.messageId), entry].sort(newestFirst('pinnedAt'));
}

/** The list without that message (pins or saved items). */
export function without(items, messageId) {
  return items.some(item => item.messageId === messageId) ? items.filter(item => item.messageId !== messageId) : items;
}

/** The saved items with `entry` ({messageId, chatId, savedAt, message}) in its place: newest saved first. */
export function withSaved(items, entry) {
  return [...items.filter(item => item.messageId !== entry.messageId), entry].sort(newestFirst('savedAt'));
}

/** The list with the newer state of one message (its content, reactions...) where it appears; the same list if not. */
export function withMessage(items, message) {
  if (!message || !items.some(item => item.messageId === message.id)) {
    return items;
  }
  return items.map(item => (item.messageId === message.id ? { ...item, message: { ...item.message, ...message } } : item));
}

/** What a numbered event does to a chat's pins: the list after it (the same list when it changes nothing). */
export function pinsAfterEvent(items, event, message) {
  if (event.type === EVENT.MESSAGE_PINNED && message?.pinned !== false) {
    return withPin(items, { messageId: event.messageId, userId: event.userId, pinnedAt: event.pinnedAt || message?.pinnedAt,
      message });
  }
  if (event.type === EVENT.MESSAGE_UNPINNED || event.type === EVENT.MESSAGE_DELETED || message?.pinned === false) {
    return without(items, event.messageId);
  }
  return withMessage(items, message);
}

const NO_PINS = { loaded: false, items: [] };
const CLOSED = { open: false, chatId: null, loading: false, error: null };
const NO_SAVED = { open: false, loaded: false, loading: false, error: null, items: [], hasMore: false, nextCursor: null };
const SAVED_PAGE = 100;

/**
 * @param deps.bus requests (`chat.message.pin`, `chat.pins`, `chat.message.save`, `chat.saved`)
 * @param deps.router `message.saved` on the user's address
 * @param deps.session who the user is
 * @param deps.chats the open chat (the pins panel follows it)
 * @param deps.messages numbered events and stored messages
 * @param deps.notices failures to show
 * @param deps.panels optional: `hide()`s of the panels that take the same place
 */
export function createPins({ bus, router, session, chats, messages, notices, panels = [] }) {
  const lists = createTable('pins.lists'); // chatId -> {loaded, items: [{messageId, userId, pinnedAt, message}]}
  const panel = createSlice('pins.panel', CLOSED);
  const saved = createSlice('saved', NO_SAVED);

  // Pins

  async function load(chatId) {
    if (!chatId) {
      return;
    }
    try {
      const answer = await bus.request(REQUEST.PINS, { chatId });
      const items = [...answer.pins].sort(newestFirst('pinnedAt'));
      lists.put(chatId, { loaded: true, items });
      if (panel.state.chatId === chatId) {
        panel.set({ loading: false, error: null });
      }
    } catch (error) {
      if (panel.state.chatId === chatId) {
        panel.set({ loading: false, error: error?.message || 'The pins could not be loaded' });
      }
    }
  }

  const change = (chatId, next) => lists.put(chatId, { loaded: true, ...(lists.get(chatId) || NO_PINS),
    items: next(lists.get(chatId)?.items || []) });

  /** Pins a message to its chat, or removes its pin. */
  async function setPinned(message, pinned) {
    try {
      const answer = await bus.request(REQUEST.MESSAGE_PIN, { messageId: message.id, pinned });
      const { id, chatId, seq, replyTo } = message;
      messages.upsert(chatId, { id, chatId, seq, replyTo, pinned: answer.pinned, pinnedAt: answer.pinnedAt }, 0);
      change(chatId, items => (answer.pinned
        ? (items.some(item => item.messageId === id) ? items : withPin(items, { messageId: id, userId: session.me(),
          pinnedAt: answer.pinnedAt, message: { ...message, pinned: true, pinnedAt: answer.pinnedAt } }))
        : without(items, id)));
    } catch (error) {
      notices.fail(error);
    }
  }

  messages.onSequenced((chatId, event, message) => {
    if (lists.has(chatId)) {
      lists.update(chatId, row => {
        const items = pinsAfterEvent(row.items, event, message);
        return items === row.items ? row : { ...row, items };
      });
    }
    if (saved.state.loaded) {
      const items = event.type === EVENT.MESSAGE_DELETED ? without(saved.state.items, event.messageId)
        : withMessage(saved.state.items, message);
      if (items !== saved.state.items) {
        saved.set({ items });
      }
    }
  });

  /** Opens the panel on a chat's pins (closing the panels whose place it takes). */
  function show(chatId = chats.activeChatId()) {
    if (!chatId) {
      return Promise.resolve();
    }
    panels.forEach(other => other.hide());
    hideSaved();
    chats.selectThread?.(null);
    panel.set({ open: true, chatId, loading: !lists.get(chatId)?.loaded, error: null });
    return load(chatId);
  }

  function hide() {
    panel.set(CLOSED);
  }

  // Another panel opened in the same place closes these.
  panels.forEach(other => other.slice?.subscribe(() => {
    if (other.slice.state.open) {
      hide();
      hideSaved();
    }
  }));

  // The panel follows the open chat.
  chats.selection.subscribe(() => {
    const active = chats.activeChatId();
    if (panel.state.open && chats.selection.state.threadRootId) {
      hide();
    } else if (panel.state.open && active && active !== panel.state.chatId) {
      show(active);
    } else if (panel.state.open && !active) {
      hide();
    }
  });

  // Saved items

  async function loadSaved(more = false) {
    const { loading, nextCursor } = saved.state;
    if (loading || (more && !nextCursor)) {
      return;
    }
    saved.set({ loading: true, error: null });
    try {
      const answer = await bus.request(REQUEST.SAVED, more ? { cursor: nextCursor, limit: SAVED_PAGE } : { limit: SAVED_PAGE });
      const items = more ? answer.items.reduce(withSaved, saved.state.items) : answer.items;
      saved.set({ loaded: true, loading: false, items, hasMore: !!answer.hasMore, nextCursor: answer.nextCursor || null });
    } catch (error) {
      saved.set({ loading: false, error: error?.message || 'Your saved items could not be loaded' });
    }
  }

  const isSaved = messageId => saved.state.items.some(item => item.messageId === messageId);

  /** Saves a message for later, or removes it from one's saved items. */
  async function setSaved(message, wanted) {
    try {
      await bus.request(REQUEST.MESSAGE_SAVE, { messageId: message.id, saved: wanted });
      saved.set({ items: wanted
        ? withSaved(saved.state.items, { messageId: message.id, chatId: message.chatId,
          savedAt: new Date().toISOString(), message })
        : without(saved.state.items, message.id) });
    } catch (error) {
      notices.fail(error);
    }
  }

  // Saved or removed on another device: a removal is applied here, a save brings the list again (with its message).
  router.own(SCOPE.USER, EVENT.MESSAGE_SAVED, 'saved', event => {
    if (event.saved) {
      if (!isSaved(event.messageId)) {
        loadSaved();
      }
    } else {
      saved.set({ items: without(saved.state.items, event.messageId) });
    }
  });

  function showSaved() {
    panels.forEach(other => other.hide());
    hide();
    chats.selectThread?.(null);
    saved.set({ open: true });
    return loadSaved();
  }

  function hideSaved() {
    saved.set({ open: false });
  }

  function clear() {
    lists.clear();
    panel.set(CLOSED);
    saved.set(NO_SAVED);
  }

  return {
    lists, panel, saved, load, setPinned, show, hide,
    loadSaved, loadMoreSaved: () => loadSaved(true), setSaved, isSaved, showSaved, hideSaved, clear,
    /** The number of pins of a chat, or null before they are loaded. */
    count: chatId => (lists.get(chatId)?.loaded ? lists.get(chatId).items.length : null),
  };
}
