// The files slice: the panel listing the open chat's files (GET /api/v1/chats/{chatId}/files), newest first, a page
// at a time (`nextCursor`). It follows the open chat while shown, and files of new messages there join at the top.

import { createSlice } from './slice.js';

const CLOSED = { open: false, chatId: null, files: [], nextCursor: null, loading: false, error: null };

/**
 * @param deps.api `rest.chatFiles(chatId, before)`
 * @param deps.chats the open chat (the panel follows it)
 * @param deps.messages new messages (their attachments join the list)
 */
export function createChatFiles({ api, chats, messages }) {
  const slice = createSlice('files', CLOSED);
  let asked = 0; // the latest request: answers to older ones (another chat's) are dropped

  async function load(chatId, before) {
    const ticket = (asked += 1);
    slice.set({ loading: true, error: null });
    try {
      const page = await api.rest.chatFiles(chatId, before);
      if (ticket !== asked || slice.state.chatId !== chatId) {
        return;
      }
      const known = new Set(before ? slice.state.files.map(file => file.id) : []);
      slice.set({
        files: [...(before ? slice.state.files : []), ...page.files.filter(file => !known.has(file.id))],
        nextCursor: page.nextCursor || null,
        loading: false,
      });
    } catch (error) {
      if (ticket === asked) {
        slice.set({ loading: false, error: error?.message || 'The files could not be loaded' });
      }
    }
  }

  /** Opens the panel on a chat's files (its first page). */
  function show(chatId) {
    if (!chatId) {
      return Promise.resolve();
    }
    slice.set({ ...CLOSED, open: true, chatId });
    return load(chatId, null);
  }

  /** The next (older) page. */
  function loadMore() {
    const { chatId, nextCursor, loading } = slice.state;
    return chatId && nextCursor && !loading ? load(chatId, nextCursor) : Promise.resolve();
  }

  function hide() {
    asked += 1;
    slice.set(CLOSED);
  }

  // The panel takes the thread's place: a thread opened closes it; another chat opened shows that chat's files.
  chats.selection.subscribe(() => {
    const active = chats.activeChatId();
    if (slice.state.open && chats.selection.state.threadRootId) {
      hide();
    } else if (slice.state.open && active && active !== slice.state.chatId) {
      show(active);
    } else if (slice.state.open && !active) {
      hide();
    }
  });

  messages.onNewMessage((chatId, message) => {
    if (slice.state.open && chatId === slice.state.chatId && message.attachments?.length) {
      const known = new Set(slice.state.files.map(file => file.id));
      const added = message.attachments.filter(file => !known.has(file.id)).reverse()
        .map(file => ({ ...file, messageId: message.id, senderId: message.senderId, attachedAt: message.createdAt }));
      slice.set({ files: [...added, ...slice.state.files] });
    }
  });

  return { slice, show, loadMore, hide, clear: hide };
}
