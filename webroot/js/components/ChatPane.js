import { h, Fragment } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { Message, PendingMessage } from './Message.js';
import { Composer } from './Composer.js';
import { useChatTitle, useRow, useSlice } from './hooks.js';

const GROUP_WINDOW_MS = 5 * 60_000;
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });

function dayLabel(date) {
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return dayFormat.format(date);
}

/** Messages with day separators and groups of consecutive messages by one sender. */
export function renderMessages(messages, chatId, inThread) {
  const me = client.session.me();
  const lastOwn = [...messages].reverse().find(m => m.senderId === me && !m.deleted);
  const items = [];
  let previous = null;
  messages.forEach(message => {
    const created = new Date(message.createdAt);
    const newDay = !previous || new Date(previous.createdAt).toDateString() !== created.toDateString();
    if (newDay) {
      items.push(h('div', { class: 'day-separator', role: 'separator', key: `day-${message.id}` },
        h('span', null, dayLabel(created))));
    }
    const compact = !newDay && previous && previous.senderId === message.senderId && !previous.deleted
      && created - new Date(previous.createdAt) < GROUP_WINDOW_MS;
    items.push(h(Message, { key: message.id, message, chatId, compact, isLastOwn: message === lastOwn, inThread }));
    previous = message;
  });
  return items;
}

const NO_PENDING = [];

/** The open chat's messages: re-rendered when they (or the user's unsent ones) change. */
function MessageList({ chatId }) {
  const view = useRow(client.messages.views, chatId);
  const unsent = useRow(client.outbox.pending, chatId) || NO_PENDING;
  const scroller = useRef(null);
  const memory = useRef({ atBottom: true, firstId: null, height: 0 });
  const [pill, setPill] = useState(false);

  const isAtBottom = el => el.scrollHeight - el.scrollTop - el.clientHeight < 48;

  const scrollToBottom = () => {
    const el = scroller.current;
    if (el) {
      el.scrollTop = el.scrollHeight;
      memory.current.atBottom = true;
      setPill(false);
      client.reads.setAtBottom(true);
    }
  };

  useEffect(() => {
    memory.current = { atBottom: true, firstId: null, height: 0 };
    setPill(false);
    client.reads.setAtBottom(true);
  }, [chatId]);

  useEffect(() => client.messages.onNewMessage((id, message) => {
    if (id === chatId && message.senderId !== client.session.me() && !memory.current.atBottom) {
      setPill(true);
    }
  }), [chatId]);

  useEffect(() => {
    const onSent = event => {
      if (event.detail.chatId === chatId && !event.detail.rootId) {
        requestAnimationFrame(scrollToBottom);
      }
    };
    window.addEventListener('ocomms:sent', onSent);
    return () => window.removeEventListener('ocomms:sent', onSent);
  }, [chatId]);

  // After each render: stay at the bottom if we were there; keep the view still when older messages came in above.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !view) return;
    const firstId = view.messages[0]?.id || null;
    const remembered = memory.current;
    if (remembered.atBottom) {
      el.scrollTop = el.scrollHeight;
    } else if (remembered.firstId && firstId !== remembered.firstId) {
      el.scrollTop += el.scrollHeight - remembered.height;
    }
    remembered.firstId = firstId;
    remembered.height = el.scrollHeight;
    // A short chat cannot scroll: fetch older pages until it can (or there are none).
    if (view.loaded && view.hasMore && !view.loading && el.scrollHeight <= el.clientHeight) {
      client.messages.loadOlder(chatId);
    }
  });

  const onScroll = () => {
    const el = scroller.current;
    const atBottom = isAtBottom(el);
    memory.current.atBottom = atBottom;
    memory.current.height = el.scrollHeight;
    client.reads.setAtBottom(atBottom);
    if (atBottom && pill) {
      setPill(false);
    }
    if (el.scrollTop < 200 && view?.hasMore && !view.loading) {
      client.messages.loadOlder(chatId);
    }
  };

  if (!view) {
    return null; // the chat is going away
  }
  const pending = unsent.filter(p => !p.replyTo);
  return h('div', { class: 'message-list-wrap' },
    h('div', {
      class: 'message-list', ref: scroller, onScroll, role: 'log', 'aria-label': 'Messages',
      'aria-busy': String(view.loading), tabindex: 0,
    },
    view.loading && h('div', { class: 'loading-older', role: 'status' }, 'Loading earlier messages…'),
    view.loaded && !view.hasMore && h('div', { class: 'chat-start' }, 'This is the very beginning of the conversation.'),
    renderMessages(view.messages, chatId, false),
    pending.map(p => h(PendingMessage, { key: p.clientId, pending: p }))),
    pill && h('button', { class: 'new-messages-pill', onClick: scrollToBottom }, 'New messages ↓'));
}

function TypingLine({ chatId }) {
  useRow(client.typing.table, chatId);
  const text = client.typing.text(chatId);
  return h('div', { class: 'typing', 'aria-live': 'polite' }, text);
}

/** The open chat: header, messages, typing line and composer. */
export function ChatPane() {
  const activeChatId = useSlice(client.chats.selection, state => state.activeChatId);
  const chat = useRow(client.chats.table, activeChatId);
  const title = useChatTitle(chat);
  const noWorkspace = useSlice(client.session.slice, state => state.workspaces.length === 0);
  if (!chat) {
    return h('main', { class: 'chat-pane empty', id: 'main' },
      h('div', { class: 'empty-state' },
        noWorkspace
          ? [h('h2', null, 'Welcome to OComms'), h('p', null, 'Create a workspace or join one with an invite code (the + on the left).')]
          : [h('h2', null, 'No chat open'), h('p', null, 'Pick a channel or start a conversation.')]));
  }
  const label = chat.kind === 'channel' ? `Message #${title}` : `Message ${title}`;
  return h('main', { class: 'chat-pane', id: 'main', 'aria-label': title },
    h('header', { class: 'chat-header' },
      h('h1', null, chat.kind === 'channel' ? h(Fragment, null, h('span', { class: 'hash', 'aria-hidden': 'true' }, chat.private ? '🔒' : '#'), title) : title),
      chat.topic && h('p', { class: 'topic' }, chat.topic),
      h('span', { class: 'member-count', title: 'Members' }, `${chat.memberCount || ''} ${chat.memberCount === 1 ? 'member' : 'members'}`),
      chat.kind === 'channel' && h('button', {
        class: 'link', onClick: () => confirm(`Leave #${title}?`) && client.leaveChat(chat.id),
      }, 'Leave')),
    h(MessageList, { key: chat.id, chatId: chat.id }),
    h(TypingLine, { chatId: chat.id }),
    h(Composer, { chatId: chat.id, label }));
}
