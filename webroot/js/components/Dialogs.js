import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { PresenceDot } from './Sidebar.js';
import { Avatar } from './Message.js';
import { useSlice } from './hooks.js';
import { inviteLink } from '../store/status.js';

/** A modal dialog; focus moves into it and comes back when it closes. Esc closes it (App). */
export function Modal({ title, onClose, children, wide }) {
  const panel = useRef(null);
  useEffect(() => {
    const before = document.activeElement;
    const first = panel.current?.querySelector('input, select, textarea, button:not(.close)');
    first?.focus();
    return () => before?.focus?.();
  }, []);
  const titleId = `dialog-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return h('div', { class: 'modal-backdrop', onMouseDown: event => event.target === event.currentTarget && onClose() },
    h('div', { class: `modal${wide ? ' wide' : ''}`, role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, ref: panel },
      h('header', { class: 'modal-header' },
        h('h2', { id: titleId }, title),
        h('button', { class: 'icon-button close', 'aria-label': 'Close', onClick: onClose }, '✕')),
      children));
}

function useAction(action, onDone) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async (...args) => {
    setBusy(true);
    setError(null);
    try {
      const result = await action(...args);
      onDone?.(result);
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  };
  return [run, busy, error];
}

export function WorkspaceDialog({ onClose }) {
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [create, creating, createError] = useAction(() => client.createWorkspace(name.trim()), onClose);
  const [join, joining, joinError] = useAction(() => client.joinWorkspace(code), onClose);
  return h(Modal, { title: 'Workspaces', onClose },
    h('form', { class: 'dialog-form', onSubmit: e => { e.preventDefault(); create(); } },
      h('label', { for: 'ws-name' }, 'Create a workspace'),
      h('div', { class: 'row' },
        h('input', { id: 'ws-name', value: name, maxLength: 80, required: true, placeholder: 'Team name',
          onInput: e => setName(e.currentTarget.value) }),
        h('button', { class: 'primary', type: 'submit', disabled: creating || !name.trim() }, 'Create')),
      createError && h('p', { class: 'form-error', role: 'alert' }, createError)),
    h('form', { class: 'dialog-form', onSubmit: e => { e.preventDefault(); join(); } },
      h('label', { for: 'ws-code' }, 'Join with an invite code'),
      h('div', { class: 'row' },
        h('input', { id: 'ws-code', value: code, required: true, placeholder: 'Invite code',
          onInput: e => setCode(e.currentTarget.value) }),
        h('button', { class: 'primary', type: 'submit', disabled: joining || !code.trim() }, 'Join')),
      joinError && h('p', { class: 'form-error', role: 'alert' }, joinError)));
}

export function InviteDialog({ onClose }) {
  const [invite, setInvite] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    client.createInvite().then(setInvite, failure => setError(failure.message));
  }, []);
  return h(Modal, { title: 'Invite people', onClose },
    error && h('p', { class: 'form-error', role: 'alert' }, error),
    !invite && !error && h('p', { role: 'status' }, 'Creating an invite…'),
    invite && h('div', { class: 'dialog-form' },
      h('label', { for: 'invite-link' }, 'Share this link; it works until ',
        new Date(invite.expiresAt).toLocaleString(), '.'),
      h('div', { class: 'row' },
        h('input', { id: 'invite-link', readOnly: true, value: inviteLink(location.origin, invite.code),
          onFocus: e => e.currentTarget.select() }),
        h(CopyButton, { text: inviteLink(location.origin, invite.code) })),
      h('small', { class: 'hint' }, 'Or the code alone: ', h('code', { class: 'invite-code' }, invite.code))));
}

/**
 * Copies text, saying "Copied" for a moment (or, where the clipboard is refused, selects the field `fieldId` shows it
 * in, to copy by hand). `label`: the button's text; `what`: the thing copied, as the screen reader is told.
 */
export function CopyButton({ text, fieldId = 'invite-link', label = 'Copy link', what = 'Link' }) {
  const [state, setState] = useState('idle');
  useEffect(() => {
    if (state === 'idle') return undefined;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      document.getElementById(fieldId)?.select();
      setState('failed');
    }
  };
  return [
    h('button', { class: 'primary copy-button', 'data-state': state, onClick: copy },
      state === 'copied' ? '✓ Copied' : label),
    h('span', { class: 'visually-hidden', role: 'status' },
      state === 'copied' ? `${what} copied`
        : state === 'failed' ? `Press Ctrl+C to copy the selected ${what.toLowerCase()}` : ''),
  ];
}

export function CreateChannelDialog({ onClose }) {
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [create, busy, error] = useAction(() => client.createChannel(name.trim(), isPrivate, topic.trim()), onClose);
  return h(Modal, { title: 'Create a channel', onClose },
    h('form', { class: 'dialog-form', onSubmit: e => { e.preventDefault(); create(); } },
      h('label', { for: 'channel-name' }, 'Name'),
      h('input', { id: 'channel-name', value: name, required: true, maxLength: 80, pattern: '[a-z0-9_\\-]+',
        placeholder: 'e.g. plans', 'aria-describedby': 'channel-name-hint',
        onInput: e => setName(e.currentTarget.value.toLowerCase().replace(/\s+/g, '-')) }),
      h('small', { id: 'channel-name-hint', class: 'hint' }, 'Lower-case letters, digits, "-" and "_".'),
      h('label', { for: 'channel-topic' }, 'Topic (optional)'),
      h('input', { id: 'channel-topic', value: topic, onInput: e => setTopic(e.currentTarget.value) }),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', checked: isPrivate,
        onChange: e => setPrivate(e.currentTarget.checked) }), ' Private: only invited members can see it'),
      error && h('p', { class: 'form-error', role: 'alert' }, error),
      h('button', { class: 'primary', type: 'submit', disabled: busy || !name }, 'Create')));
}

export function BrowseDialog({ onClose }) {
  const [channels, setChannels] = useState(null);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState(null);
  useEffect(() => {
    client.browseChannels().then(setChannels, failure => setError(failure.message));
  }, []);
  const shown = (channels || []).filter(c => c.name.includes(filter.toLowerCase()));
  return h(Modal, { title: 'Browse channels', onClose, wide: true },
    h('input', { 'aria-label': 'Filter channels', placeholder: 'Filter', value: filter,
      onInput: e => setFilter(e.currentTarget.value) }),
    error && h('p', { class: 'form-error', role: 'alert' }, error),
    !channels && !error && h('p', { role: 'status' }, 'Loading…'),
    h('ul', { class: 'browse-list' }, shown.map(channel => {
      const member = client.chats.table.has(channel.id);
      return h('li', { key: channel.id },
        h('div', null, h('strong', null, `#${channel.name}`), channel.topic && h('span', { class: 'muted' }, ` — ${channel.topic}`),
          h('div', { class: 'muted small' }, `${channel.memberCount} members`)),
        member ? h('button', { onClick: () => { client.openChat(channel.id); onClose(); } }, 'Open')
          : h('button', {
            class: 'primary', onClick: () => client.joinChannel(channel.id).then(onClose, e => setError(e.message)),
          }, 'Join'));
    })));
}

export function NewDmDialog({ onClose }) {
  const [chosen, setChosen] = useState([]);
  const [filter, setFilter] = useState('');
  const [start, busy, error] = useAction(() => client.startDm(chosen), onClose);
  useEffect(() => {
    client.refreshMembers().catch(() => {});
  }, []);
  useSlice(client.people.members, state => state);
  useSlice(client.people.users, users => users.version);
  const me = client.session.me();
  const people = client.workspaceMemberIds().filter(id => id !== me).map(id => client.people.users.get(id))
    .filter(Boolean)
    .filter(user => `${user.displayName} ${user.username}`.toLowerCase().includes(filter.toLowerCase()));
  const toggle = id => setChosen(chosen.includes(id) ? chosen.filter(x => x !== id) : [...chosen, id].slice(0, 7));
  return h(Modal, { title: 'New direct message', onClose },
    h('input', { 'aria-label': 'Find people', placeholder: 'Find people', value: filter,
      onInput: e => setFilter(e.currentTarget.value) }),
    h('ul', { class: 'people-list' }, people.map(user => h('li', { key: user.id },
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', checked: chosen.includes(user.id), onChange: () => toggle(user.id) }),
        h(Avatar, { userId: user.id, size: 'small' }), h(PresenceDot, { userId: user.id }),
        ` ${user.displayName} `, h('span', { class: 'muted' }, `@${user.username}`))))),
    error && h('p', { class: 'form-error', role: 'alert' }, error),
    h('button', { class: 'primary', disabled: busy || chosen.length === 0, onClick: () => start() }, 'Start conversation'));
}

/** Ctrl/Cmd+K: jump to any chat by name. */
export function QuickSwitcher({ onClose }) {
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  useSlice(client.chats.table, chats => chats.version);
  const { workspaces, workspaceId } = useSlice(client.session.slice, state => state);
  const all = [...client.chats.table.values()].map(chat => ({
    chat, title: client.chats.title(chat),
    workspace: workspaces.find(ws => ws.id === chat.workspaceId)?.name || '',
  }));
  const q = query.toLowerCase();
  const matches = all.filter(item => item.title.toLowerCase().includes(q))
    .sort((a, b) => (b.chat.unreadCount || 0) - (a.chat.unreadCount || 0)
      || Number(!a.title.toLowerCase().startsWith(q)) - Number(!b.title.toLowerCase().startsWith(q))
      || a.title.localeCompare(b.title))
    .slice(0, 12);
  const choose = item => {
    if (!item) return;
    if (item.chat.workspaceId !== workspaceId) {
      client.switchWorkspace(item.chat.workspaceId).then(() => client.openChat(item.chat.id));
    } else {
      client.openChat(item.chat.id);
    }
    onClose();
  };
  return h(Modal, { title: 'Jump to a conversation', onClose },
    h('input', {
      class: 'switcher-input', 'aria-label': 'Conversation name', placeholder: 'Where to?', value: query,
      role: 'combobox', 'aria-expanded': 'true', 'aria-controls': 'switcher-list',
      'aria-activedescendant': matches[index] ? `switch-${matches[index].chat.id}` : undefined,
      onInput: e => { setQuery(e.currentTarget.value); setIndex(0); },
      onKeyDown: e => {
        if (e.key === 'ArrowDown') { e.preventDefault(); setIndex(Math.min(index + 1, matches.length - 1)); }
        if (e.key === 'ArrowUp') { e.preventDefault(); setIndex(Math.max(index - 1, 0)); }
        if (e.key === 'Enter') { e.preventDefault(); choose(matches[index]); }
      },
    }),
    h('ul', { id: 'switcher-list', class: 'switcher-list', role: 'listbox' }, matches.map((item, i) => h('li', {
      id: `switch-${item.chat.id}`, role: 'option', 'aria-selected': String(i === index),
      class: i === index ? 'selected' : '', key: item.chat.id,
      onMouseDown: e => { e.preventDefault(); choose(item); },
    }, h('span', null, item.chat.kind === 'channel' ? `#${item.title}` : item.title),
    item.chat.unreadCount ? h('span', { class: 'badge' }, String(item.chat.unreadCount)) : null,
    h('span', { class: 'muted small' }, item.workspace)))));
}
