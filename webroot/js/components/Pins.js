import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { messageHtml } from '../markdown.js';
import { Icon } from './icons.js';
import { useChatTitle, useDisplayName, useMe, useRow, useSlice } from './hooks.js';

const whenFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "Pinned by Alice" beside a pinned message. */
export function PinMarker() {
  return h('span', { class: 'pin-marker', 'data-pinned': 'true', title: 'Pinned to this chat' },
    h(Icon, { name: 'pin', size: 12 }), h('span', null, 'Pinned'));
}

/** The toolbar's "More" menu of a message: pin to the chat or unpin, save for later or remove from saved. */
export function MessageMenu({ message }) {
  const [open, setOpen] = useState(false);
  const saved = useSlice(client.pins.saved, state => state.items.some(item => item.messageId === message.id));
  const menu = useRef(null);
  useEffect(() => {
    if (open) menu.current?.querySelector('button')?.focus();
  }, [open]);
  if (message.system || message.kind === 'system') {
    return null;
  }
  const run = action => () => {
    setOpen(false);
    action();
  };
  // Closed by Esc, by a choice, or by focus going anywhere else (a click elsewhere on the page).
  return h('span', { class: 'message-menu-host',
    onFocusOut: event => open && !event.currentTarget.contains(event.relatedTarget) && setOpen(false) },
    h('button', { 'aria-label': 'More message actions', title: 'More', 'aria-haspopup': 'menu',
      'aria-expanded': String(open), 'data-action': 'message-menu', onClick: () => setOpen(!open) },
    h(Icon, { name: 'more' })),
    open && h('div', { class: 'message-menu', role: 'menu', ref: menu,
      onKeyDown: event => event.key === 'Escape' && (event.stopPropagation(), setOpen(false)) },
    h('button', { role: 'menuitem', class: 'menu-item', 'data-action': message.pinned ? 'unpin' : 'pin',
      onClick: run(() => client.pins.setPinned(message, !message.pinned)) },
    h(Icon, { name: 'pin', size: 16 }), message.pinned ? 'Unpin' : 'Pin to channel'),
    h('button', { role: 'menuitem', class: 'menu-item', 'data-action': saved ? 'unsave' : 'save',
      onClick: run(() => client.pins.setSaved(message, !saved)) },
    h(Icon, { name: 'bookmark', size: 16, filled: saved }), saved ? 'Remove from saved' : 'Save')));
}

/** The chat header's "Pinned" button, with the number of pins. */
export function PinsButton({ chatId }) {
  const open = useSlice(client.pins.panel, state => state.open && state.chatId === chatId);
  const count = useSlice(client.pins.lists, lists => (lists.get(chatId)?.loaded ? lists.get(chatId).items.length : null),
    { key: chatId });
  useEffect(() => {
    client.pins.load(chatId);
  }, [chatId]);
  return h('button', { class: `search-trigger pins-trigger${open ? ' active' : ''}`, 'aria-pressed': String(open),
    'aria-label': `Pinned messages${count ? `, ${count}` : ''}`, title: 'Pinned messages', 'data-count': count ?? '',
    onClick: () => (open ? client.pins.hide() : client.pins.show(chatId)) },
  h(Icon, { name: 'pin', size: 16 }), h('span', { class: 'search-trigger-label' }, 'Pinned'),
  count > 0 && h('span', { class: 'pins-count' }, String(count)));
}

/** A message as a panel shows it: who wrote it, its text, where and when; clicking opens it in its chat. */
function MessageCard({ message, chatId, meta, onOpen, actions }) {
  const me = useMe();
  const sender = useDisplayName(message?.senderId);
  if (!message) {
    return null;
  }
  return h('li', { class: 'pin-card', 'data-message-id': message.id },
    h('button', { class: 'pin-open', onClick: onOpen, 'aria-label': `Open message from ${sender}` },
      h('span', { class: 'pin-sender' }, sender),
      message.deleted ? h('span', { class: 'tombstone' }, 'This message was deleted.')
        : h('span', { class: 'pin-content', dangerouslySetInnerHTML: { __html: messageHtml(message, me.username) } }),
      h('span', { class: 'pin-meta' }, meta)),
    actions);
}

const openAt = (chatId, message) => client.openMessage({ chatId, seq: message.seq, messageId: message.id,
  rootId: message.replyTo || null });

function PinRow({ pin, chatId }) {
  const by = useDisplayName(pin.userId);
  return h(MessageCard, {
    message: pin.message, chatId,
    meta: `Pinned by ${by} · ${whenFormat.format(new Date(pin.pinnedAt))}`,
    onOpen: () => openAt(chatId, pin.message),
    actions: h('button', { class: 'icon-button pin-remove', 'aria-label': 'Unpin', title: 'Unpin', 'data-action': 'unpin',
      onClick: () => client.pins.setPinned(pin.message, false) }, h(Icon, { name: 'close', size: 16 })),
  });
}

const NO_ITEMS = [];

/** The open chat's pinned messages, newest pin first. */
export function PinsPanel() {
  const state = useSlice(client.pins.panel, value => value);
  const items = useSlice(client.pins.lists, lists => lists.get(state.chatId)?.items || NO_ITEMS,
    { key: state.chatId || '' });
  const heading = useRef(null);
  useEffect(() => {
    if (state.open) heading.current?.focus();
  }, [state.open, state.chatId]);
  if (!state.open) {
    return null;
  }
  return h('aside', { class: 'pins-panel side-list-panel', 'aria-label': 'Pinned messages',
    onKeyDown: event => event.key === 'Escape' && (event.stopPropagation(), client.pins.hide()) },
  h('header', { class: 'thread-header' },
    h('h2', { ref: heading, tabindex: -1 }, 'Pinned'),
    h('button', { class: 'icon-button', 'aria-label': 'Close pinned messages', onClick: client.pins.hide },
      h(Icon, { name: 'close' }))),
  h('ul', { class: 'pins-list' }, items.map(pin => h(PinRow, { key: pin.messageId, pin, chatId: state.chatId }))),
  state.error ? h('p', { class: 'form-error', role: 'alert' }, state.error)
    : !state.loading && items.length === 0 && h('p', { class: 'empty-note' },
      'No pinned messages yet. Pin one from a message\'s "More" menu.'));
}

function SavedRow({ item }) {
  const chat = useRow(client.chats.table, item.chatId);
  const title = useChatTitle(chat);
  const where = chat ? (chat.kind === 'channel' ? `#${title}` : title) : '';
  return h(MessageCard, {
    message: item.message, chatId: item.chatId,
    meta: `${where}${where ? ' · ' : ''}Saved ${whenFormat.format(new Date(item.savedAt))}`,
    onOpen: () => openAt(item.chatId, item.message),
    actions: h('button', { class: 'icon-button pin-remove', 'aria-label': 'Remove from saved',
      title: 'Remove from saved', 'data-action': 'unsave', onClick: () => client.pins.setSaved(item.message, false) },
    h(Icon, { name: 'close', size: 16 })),
  });
}

/** The sidebar's "Saved" entry. */
export function SavedLink({ onChose }) {
  const open = useSlice(client.pins.saved, state => state.open);
  const count = useSlice(client.pins.saved, state => state.items.length);
  return h('button', { class: `saved-link${open ? ' active' : ''}`, 'aria-pressed': String(open),
    'data-action': 'saved', onClick: () => {
      if (open) {
        client.pins.hideSaved();
      } else {
        client.pins.showSaved();
        onChose?.();
      }
    } },
  h(Icon, { name: 'bookmark', size: 16 }), h('span', null, 'Saved'),
  count > 0 && h('span', { class: 'saved-count' }, String(count)));
}

/** The user's saved items, newest first. */
export function SavedPanel() {
  const state = useSlice(client.pins.saved, value => value);
  const heading = useRef(null);
  useEffect(() => {
    if (state.open) heading.current?.focus();
  }, [state.open]);
  if (!state.open) {
    return null;
  }
  return h('aside', { class: 'saved-panel side-list-panel', 'aria-label': 'Saved items',
    onKeyDown: event => event.key === 'Escape' && (event.stopPropagation(), client.pins.hideSaved()) },
  h('header', { class: 'thread-header' },
    h('h2', { ref: heading, tabindex: -1 }, 'Saved items'),
    h('button', { class: 'icon-button', 'aria-label': 'Close saved items', onClick: client.pins.hideSaved },
      h(Icon, { name: 'close' }))),
  h('ul', { class: 'pins-list' }, state.items.map(item => h(SavedRow, { key: item.messageId, item }))),
  state.hasMore && h('button', { class: 'link load-more', onClick: client.pins.loadMoreSaved }, 'Show more'),
  state.error ? h('p', { class: 'form-error', role: 'alert' }, state.error)
    : !state.loading && state.items.length === 0 && h('p', { class: 'empty-note' },
      'Nothing saved yet. Save a message from its "More" menu to find it here.'));
}
