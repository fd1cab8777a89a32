import { h } from 'preact';
import * as store from '../store.js';
import { state } from '../store.js';
import { Message, PendingMessage } from './Message.js';
import { renderMessages } from './ChatPane.js';
import { Composer } from './Composer.js';
import { Icon } from './icons.js';

/** The side panel of one thread: the root, its replies, and a composer for replies. */
export function ThreadPanel() {
  const view = state.views.get(state.activeChatId);
  const root = view?.byId.get(state.threadRootId);
  if (!view || !state.threadRootId) {
    return null;
  }
  const thread = view.threads.get(state.threadRootId) || { replies: [], loaded: false };
  const pending = view.pending.filter(p => p.replyTo === state.threadRootId && p.status !== 'sent');
  return h('aside', { class: 'thread-panel', 'aria-label': 'Thread' },
    h('header', { class: 'thread-header' },
      h('h2', null, 'Thread'),
      h('button', { class: 'icon-button', 'aria-label': 'Close thread', title: 'Close (Esc)', onClick: store.closeThread }, h(Icon, { name: 'close' }))),
    h('div', { class: 'thread-body' },
      root && h(Message, { message: root, view, compact: false, inThread: true }),
      h('div', { class: 'thread-count' }, `${thread.replies.length} ${thread.replies.length === 1 ? 'reply' : 'replies'}`),
      !thread.loaded && h('div', { class: 'loading-older', role: 'status' }, 'Loading replies…'),
      renderMessages(thread.replies, view, true),
      pending.map(p => h(PendingMessage, { key: p.clientId, pending: p }))),
    h(Composer, { chatId: view.chatId, rootId: state.threadRootId, label: 'Reply in thread' }));
}
