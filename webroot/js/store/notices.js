// The notices slice: the error toast, and the line the screen reader announces (a new message in the open chat).

import { createSlice } from './slice.js';

const ANNOUNCED_CHARS = 140;

export function createNotices() {
  const slice = createSlice('notices', { error: null, announcement: '' });

  /** Shows a failure the user should know of. */
  function fail(error) {
    console.warn(error);
    slice.set({ error: error?.message || String(error) });
  }

  /** Announces messages from others that arrive in the open chat (thread replies are shown in their panel). */
  function listen({ messages, chats, session, people }) {
    messages.onNewMessage((chatId, message) => {
      if (chatId === chats.activeChatId() && message.senderId !== session.me() && !message.replyTo) {
        slice.set({
          announcement: `${people.displayName(message.senderId)}: ${message.content.slice(0, ANNOUNCED_CHARS)}`,
        });
      }
    });
  }

  return { slice, fail, listen, dismissError: () => slice.set({ error: null }) };
}
