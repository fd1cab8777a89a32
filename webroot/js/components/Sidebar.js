import { h } from 'preact';
import { useState } from 'preact/hooks';
import * as store from '../store.js';
import { state } from '../store.js';
import { setTheme, themeChoice } from '../theme.js';
import { Icon } from './icons.js';

const STATUSES = [
  ['available', 'Available'], ['away', 'Away'], ['dnd', 'Do not disturb'], ['brb', 'Be right back'],
];

export function PresenceDot({ userId }) {
  const status = store.statusOf(userId);
  return h('span', { class: `presence-dot ${status}`, role: 'img', 'aria-label': status, title: status });
}

/** The narrow rail of workspaces, with a button to create or join one. */
export function WorkspaceRail({ onAddWorkspace }) {
  return h('nav', { class: 'rail', 'aria-label': 'Workspaces' },
    state.workspaces.map(ws => {
      const unread = [...state.chats.values()].filter(c => c.workspaceId === ws.id)
        .reduce((sum, c) => sum + (c.unreadCount || 0), 0);
      return h('button', {
        class: `rail-item${ws.id === state.workspaceId ? ' active' : ''}`,
        title: ws.name, 'aria-label': `${ws.name}${unread ? `, ${unread} unread` : ''}`,
        'aria-current': ws.id === state.workspaceId ? 'true' : undefined,
        onClick: () => store.switchWorkspace(ws.id),
      }, ws.name.slice(0, 2).toUpperCase(), unread > 0 && ws.id !== state.workspaceId
        ? h('span', { class: 'rail-dot', 'aria-hidden': 'true' }) : null);
    }),
    h('button', { class: 'rail-item add', title: 'Create or join a workspace', 'aria-label': 'Create or join a workspace',
      onClick: onAddWorkspace }, '+'));
}

function ChatLink({ chat }) {
  const active = chat.id === state.activeChatId;
  const unread = chat.unreadCount || 0;
  const mentions = chat.mentionCount || 0;
  const partner = chat.kind === 'dm' ? store.dmPartner(chat) : null;
  const label = `${chat.kind === 'channel' ? 'channel ' : 'direct message with '}${store.chatTitle(chat)}`
    + `${unread ? `, ${unread} unread` : ''}${mentions ? `, ${mentions} mentions` : ''}`;
  return h('li', null, h('a', {
    href: `#${chat.id}`,
    class: `chat-link${active ? ' active' : ''}${unread ? ' unread' : ''}`,
    'data-chat-id': chat.id,
    'aria-current': active ? 'page' : undefined,
    'aria-label': label,
    onClick: event => {
      event.preventDefault();
      store.openChat(chat.id);
    },
  },
  chat.kind === 'channel'
    ? h('span', { class: 'chat-icon', 'aria-hidden': 'true' }, chat.private ? '🔒' : '#')
    : partner ? h(PresenceDot, { userId: partner }) : h('span', { class: 'chat-icon', 'aria-hidden': 'true' }, '👥'),
  h('span', { class: 'chat-name' }, store.chatTitle(chat)),
  mentions > 0 ? h('span', { class: 'badge mention', 'data-badge': 'mention' }, String(mentions))
    : unread > 0 ? h('span', { class: 'badge', 'data-badge': 'unread' }, String(unread)) : null));
}

function UserMenu() {
  const [open, setOpen] = useState(false);
  const me = state.session.user;
  const status = store.statusOf(me.id);
  return h('div', { class: 'user-menu' },
    h('button', { class: 'me', 'aria-haspopup': 'menu', 'aria-expanded': String(open), 'aria-label': 'Your status and settings',
      onClick: () => setOpen(!open) },
    h(PresenceDot, { userId: me.id }), h('span', { class: 'me-name' }, me.displayName),
    h('span', { class: 'me-status' }, status)),
    open && h('div', { class: 'menu', role: 'menu', onKeyDown: e => e.key === 'Escape' && setOpen(false) },
      h('div', { class: 'menu-label' }, 'Status'),
      STATUSES.map(([value, text]) => h('button', {
        role: 'menuitemradio', 'aria-checked': String(state.myStatus === value), class: 'menu-item',
        onClick: () => { store.setStatus(value); setOpen(false); },
      }, h('span', { class: `presence-dot ${value}`, 'aria-hidden': 'true' }), text)),
      h('div', { class: 'menu-label' }, 'Theme'),
      [['light', 'Light'], ['dark', 'Dark'], ['system', 'System']].map(([value, text]) => h('button', {
        role: 'menuitemradio', 'aria-checked': String(themeChoice() === value), class: 'menu-item',
        'data-theme-choice': value,
        onClick: () => { setTheme(value); setOpen(false); },
      }, text)),
      h('hr'),
      h('button', { role: 'menuitem', class: 'menu-item', onClick: () => store.logout() }, 'Sign out')));
}

/** Channels and DMs of the current workspace. */
export function Sidebar({ openDialog }) {
  const workspace = state.workspaces.find(ws => ws.id === state.workspaceId);
  const { channels, dms } = store.chatsOf(state.workspaceId);
  return h('aside', { class: 'sidebar', 'aria-label': 'Chats' },
    h('header', { class: 'sidebar-header' },
      h('h2', { class: 'workspace-name' }, workspace ? workspace.name : 'No workspace'),
      workspace && h('button', { class: 'icon-button', title: 'Invite people', 'aria-label': 'Invite people',
        onClick: () => openDialog('invite') }, h(Icon, { name: 'invite' }))),
    h('nav', { class: 'chat-nav', 'aria-label': 'Channels and direct messages' },
      h('div', { class: 'section-title' },
        h('h3', null, 'Channels'),
        workspace && h('button', { class: 'icon-button small', title: 'Create a channel', 'aria-label': 'Create a channel',
          onClick: () => openDialog('createChannel') }, '+')),
      h('ul', { class: 'chat-list' }, channels.map(chat => h(ChatLink, { key: chat.id, chat }))),
      workspace && h('button', { class: 'link browse', onClick: () => openDialog('browse') }, 'Browse channels'),
      h('div', { class: 'section-title' },
        h('h3', null, 'Direct messages'),
        workspace && h('button', { class: 'icon-button small', title: 'New direct message', 'aria-label': 'New direct message',
          onClick: () => openDialog('newDm') }, '+')),
      h('ul', { class: 'chat-list' }, dms.map(chat => h(ChatLink, { key: chat.id, chat })))),
    h(UserMenu));
}
