import { h } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { client } from '../store.js';
import { Message, PendingMessage } from './Message.js';
import { bringIntoView, ephemeralsIn, placeToolbar, renderMessages } from './ChatPane.js';
import { Composer } from './Composer.js';
import { Icon } from './icons.js';
import { useRow, useSlice } from './hooks.js';
import { onMessageListKeyDown } from './list-keys.js';

const NO_THREAD = { replies: [], loaded: false };
const NO_PENDING = [];

/** The side panel of one thread: the root, its replies, and a composer for replies. */
export function ThreadPanel() {
  const { activeChatId: chatId, threadRootId: rootId } = useSlice(client.chats.selection, state => state);
  const view = useRow(client.messages.views, chatId);
  const unsent = useRow(client.outbox.pending, chatId) || NO_PENDING;
  const ephemeral = useRow(client.commands.ephemerals, chatId);
  const body = useRef(null);
  const shownFocus = useRef(null);
  // A reply to bring into view (a search result): once its thread has it.
  useLayoutEffect(() => {
    const focus = view?.focus;
    if (!focus?.rootId || focus.rootId !== rootId || focus === shownFocus.current || !body.current) return;
    const row = body.current.querySelector(`article.message[data-message-id="${CSS.escape(focus.messageId)}"]`);
    if (row) {
      shownFocus.current = focus;
      bringIntoView(row);
    }
  });
  if (!view || !rootId) {
    return null;
  }
  const root = view.messages.find(message => message.id === rootId);
  const thread = view.threads.get(rootId) || NO_THREAD;
  const pending = unsent.filter(p => p.replyTo === rootId);
  return h('aside', { class: 'thread-panel', 'aria-label': 'Thread' },
    h('header', { class: 'thread-header' },
      h('h2', null, 'Thread'),
      h('button', {
        class: 'icon-button', 'aria-label': 'Close thread', title: 'Close (Esc)', onClick: client.closeThread,
      }, h(Icon, { name: 'close' }))),
    h('div', { class: 'thread-body', ref: body, onMouseOver: placeToolbar, onFocusIn: placeToolbar,
      onKeyDown: onMessageListKeyDown },
      root && h(Message, { message: root, chatId, compact: false, inThread: true }),
      h('div', { class: 'thread-count' }, `${thread.replies.length} ${thread.replies.length === 1 ? 'reply' : 'replies'}`),
      !thread.loaded && h('div', { class: 'loading-older', role: 'status' }, 'Loading replies…'),
      renderMessages(thread.replies, chatId, true, { ephemerals: ephemeralsIn(
        client.commands.shownIn(ephemeral, rootId), thread.replies, 0, thread.replies.length) }),
      pending.map(p => h(PendingMessage, { key: p.clientId, pending: p }))),
    h(Composer, { chatId, rootId, label: 'Reply in thread' }));
}
