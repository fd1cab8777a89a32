// What the user is writing: the text of each composer (a chat's, a thread's), kept in storage across reloads, so the
// sidebar can mark the chats with an unsent draft; the message being edited in place (at most one); text put into a
// composer from elsewhere (a quote).

import { composerKey } from './uploads.js';
import { createSlice, createTable } from './slice.js';

const PREFIX = 'ocomms.draft.';

/** Where a composer's draft is stored: `ocomms.draft.<chatId>` or `ocomms.draft.<chatId>.<rootId>`. */
export const draftStorageKey = (chatId, rootId) => `${PREFIX}${chatId}${rootId ? `.${rootId}` : ''}`;

/** A message's text as a markdown quote, with its author: `> line` for each line, then `— @username`. */
export function quoteText(content, author) {
  const lines = (content || '').replace(/\s+$/, '').split('\n').map(line => `> ${line}`.trimEnd());
  return `${lines.join('\n')}\n> — ${author}\n\n`;
}

/** The user's newest message that is not deleted (and has text to edit), or null. */
export function lastEditable(messages, me) {
  for (let i = (messages?.length || 0) - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (message.senderId === me && !message.deleted && message.id) {
      return message;
    }
  }
  return null;
}

/**
 * @param deps.storage localStorage (drafts survive a reload)
 */
export function createDrafts({ storage }) {
  const table = createTable('drafts'); // composerKey -> text (only non-empty ones)
  const editing = createSlice('drafts.editing', { messageId: null });
  const insertListeners = new Set();

  // The drafts left from before (a reload): the sidebar marks them at once.
  if (typeof storage.length === 'number' && typeof storage.key === 'function') {
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key?.startsWith(PREFIX)) {
        const [chatId, rootId] = key.slice(PREFIX.length).split('.');
        const text = storage.getItem(key);
        if (text) table.put(composerKey(chatId, rootId), text);
      }
    }
  }

  /** A composer's draft ('' when none). */
  function text(chatId, rootId) {
    const key = composerKey(chatId, rootId);
    if (!table.has(key)) {
      const stored = storage.getItem(draftStorageKey(chatId, rootId));
      if (stored) table.put(key, stored);
    }
    return table.get(key) || '';
  }

  /** Keeps a composer's text (every keystroke); an empty one is no draft. */
  function save(chatId, rootId, value) {
    const key = composerKey(chatId, rootId);
    if (value) {
      storage.setItem(draftStorageKey(chatId, rootId), value);
      table.put(key, value);
    } else {
      storage.removeItem(draftStorageKey(chatId, rootId));
      table.remove(key);
    }
  }

  /** Whether the chat's own composer (not a thread's) holds an unsent draft. */
  const hasDraft = chatId => !!table.get(chatId)?.trim();

  /**
   * Adds `addition` to the end of a composer's draft (a quote), on a line of its own; the composer showing it hears
   * it (`onInsert`) to show the text and put the caret after it.
   */
  function insert(chatId, rootId, addition) {
    const before = text(chatId, rootId);
    const value = before && !before.endsWith('\n') ? `${before}\n${addition}` : `${before}${addition}`;
    save(chatId, rootId, value);
    insertListeners.forEach(listener => listener(composerKey(chatId, rootId), value));
    return value;
  }

  /** Inserts a quote of `message` by `author` (a name to show) into the composer of its chat (or thread). */
  const quote = (chatId, rootId, message, author) => insert(chatId, rootId, quoteText(message.content, author));

  function clear() {
    table.clear();
    editing.set({ messageId: null });
  }

  return {
    table,
    editing,
    text,
    save,
    hasDraft,
    insert,
    quote,
    clear,
    /** Starts editing a message in place (null: stops). */
    edit: messageId => editing.set({ messageId }),
    isEditing: messageId => editing.state.messageId === messageId,
    onInsert: listener => {
      insertListeners.add(listener);
      return () => insertListeners.delete(listener);
    },
  };
}
