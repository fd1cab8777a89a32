import { h } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { candidates, lineText, roleOf } from '../store/members.js';
import { Modal } from './Dialogs.js';
import { askConfirm } from './Confirm.js';
import { Avatar, BotTag } from './Message.js';
import { PresenceDot } from './Sidebar.js';
import { StatusEmoji } from './Profile.js';
import { Icon } from './icons.js';
import { useDisplayName, useRow, useSlice } from './hooks.js';

const NO_MEMBERS = new Map();
const ROLE_LABEL = { owner: 'Workspace owner', admin: 'Workspace admin', member: 'Member' };

/** Escape closes the dialog it is pressed in, and nothing else (App hears a prevented Escape as handled). */
const closeOnEscape = onClose => event => {
  if (event.key === 'Escape') {
    event.preventDefault();
    event.stopPropagation();
    onClose();
  }
};

/** The header's member count: opens (or closes) the members panel. */
export function MembersButton({ chat }) {
  const open = useSlice(client.members.slice, state => state.open && state.chatId === chat.id);
  const count = chat.memberCount || 0;
  return h('button', {
    class: 'member-count members-button', title: 'Members', 'aria-expanded': String(open), 'data-count': count,
    onClick: () => client.members.toggle(chat.id),
  }, `${count || ''} ${count === 1 ? 'member' : 'members'}`);
}

/** Workspace members not in the chat, found as one types; several chosen are added at once. */
export function AddPeopleDialog({ chatId, onClose }) {
  const chat = useRow(client.chats.table, chatId);
  const view = useRow(client.messages.views, chatId);
  const users = useSlice(client.people.users, table => table);
  const workspaceIds = useSlice(client.people.members, state => state.byWorkspace.get(chat?.workspaceId) || []);
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const memberIds = [...(view?.members || NO_MEMBERS).keys()];
  const found = candidates({ workspaceIds, memberIds, users, query });
  const toggle = userId => setChosen(list => (list.includes(userId) ? list.filter(id => id !== userId) : [...list, userId]));
  const add = async event => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const failed = await client.members.addPeople(chatId, chosen);
    setBusy(false);
    if (failed.length === 0) {
      onClose();
    } else {
      setChosen(failed.map(failure => failure.userId));
      setError(failed.map(failure => `${client.people.displayName(failure.userId)}: ${failure.error}`).join('; '));
    }
  };
  const name = chat?.kind === 'channel' ? `#${chat.name}` : 'this conversation';
  return h('div', { class: 'add-people-dialog', onKeyDown: closeOnEscape(onClose) },
    h(Modal, { title: `Add people to ${name}`, onClose },
      h('form', { class: 'dialog-form', onSubmit: add },
        h('label', { for: 'add-people-query' }, 'Find people in this workspace'),
        h('input', { id: 'add-people-query', value: query, placeholder: 'Type a name', autocomplete: 'off',
          role: 'combobox', 'aria-expanded': 'true', 'aria-controls': 'add-people-list',
          onInput: event => setQuery(event.currentTarget.value) }),
        chosen.length > 0 && h('div', { class: 'chosen-people', 'aria-label': 'Chosen' },
          chosen.map(userId => h('button', { key: userId, type: 'button', class: 'person-chip', 'data-user-id': userId,
            'aria-label': `Remove ${client.people.displayName(userId)} from the choice`, onClick: () => toggle(userId) },
          client.people.displayName(userId), ' ✕'))),
        h('ul', { id: 'add-people-list', class: 'people-picker', role: 'listbox', 'aria-multiselectable': 'true',
          'aria-label': 'People' },
        found.map(user => h('li', {
          key: user.id, role: 'option', class: 'person-option', 'aria-selected': String(chosen.includes(user.id)),
          'data-user-id': user.id, tabindex: 0, onClick: () => toggle(user.id),
          onKeyDown: event => (event.key === 'Enter' || event.key === ' ') && (event.preventDefault(), toggle(user.id)),
        },
        h(Avatar, { userId: user.id, size: 'small' }),
        h('span', { class: 'person-name' }, user.displayName),
        user.username && h('span', { class: 'muted' }, ` @${user.username}`),
        h('span', { class: 'person-check', 'aria-hidden': 'true' }, chosen.includes(user.id) ? '✓' : '')))),
        found.length === 0 && h('p', { class: 'hint' },
          query ? 'No one else in this workspace matches.' : 'Everyone in this workspace is already here.'),
        error && h('p', { class: 'form-error', role: 'alert' }, error),
        h('div', { class: 'dialog-actions' },
          h('button', { class: 'secondary', type: 'button', onClick: onClose }, 'Cancel'),
          h('button', { class: 'primary', type: 'submit', disabled: busy || chosen.length === 0 },
            chosen.length > 1 ? `Add ${chosen.length} people` : 'Add')))));
}

function MemberRow({ userId, role, me, canRemove, onRemove }) {
  const name = useDisplayName(userId);
  return h('li', { class: 'member-row', 'data-user-id': userId, 'data-role': role },
    h('span', { class: 'member-avatar' }, h(Avatar, { userId, size: 'small' }), h(PresenceDot, { userId })),
    h('button', { class: 'member-name', title: `View ${name}'s profile`, onClick: () => client.people.showCard(userId) },
      name, h(BotTag, { userId }), userId === me && h('span', { class: 'member-you' }, ' (You)'),
      h(StatusEmoji, { userId })),
    h('span', { class: `member-role role-${role}`, title: ROLE_LABEL[role] }, role),
    canRemove && userId !== me && h('button', {
      class: 'icon-button member-remove', 'aria-label': `Remove ${name} from the channel`,
      title: 'Remove from channel', onClick: () => onRemove(userId),
    }, h(Icon, { name: 'close', size: 16 })));
}

/** An inline form for one text field of the chat (its topic, its name): shown, then edited in place. */
function InlineField({ label, value, placeholder, editable, maxLength, prefix, onSave, testId }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(value || '');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);
  useEffect(() => {
    if (!editing) setText(value || '');
  }, [value, editing]);
  useEffect(() => {
    if (editing) input.current?.focus();
  }, [editing]);
  const save = async event => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSave(text.trim());
      setEditing(false);
    } catch (failure) {
      setError(failure?.message || 'Not saved');
    } finally {
      setBusy(false);
    }
  };
  if (editing) {
    return h('form', { class: 'detail-field editing', 'data-field': testId, onSubmit: save,
      onKeyDown: event => event.key === 'Escape' && (event.preventDefault(), event.stopPropagation(), setEditing(false)) },
    h('label', { for: `detail-${testId}` }, label),
    h('input', { id: `detail-${testId}`, ref: input, value: text, maxLength, placeholder,
      onInput: event => setText(event.currentTarget.value) }),
    error && h('p', { class: 'form-error', role: 'alert' }, error),
    h('div', { class: 'dialog-actions' },
      h('button', { class: 'secondary', type: 'button', onClick: () => setEditing(false) }, 'Cancel'),
      h('button', { class: 'primary', type: 'submit', disabled: busy }, 'Save')));
  }
  return h('div', { class: 'detail-field', 'data-field': testId },
    h('span', { class: 'detail-label' }, label),
    h('span', { class: `detail-value${value ? '' : ' muted'}` }, value ? `${prefix || ''}${value}` : placeholder),
    editable && h('button', { class: 'link detail-edit', 'aria-label': `Edit ${label.toLowerCase()}`,
      onClick: () => setEditing(true) }, 'Edit'));
}

/** Asks in the app's confirmation dialog (components/Confirm.js), which runs the action and shows its failure. */
const ask = ({ title, text, action, danger = true, run }) => askConfirm({ title, text, confirm: action, danger, run });

/** The channel's details: name, topic, purpose, archived; rename, archive and leave for those allowed. */
function ChannelDetails({ chat, can }) {
  return h('section', { class: 'channel-details', 'aria-label': 'Channel details' },
    h(InlineField, { label: 'Name', value: chat.name, prefix: '#', editable: can.rename, maxLength: 80, testId: 'name',
      placeholder: 'No name', onSave: name => client.members.rename(chat.id, name) }),
    h(InlineField, { label: 'Topic', value: chat.topic, editable: can.topic, maxLength: 250, testId: 'topic',
      placeholder: 'Add a topic', onSave: topic => client.members.setTopic(chat.id, topic) }),
    h(InlineField, { label: 'Purpose', value: chat.purpose, editable: can.topic, maxLength: 250, testId: 'purpose',
      placeholder: 'Add a purpose', onSave: purpose => client.members.setPurpose(chat.id, purpose) }),
    chat.archived && h('p', { class: 'archived-note', role: 'status' }, 'This channel is archived: it is read-only.'),
    h('div', { class: 'detail-actions' },
      can.archive && h('button', { class: 'secondary', onClick: () => ask(chat.archived
        ? { title: 'Unarchive channel', text: `Unarchive #${chat.name}? Its members can write in it again.`,
          action: 'Unarchive', danger: false, run: () => client.members.setArchived(chat.id, false) }
        : { title: 'Archive channel', text: `Archive #${chat.name}? It becomes read-only and leaves the sidebar.`,
          action: 'Archive', run: () => client.members.setArchived(chat.id, true) }) },
      chat.archived ? 'Unarchive' : 'Archive'),
      can.leave && h('button', { class: 'secondary danger-text', onClick: () => ask({
        title: 'Leave channel', text: `Leave #${chat.name}?${chat.private ? ' It is private: someone must add you again.' : ''}`,
        action: 'Leave', run: () => client.leaveChat(chat.id) }) }, 'Leave channel')));
}

/** The open chat's members: who, their presence and role; add, remove, and the channel's details. */
export function MembersPanel() {
  const state = useSlice(client.members.slice, value => value);
  const chat = useRow(client.chats.table, state.chatId);
  const view = useRow(client.messages.views, state.chatId);
  const [query, setQuery] = useState('');
  const [dialog, setDialog] = useState(null); // 'add': the add-people dialog
  const heading = useRef(null);
  useEffect(() => {
    if (state.open) heading.current?.focus();
    setQuery('');
    setDialog(null);
  }, [state.open, state.chatId]);
  const memberIds = [...(view?.members || NO_MEMBERS).keys()];
  useSlice(client.people.users, table => table); // names of members learnt later
  const me = client.session.me();
  const rows = useMemo(() => memberIds
    .map(userId => ({ userId, role: roleOf(state.roles, userId), name: client.people.displayName(userId) }))
    .filter(row => !query.trim() || row.name.toLowerCase().includes(query.trim().toLowerCase())
      || (client.people.users.get(row.userId)?.username || '').toLowerCase().includes(query.trim().toLowerCase()))
    .sort((a, b) => (b.userId === me) - (a.userId === me) || a.name.localeCompare(b.name)),
  [view?.members, state.roles, query, client.people.users.version]);
  if (!state.open || !chat) {
    return null;
  }
  const can = client.members.permissions(chat.id);
  const close = () => client.members.hide();
  const confirmRemove = userId => ask({
    title: 'Remove from channel',
    text: `Remove ${client.people.displayName(userId)} from ${chat.kind === 'channel' ? `#${chat.name}` : 'this chat'}?`,
    action: 'Remove', run: () => client.members.removeMember(chat.id, userId),
  });
  return h('aside', { class: 'files-panel members-panel', 'aria-label': 'Members of this chat',
    onKeyDown: event => event.key === 'Escape' && !event.defaultPrevented && (event.stopPropagation(), close()) },
  h('header', { class: 'thread-header' },
    h('h2', { ref: heading, tabindex: -1 }, chat.kind === 'channel' ? `#${chat.name}` : 'Members'),
    h('button', { class: 'icon-button', 'aria-label': 'Close members', onClick: close }, h(Icon, { name: 'close' }))),
  h('div', { class: 'members-body' },
    chat.kind === 'channel' && h(ChannelDetails, { chat, can }),
    h('div', { class: 'members-tools' },
      h('h3', null, `Members (${memberIds.length})`),
      can.add && h('button', { class: 'primary add-people', onClick: () => setDialog('add') },
        h(Icon, { name: 'plus', size: 16 }), ' Add people')),
    memberIds.length > 8 || query ? h('input', { class: 'members-search', type: 'search', value: query,
      placeholder: 'Find members', 'aria-label': 'Find members', onInput: event => setQuery(event.currentTarget.value) })
      : null,
    state.error && h('p', { class: 'search-error', role: 'alert' }, state.error),
    h('ul', { class: 'members-list', 'aria-label': 'Members' },
      rows.map(row => h(MemberRow, { key: row.userId, userId: row.userId, role: row.role, me, canRemove: can.remove,
        onRemove: confirmRemove }))),
    rows.length === 0 && h('p', { class: 'search-empty' }, query ? 'No member matches.' : 'Loading…')),
  dialog === 'add' && h(AddPeopleDialog, { chatId: chat.id, onClose: () => setDialog(null) }));
}

/** A system message (a join, a leave, a rename...), as a line between the messages. */
export function SystemLine({ message }) {
  const system = message.system || {};
  const ids = [system.actorId, ...(system.userIds || [])];
  // Re-rendered when one of the names changes (or arrives).
  const text = useSlice(client.people.users, () => lineText(system, client.people.displayName), { key: ids.join() });
  return h('div', { class: 'system-line', role: 'note', 'data-kind': system.action, 'data-seq': message.seq,
    'data-user-id': (system.userIds || [])[0] || system.actorId },
  h('span', null, text));
}
