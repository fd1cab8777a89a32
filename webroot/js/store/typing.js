// The typing slice: who is typing in which chat ("Alice is typing…"), and telling others when the user types.

import { EVENT, REQUEST, SCOPE } from '../protocol.js';
import { createTable } from './slice.js';

/** How long a start keeps someone shown as typing (the server ends it after 5 s; a stop may be lost). */
export const TYPING_SHOWN_MS = 6_000;
/** The user's own starts are repeated at most this often while they keep typing. */
export const TYPING_REPEAT_MS = 3_000;

/** "Alice is typing…", "Alice and Bob are typing…", "Several people are typing…", or ''. */
export function typingText(typists, now) {
  const names = (typists || []).filter(typist => typist.until > now).map(typist => typist.name);
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

/**
 * @param deps.bus the bridge client
 * @param deps.router where this slice claims typing.indicator
 * @param deps.session the user's own starts are not shown to them
 * @param deps.people names, when an event carries none
 * @param deps.messages a message from someone ends their typing
 * @param deps.connection starts are sent only while connected
 * @param deps.now the clock
 */
export function createTyping({ bus, router, session, people, messages, connection, now = Date.now }) {
  const table = createTable('typing'); // chatId -> [{userId, name, until}]
  const expiries = new Map(); // `${chatId} ${userId}` -> timer

  function stop(chatId, userId) {
    clearTimeout(expiries.get(`${chatId} ${userId}`));
    expiries.delete(`${chatId} ${userId}`);
    table.update(chatId, typists => (typists.some(typist => typist.userId === userId)
      ? typists.filter(typist => typist.userId !== userId) : typists));
  }

  function start(chatId, userId, name) {
    const typists = (table.get(chatId) || []).filter(typist => typist.userId !== userId);
    table.put(chatId, [...typists, { userId, name, until: now() + TYPING_SHOWN_MS }]);
    const key = `${chatId} ${userId}`;
    clearTimeout(expiries.get(key));
    expiries.set(key, setTimeout(() => stop(chatId, userId), TYPING_SHOWN_MS));
  }

  router.own(SCOPE.CHAT, EVENT.TYPING_INDICATOR, 'typing', (event, chatId) => {
    if (event.userId === session.me()) {
      return;
    }
    if (event.active) {
      start(chatId, event.userId, event.displayName || people.displayName(event.userId));
    } else {
      stop(chatId, event.userId);
    }
  });
  // Sending a message ends one's typing.
  messages.onNewMessage((chatId, message) => stop(chatId, message.senderId));

  let lastSent = 0;
  let typingIn = null;
  /** The user typed in a chat: others hear of it, at most every TYPING_REPEAT_MS. */
  function typed(chatId) {
    const time = now();
    if (!connection.isOpen() || (typingIn === chatId && time - lastSent < TYPING_REPEAT_MS)) {
      return;
    }
    typingIn = chatId;
    lastSent = time;
    bus.request(REQUEST.TYPING, { chatId, active: true }).catch(() => {});
  }

  function stoppedTyping(chatId) {
    if (typingIn === chatId && lastSent) {
      lastSent = 0;
      typingIn = null;
      if (connection.isOpen()) {
        bus.request(REQUEST.TYPING, { chatId, active: false }).catch(() => {});
      }
    }
  }

  function clear() {
    expiries.forEach(timer => clearTimeout(timer));
    expiries.clear();
    table.clear();
  }

  return { table, typed, stoppedTyping, clear, text: chatId => typingText(table.get(chatId), now()) };
}
