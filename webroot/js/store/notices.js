// The notices slice: the error toast, and the line the screen reader announces (a new message in the open chat).

import { createSlice } from './slice.js';

const ANNOUNCED_CHARS = 140;

/** What a message says, read aloud: its text, or the files it shares. */
function sharedText(message) {
  const files = message.attachments?.length || 0;
  const shared = files ? `${files === 1 ? 'a file' : `${files} files`}: ${message.attachments.map(f => f.name).join(', ')}` : '';
  return message.content ? `${message.content}${shared ? ` (and ${shared})` : ''}` : `shared ${shared}`;
}

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
      if (chatId === chats.activeChatId() && message.senderId !== session.me() && !message.replyTo
        && message.kind !== 'system') {
        slice.set({
          announcement: `${people.displayName(message.senderId)}: ${sharedText(message).slice(0, ANNOUNCED_CHARS)}`,
        });
      }
    });
  }

  return { slice, fail, listen, dismissError: () => slice.set({ error: null }) };
}
