import { h } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { describeUploadFailure } from '../store/uploads.js';
import { client } from '../store.js';
import { setTheme, themeChoice } from '../theme.js';
import { Icon } from './icons.js';
import { Avatar } from './Message.js';
import { badgeLane, memo, useChatTitle, useMe, usePresence, useRow, useSlice } from './hooks.js';
import { NotificationItems, untilText, useDnd, useMuted } from './Notifications.js';
import { SavedLink } from './Pins.js';
import { signOut } from '../desktop.js';
import { shallowEqual } from '../store/slice.js';
import { sameSections, sidebarSections } from '../store/sidebar.js';
import { StatusEmoji } from './Profile.js';

const STATUSES = [
  ['available', 'Available'], ['away', 'Away'], ['dnd', 'Do not disturb'], ['brb', 'Be right back'],
];

export function PresenceDot({ userId }) {
  const status = usePresence(userId);
  return h('span', { class: `presence-dot ${status}`, role: 'img', 'aria-label': status, title: status });
}

/** The user's own dot: their status, or "notifications paused" (a moon on the dot) while DND holds. */
function MyPresenceDot({ userId }) {
  const status = usePresence(userId);
  const dnd = useDnd();
  const label = dnd.active ? `${status}, notifications paused` : status;
  return h('span', { class: `presence-dot ${status}${dnd.active ? ' paused' : ''}`, role: 'img', 'aria-label': label,
    title: label, 'data-dnd': String(dnd.active) });
}

/** The narrow rail of workspaces, with a button to create or join one. */
export function WorkspaceRail({ onAddWorkspace }) {
  const { workspaces, workspaceId } = useSlice(client.session.slice, state => state);
  // The other workspaces' unread counts (the sidebar shows the current one's): re-rendered when one of those changes,
  // not on every message in the workspace one is looking at.
  const unread = useSlice(client.chats.table, () => {
    const sums = client.chats.unreadByWorkspace();
    return workspaces.map(ws => (ws.id === workspaceId ? 0 : sums.get(ws.id) || 0));
  }, { equals: shallowEqual, lane: badgeLane });
  return h('nav', { class: 'rail', 'aria-label': 'Workspaces' },
    workspaces.map((ws, i) => h('button', {
      class: `rail-item${ws.id === workspaceId ? ' active' : ''}`,
      title: ws.name, 'aria-label': `${ws.name}${unread[i] ? `, ${unread[i]} unread` : ''}`,
      'aria-current': ws.id === workspaceId ? 'true' : undefined,
      onClick: () => client.switchWorkspace(ws.id),
    }, ws.name.slice(0, 2).toUpperCase(), unread[i] > 0 && ws.id !== workspaceId
      ? h('span', { class: 'rail-dot', 'aria-hidden': 'true' }) : null)),
    h('button', { class: 'rail-item add', title: 'Create or join a workspace', 'aria-label': 'Create or join a workspace',
      onClick: onAddWorkspace }, '+'));
}

/**
 * One chat in the sidebar: re-rendered when that chat (its badge) changes, at the badges' pace (a few times a second
 * at most), or at once when it is opened.
 */
const ChatLink = memo(function ChatRow({ chatId }) {
  const chat = useRow(client.chats.table, chatId, { lane: badgeLane });
  const active = useSlice(client.chats.selection, state => state.activeChatId === chatId);
  const title = useChatTitle(chat);
  const muted = useMuted(chatId);
  // An unsent draft is marked in the chats one is not looking at (the open one's is in front of the user).
  const draft = useSlice(client.drafts.table, drafts => !!drafts.get(chatId)?.trim(), { key: chatId }) && !active;
  if (!chat) {
    return null;
  }
  const unread = chat.unreadCount || 0;
  const mentions = chat.mentionCount || 0;
  const partner = chat.kind === 'dm' ? client.chats.dmPartner(chat) : null;
  const label = `${chat.kind === 'channel' ? 'channel ' : 'direct message with '}${title}`
    + `${unread ? `, ${unread} unread` : ''}${mentions ? `, ${mentions} mentions` : ''}${muted ? ', muted' : ''}`
    + `${draft ? ', draft' : ''}`;
  return h('li', null, h('a', {
    href: `#${chat.id}`,
    class: `chat-link${active ? ' active' : ''}${unread ? ' unread' : ''}${muted ? ' muted' : ''}`,
    'data-chat-id': chat.id,
    'data-muted': muted ? 'true' : undefined,
    'data-draft': draft ? 'true' : undefined,
    'aria-current': active ? 'page' : undefined,
    'aria-label': label,
    onClick: event => {
      event.preventDefault();
      client.openChat(chat.id);
    },
  },
  chat.kind === 'channel'
    ? h('span', { class: 'chat-icon', 'aria-hidden': 'true' }, chat.private ? '🔒' : '#')
    : partner ? h('span', { class: 'avatar-with-presence' }, h(Avatar, { userId: partner, size: 'tiny' }),
      h(PresenceDot, { userId: partner }))
      : h('span', { class: 'chat-icon', 'aria-hidden': 'true' }, '👥'),
  h('span', { class: 'chat-name' }, title),
  partner && h(StatusEmoji, { userId: partner }),
  draft && h('span', { class: 'draft-marker', title: 'Unsent draft' }, h(Icon, { name: 'edit', size: 14 })),
  muted && h('span', { class: 'muted-icon', title: 'Muted' }, h(Icon, { name: 'bellOff', size: 14 })),
  mentions > 0 ? h('span', { class: 'badge mention', 'data-badge': 'mention' }, String(mentions))
    : unread > 0 ? h('span', { class: 'badge', 'data-badge': 'unread' }, String(unread)) : null));
});

/** Choosing a picture of oneself, or removing it: the answered profile is shown everywhere at once. */
function AvatarItems({ me, done }) {
  const picker = useRef(null);
  const [error, setError] = useState(null);
  const run = async action => {
    setError(null);
    try {
      await action();
      done();
    } catch (failure) {
      setError(describeUploadFailure(failure).text);
    }
  };
  return [
    h('div', { class: 'menu-label' }, 'Profile picture'),
    h('input', { ref: picker, type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp', tabindex: -1,
      class: 'visually-hidden avatar-picker', 'aria-hidden': 'true',
      onChange: event => {
        const file = event.currentTarget.files[0];
        event.currentTarget.value = '';
        if (file) run(() => client.setAvatar(file));
      } }),
    h('button', { role: 'menuitem', class: 'menu-item', onClick: () => picker.current.click() },
      h(Avatar, { userId: me.id, size: 'tiny' }), me.avatarUrl ? 'Change picture…' : 'Upload picture…'),
    me.avatarUrl && h('button', { role: 'menuitem', class: 'menu-item', onClick: () => run(client.removeAvatar) },
      'Remove picture'),
    error && h('p', { class: 'menu-error', role: 'alert' }, error),
  ];
}

/** The sidebar's arrangement (unreads first), and marking everything read. */
function SidebarItems({ done }) {
  const unreadsFirst = useSlice(client.sidebar.slice, state => state.unreadsFirst);
  return [
    h('button', { role: 'menuitemcheckbox', 'aria-checked': String(unreadsFirst), class: 'menu-item',
      'data-action': 'unreads-first', onClick: () => { client.sidebar.setUnreadsFirst(!unreadsFirst); done(); } },
    'Show unreads first'),
    h('button', { role: 'menuitem', class: 'menu-item', 'data-action': 'mark-all-read',
      onClick: () => { client.reads.markAllRead(); done(); } },
    'Mark all as read', h('kbd', { class: 'menu-shortcut' }, 'Shift+Esc')),
  ];
}

function UserMenu({ openDialog }) {
  const [open, setOpen] = useState(false);
  const me = useMe();
  const status = usePresence(me.id);
  const chosen = useSlice(client.presence.mine, state => state.status);
  const dnd = useDnd();
  return h('div', { class: 'user-menu' },
    h('button', { class: 'me', 'aria-haspopup': 'menu', 'aria-expanded': String(open), 'aria-label': 'Your status and settings',
      onClick: () => setOpen(!open) },
    h('span', { class: 'avatar-with-presence' }, h(Avatar, { userId: me.id, size: 'small' }),
      h(MyPresenceDot, { userId: me.id })),
    h('span', { class: 'me-name' }, me.displayName, ' ', h(StatusEmoji, { userId: me.id })),
    dnd.active ? h('span', { class: 'me-status paused', title: dnd.manual ? `Notifications paused ${untilText(dnd.until)}`
      : 'Notifications paused by your schedule' }, h(Icon, { name: 'bellOff', size: 14 }),
    dnd.manual && dnd.until ? untilText(dnd.until).replace('until ', '') : 'paused')
      : h('span', { class: 'me-status' }, status)),
    open && h('div', { class: 'menu', role: 'menu', onKeyDown: e => e.key === 'Escape' && (e.preventDefault(), setOpen(false)) },
      h('button', { role: 'menuitem', class: 'menu-item', 'data-action': 'edit-profile',
        onClick: () => { setOpen(false); openDialog('profile'); } }, 'Edit profile and status…'),
      h('div', { class: 'menu-label' }, 'Status'),
      STATUSES.map(([value, text]) => h('button', {
        role: 'menuitemradio', 'aria-checked': String(chosen === value), class: 'menu-item',
        onClick: () => { client.presence.setStatus(value); setOpen(false); },
      }, h('span', { class: `presence-dot ${value}`, 'aria-hidden': 'true' }), text)),
      h(NotificationItems, { done: () => setOpen(false), openSchedule: () => openDialog('schedule') }),
      h(AvatarItems, { me, done: () => setOpen(false) }),
      h('div', { class: 'menu-label' }, 'Sidebar'),
      h(SidebarItems, { done: () => setOpen(false) }),
      h('div', { class: 'menu-label' }, 'Theme'),
      [['light', 'Light'], ['dark', 'Dark'], ['system', 'System']].map(([value, text]) => h('button', {
        role: 'menuitemradio', 'aria-checked': String(themeChoice() === value), class: 'menu-item',
        'data-theme-choice': value,
        onClick: () => { setTheme(value); setOpen(false); },
      }, text)),
      h('hr'),
      h('button', { role: 'menuitem', class: 'menu-item', 'data-action': 'personal-note', onClick: () => {
        client.notes.showPanel({ workspaceId: client.session.slice.state.workspaceId });
        setOpen(false);
      } }, 'Personal note'),
      h('button', { role: 'menuitem', class: 'menu-item', onClick: () => signOut() }, 'Sign out')));
}

/** The workspace's menu in the sidebar's header: inviting people, and the Integrations page. */
function WorkspaceMenu({ openDialog }) {
  const [open, setOpen] = useState(false);
  const button = useRef(null);
  const menu = useRef(null);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const choose = dialog => {
    setOpen(false);
    openDialog(dialog);
  };
  const onKeyDown = event => {
    const items = [...(menu.current?.querySelectorAll('[role=menuitem]') || [])];
    const at = items.indexOf(document.activeElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      items[(at + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length]?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };
  return h('div', { class: 'workspace-menu' },
    h('button', { ref: button, class: 'icon-button workspace-menu-button', 'aria-haspopup': 'menu',
      'aria-expanded': String(open), 'aria-label': 'Workspace menu', title: 'Workspace menu',
      onClick: () => {
        setOpen(!open);
        if (!open) requestAnimationFrame(() => menu.current?.querySelector('[role=menuitem]')?.focus());
      } }, h(Icon, { name: 'more' })),
    open && h('div', { class: 'menu dropdown workspace-dropdown', role: 'menu', ref: menu, 'aria-label': 'Workspace',
      onKeyDown, onFocusOut: event => !event.currentTarget.parentNode.contains(event.relatedTarget) && setOpen(false) },
    h('button', { role: 'menuitem', class: 'menu-item', 'data-action': 'invite', onClick: () => choose('invite') },
      h(Icon, { name: 'invite', size: 16 }), 'Invite people…'),
    h('button', { role: 'menuitem', class: 'menu-item', 'data-action': 'integrations',
      onClick: () => choose('integrations') }, h(Icon, { name: 'plug', size: 16 }), 'Integrations…')));
}

/** Channels and DMs of the current workspace: re-rendered when the list changes, not when a badge does. */
export function Sidebar({ openDialog, onChose }) {
  const workspaceId = useSlice(client.session.slice, state => state.workspaceId);
  const workspace = useSlice(client.session.slice, state => state.workspaces.find(ws => ws.id === workspaceId));
  const prefs = useSlice(client.sidebar.slice, state => state);
  const keep = useSlice(client.reads.divider, state => state.chatId); // the open chat, opened unread
  const isUnread = chatId => {
    const chat = client.chats.table.get(chatId);
    return !!(chat?.unreadCount || chat?.mentionCount);
  };
  // A new list when a chat comes or goes, is renamed, starred, or (unreads first) gets or loses its badge.
  const sections = useSlice(client.chats.table, () => sidebarSections(client.chats.chatsOf(workspaceId), {
    starred: prefs.starred, unreadsFirst: prefs.unreadsFirst, isUnread, keep,
  }), { equals: sameSections });
  // Names sort the list: chatsOf() gives a new list when a name changes.
  useSlice(client.people.users, () => client.chats.chatsOf(workspaceId));
  return h('aside', { class: 'sidebar', 'aria-label': 'Chats' },
    h('header', { class: 'sidebar-header' },
      h('h2', { class: 'workspace-name' }, workspace ? workspace.name : 'No workspace'),
      workspace && h('div', { class: 'sidebar-header-actions' },
        h('button', { class: 'icon-button', title: 'Invite people', 'aria-label': 'Invite people',
          onClick: () => openDialog('invite') }, h(Icon, { name: 'invite' })),
        h(WorkspaceMenu, { openDialog }))),
    h(SavedLink, { onChose }),
    // A chat chosen (the open one too) closes the list where it is a drawer (a phone).
    h('nav', { class: 'chat-nav', 'aria-label': 'Channels and direct messages',
      onClick: event => event.target.closest?.('.chat-link') && onChose?.() },
      sections.map(section => h('section', { key: section.id, class: `chat-section section-${section.id}`,
        'data-section': section.id, 'aria-label': section.title },
      h('div', { class: 'section-title' },
        h('h3', null, section.title),
        workspace && section.id === 'channels' && h('button', { class: 'icon-button small', title: 'Create a channel',
          'aria-label': 'Create a channel', onClick: () => openDialog('createChannel') }, '+'),
        workspace && section.id === 'dms' && h('button', { class: 'icon-button small', title: 'New direct message',
          'aria-label': 'New direct message', onClick: () => openDialog('newDm') }, '+')),
      h('ul', { class: 'chat-list' }, section.ids.map(chatId => h(ChatLink, { key: chatId, chatId }))),
      workspace && section.id === 'channels'
        && h('button', { class: 'link browse', onClick: () => openDialog('browse') }, 'Browse channels')))),
    h(UserMenu, { openDialog }));
}
