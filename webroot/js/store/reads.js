// Read marking: the open chat is marked read up to its newest message while the page is visible and the list is
// scrolled to the bottom of a window that reaches the newest message. Tried shortly after the chat opens, the list
// reaches the bottom, the page becomes visible, a message arrives in it or its unread count rises.
//
// The "New messages" divider: where the unread messages began when the chat was opened (its watermark then). It stays
// while the chat is open, though the chat is read meanwhile, until the user marks it read (Esc) or leaves the chat.
//
// A throttle, not a debounce: a read is due READ_DELAY_MS after the first reason for one, and further reasons do not
// postpone it (a chat receiving a message every 100 ms would otherwise never be marked read); while messages keep
// coming, one read goes out every READ_INTERVAL_MS.

import { REQUEST } from '../protocol.js';
import { createSlice } from './slice.js';

/** New messages of one burst are read with one request. */
export const READ_DELAY_MS = 150;
/** Under steady traffic, one read this often (well inside the "at least every 2 s" a reader expects). */
export const READ_INTERVAL_MS = 1000;
/** Marking every chat read sends this many reads at a time. */
const READS_AT_ONCE = 10;

/**
 * @param deps.bus the bridge client
 * @param deps.session who reads
 * @param deps.chats the open chat and its counts (a chat.read answer replaces them)
 * @param deps.messages the last seq the user has in front of them, and the read receipts (the user's own)
 * @param deps.connection reads are sent only while connected
 * @param deps.document whether the page is visible
 * @param deps.clock `now`, `setTimeout`, `clearTimeout`
 */
export function createReads({ bus, session, chats, messages, connection, document, clock = globalThis }) {
  const now = clock.now ? () => clock.now() : () => Date.now();
  let timer = 0;
  let sentAt = -Infinity;
  let atBottom = true;
  // chatId: the open chat the divider is in (null: none); afterSeq: its watermark when opened (the divider is above
  // the first message after it); count: how many were unread then.
  const divider = createSlice('reads.divider', { chatId: null, afterSeq: 0, count: 0 });

  /** A read is due soon: at most READ_DELAY_MS from now, and READ_INTERVAL_MS after the last one. */
  function markReadSoon() {
    if (timer) {
      return;
    }
    const wait = Math.max(READ_DELAY_MS, sentAt + READ_INTERVAL_MS - now());
    timer = clock.setTimeout(() => {
      timer = 0;
      markRead();
    }, wait);
  }

  /** The message list tells whether it shows its newest message. */
  function setAtBottom(value) {
    atBottom = value;
    if (value) {
      markReadSoon();
    }
  }

  async function markRead() {
    const chatId = chats.activeChatId();
    const chat = chats.table.get(chatId);
    const view = messages.views.get(chatId);
    // A window of older messages (after a jump to a search result) is not the newest, even at its bottom.
    if (!chat || !view || view.hasNewer || document.visibilityState !== 'visible' || !atBottom
      || !connection.isOpen()) {
      return;
    }
    const last = messages.syncedSeq(chatId);
    const alreadyRead = Math.max(view.members.get(session.me()) || 0, chat.readSeq || 0);
    if (!chat.unreadCount && !chat.mentionCount && alreadyRead >= last) {
      return;
    }
    sentAt = now();
    try {
      const answer = await bus.request(REQUEST.READ, { chatId, seq: last });
      if (!chats.table.has(chatId)) {
        return;
      }
      chats.setCounts(chatId, { unreadCount: answer.unreadCount, mentionCount: answer.mentionCount,
        readSeq: answer.seq });
      messages.setReader(chatId, session.me(), answer.seq);
    } catch (error) {
      console.warn('chat.read failed', error);
    }
  }

  /** A chat was opened: the divider goes where its unread messages begin, if it has any. */
  function chatOpened(chatId) {
    const chat = chats.table.get(chatId);
    if (chat && (chat.unreadCount || chat.mentionCount)) {
      divider.set({ chatId, afterSeq: chat.readSeq || 0, count: chat.unreadCount || chat.mentionCount });
    } else {
      divider.set({ chatId: null, afterSeq: 0, count: 0 });
    }
  }

  /** Sends a read of `chatId` up to the newest seq the client has of it; the answer's counts replace the chat's. */
  async function readUpTo(chatId) {
    const seq = Math.max(messages.syncedSeq(chatId) || 0, chats.table.get(chatId)?.readSeq || 0);
    const answer = await bus.request(REQUEST.READ, { chatId, seq });
    if (chats.table.has(chatId)) {
      chats.setCounts(chatId, { unreadCount: answer.unreadCount, mentionCount: answer.mentionCount,
        readSeq: answer.seq });
      messages.setReader(chatId, session.me(), answer.seq);
    }
    return answer;
  }

  /**
   * The user marks the open chat read (Esc): up to its newest message, wherever the list is scrolled; the divider
   * goes.
   */
  async function markChatRead(chatId = chats.activeChatId()) {
    if (divider.state.chatId === chatId || !chatId) {
      divider.set({ chatId: null, afterSeq: 0, count: 0 });
    }
    const chat = chats.table.get(chatId);
    if (!chat || !connection.isOpen()) {
      return;
    }
    try {
      await readUpTo(chatId);
    } catch (error) {
      console.warn('chat.read failed', error);
    }
  }

  /** The user marks every chat read (Shift+Esc): each with an unread badge, up to its newest message. */
  async function markAllRead() {
    divider.set({ chatId: null, afterSeq: 0, count: 0 });
    if (!connection.isOpen()) {
      return;
    }
    const unread = [...chats.table.values()].filter(chat => chat.unreadCount || chat.mentionCount);
    // A few at a time: hundreds of unread chats do not become hundreds of requests in flight at once.
    for (let i = 0; i < unread.length; i += READS_AT_ONCE) {
      const results = await Promise.allSettled(unread.slice(i, i + READS_AT_ONCE).map(chat => readUpTo(chat.id)));
      results.filter(result => result.status === 'rejected')
        .forEach(result => console.warn('chat.read failed', result.reason));
    }
  }

  document.addEventListener('visibilitychange', markReadSoon);
  messages.onNewMessage((chatId, message) => {
    if (chatId === chats.activeChatId() && message.senderId !== session.me()) {
      markReadSoon();
    }
  });
  // A badge for the open chat: read while looking at it (markRead checks that it is in view).
  let shown = null;
  chats.table.subscribe(changed => {
    const chatId = chats.activeChatId();
    const chat = chats.table.get(chatId);
    if (chat && changed.has(chatId) && (chat.unreadCount || 0) > (shown?.id === chatId ? shown.unreadCount || 0 : 0)) {
      markReadSoon();
    }
    shown = chat;
  });

  // The chat the divider is in went away (left, removed).
  chats.onRemoved(chatId => {
    if (divider.state.chatId === chatId) {
      divider.set({ chatId: null, afterSeq: 0, count: 0 });
    }
  });

  return {
    divider, markReadSoon, setAtBottom, markRead, chatOpened, markChatRead, markAllRead,
    stop: () => clock.clearTimeout(timer),
    clear: () => divider.set({ chatId: null, afterSeq: 0, count: 0 }),
  };
}
