// Profiles: a person's status beside their name, the profile card (clicking a name), and the dialog where the user
// edits their own display name, status ("Clear after") and time zone.

import { h } from 'preact';
import { useEffect, useReducer, useState } from 'preact/hooks';
import { client } from '../store.js';
import { useSlice } from './hooks.js';
import { Avatar } from './Message.js';
import { Modal } from './Dialogs.js';
import { PresenceDot } from './Sidebar.js';
import {
  CLEAR_AFTER, STATUS_TEXT_MAX, activeStatus, browserTimeZone, expiryOf, localTime, msUntilExpiry, statusLabel,
} from '../store/status.js';

const QUICK_EMOJI = ['💬', '📅', '🍔', '🚌', '🤒', '🌴', '🏠', '🎧', '✅', '🔕'];

/** A user's profile, re-rendered when it changes. */
function useProfile(userId) {
  return useSlice(client.people.users, users => users.get(userId) || null, { key: userId });
}

/** The status that holds now; the component renders again when it expires (it clears itself). */
export function useStatus(userId) {
  const user = useProfile(userId);
  const [, tick] = useReducer(n => n + 1, 0);
  const wait = msUntilExpiry(user, Date.now());
  useEffect(() => {
    if (wait === null) {
      return undefined;
    }
    const timer = setTimeout(tick, Math.min(wait + 50, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [wait, user]);
  return activeStatus(user, Date.now());
}

/** The emoji of a person's status beside their name (💬 for a status of text only); nothing without one. */
export function StatusEmoji({ userId }) {
  const status = useStatus(userId);
  if (!status) {
    return null;
  }
  const label = statusLabel(status);
  return h('span', { class: 'status-emoji', title: label, role: 'img', 'aria-label': `Status: ${label}`,
    'data-status': status.text || status.emoji }, status.emoji || '💬');
}

/** The current time in a zone, moving on each minute. */
function LocalTime({ timeZone }) {
  const [, tick] = useReducer(n => n + 1, 0);
  useEffect(() => {
    const timer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 50);
    return () => clearTimeout(timer);
  });
  const time = localTime(timeZone, new Date());
  if (!time) {
    return null;
  }
  const mine = timeZone === (client.session.slice.state.session?.user.timeZone || browserTimeZone());
  return h('p', { class: 'profile-local-time', 'data-time-zone': timeZone },
    h('span', { class: 'profile-time' }, time), ' local time', mine ? '' : h('span', { class: 'hint' }, ` (${timeZone})`));
}

/** A person's card: avatar, names, status, local time, and "Message" (or, for oneself, "Edit profile"). */
export function ProfileCardHost({ openDialog }) {
  const userId = useSlice(client.people.card, state => state.userId);
  if (!userId) {
    return null;
  }
  return h(ProfileCard, { userId, openDialog, onClose: () => client.people.showCard(null) });
}

function ProfileCard({ userId, openDialog, onClose }) {
  const user = useProfile(userId);
  const status = useStatus(userId);
  const [error, setError] = useState(null);
  const own = userId === client.session.me();
  useEffect(() => {
    const onKey = event => event.key === 'Escape' && (event.stopPropagation(), onClose());
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  const message = async () => {
    setError(null);
    try {
      await client.messageUser(userId);
    } catch (failure) {
      setError(failure.message);
    }
  };
  return h(Modal, { title: 'Profile', onClose },
    h('div', { class: 'profile-card', 'data-user-id': userId },
      h('div', { class: 'profile-head' },
        h('span', { class: 'profile-avatar' }, h(Avatar, { userId, size: 'large' })),
        h('div', { class: 'profile-names' },
          h('h3', { class: 'profile-display-name' }, user?.displayName || 'Someone', ' ', h(PresenceDot, { userId })),
          user && h('p', { class: 'profile-username' }, `@${user.username}`))),
      status && h('p', { class: 'profile-status', 'data-status': status.text || status.emoji },
        status.emoji && h('span', { class: 'profile-status-emoji', 'aria-hidden': 'true' }, status.emoji),
        h('span', null, statusLabel({ ...status, emoji: '' }) || 'Status set')),
      user?.timeZone && h(LocalTime, { timeZone: user.timeZone }),
      error && h('p', { class: 'form-error', role: 'alert' }, error),
      h('div', { class: 'dialog-actions' },
        own
          ? h('button', { class: 'primary', 'data-action': 'edit-profile',
            onClick: () => { onClose(); openDialog('profile'); } }, 'Edit profile')
          : h('button', { class: 'primary', 'data-action': 'message', onClick: message }, 'Message'))));
}

/** Every IANA zone the browser knows (the user's own first if it is missing). */
function zones(current) {
  let all = [];
  try {
    all = Intl.supportedValuesOf('timeZone');
  } catch {
    all = [];
  }
  return current && !all.includes(current) ? [current, ...all] : all;
}

/** The user's own profile: display name, status with "Clear after", time zone. */
export function ProfileDialog({ onClose }) {
  const me = client.session.slice.state.session?.user;
  const current = activeStatus(client.people.users.get(me.id) || me, Date.now());
  const [displayName, setDisplayName] = useState(me.displayName);
  const [emoji, setEmoji] = useState(current?.emoji || '');
  const [text, setText] = useState(current?.text || '');
  const [clearAfter, setClearAfter] = useState(current ? (current.expiresAt ? 'keep' : 'never') : '1h');
  const [timeZone, setTimeZone] = useState(me.timeZone || browserTimeZone() || '');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const save = async (change) => {
    setBusy(true);
    setError(null);
    try {
      await client.updateProfile(change);
      onClose();
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  };
  const submit = event => {
    event.preventDefault();
    const change = {};
    if (displayName.trim() !== me.displayName) change.displayName = displayName.trim();
    if (timeZone && timeZone !== me.timeZone) change.timeZone = timeZone;
    const hasStatus = !!(emoji.trim() || text.trim());
    if (!hasStatus && current) {
      change.status = null;
    } else if (hasStatus) {
      const expiresAt = clearAfter === 'keep' ? current.expiresAt : expiryOf(clearAfter, new Date());
      if (!current || emoji.trim() !== current.emoji || text.trim() !== current.text
        || expiresAt !== (current.expiresAt || null)) {
        change.status = { text: text.trim(), emoji: emoji.trim(), expiresAt };
      }
    }
    if (Object.keys(change).length === 0) {
      onClose();
      return;
    }
    save(change);
  };

  return h(Modal, { title: 'Edit profile', onClose },
    h('form', { class: 'dialog-form profile-form', onSubmit: submit },
      h('label', { for: 'profile-name' }, 'Display name'),
      h('input', { id: 'profile-name', value: displayName, required: true, maxLength: 64, autocomplete: 'name',
        onInput: e => setDisplayName(e.currentTarget.value) }),
      h('label', { for: 'profile-status-text' }, 'Status'),
      h('div', { class: 'row status-row' },
        h('input', { id: 'profile-status-emoji', class: 'status-emoji-input', value: emoji, maxLength: 16,
          'aria-label': 'Status emoji', placeholder: '💬', onInput: e => setEmoji(e.currentTarget.value) }),
        h('input', { id: 'profile-status-text', value: text, maxLength: STATUS_TEXT_MAX,
          placeholder: "What's your status?", onInput: e => setText(e.currentTarget.value) })),
      h('div', { class: 'quick-emoji', role: 'group', 'aria-label': 'Choose a status emoji' },
        QUICK_EMOJI.map(choice => h('button', { type: 'button', class: `quick-emoji-choice${choice === emoji ? ' chosen' : ''}`,
          'aria-pressed': String(choice === emoji), 'aria-label': `Emoji ${choice}`, onClick: () => setEmoji(choice) },
        choice))),
      h('small', { class: 'hint' }, `${text.length}/${STATUS_TEXT_MAX}`),
      h('label', { for: 'profile-clear-after' }, 'Clear after'),
      h('select', { id: 'profile-clear-after', value: clearAfter, onChange: e => setClearAfter(e.currentTarget.value) },
        current?.expiresAt && h('option', { value: 'keep' }, `Keep: ${statusLabel({ ...current, text: '', emoji: '' })
          .replace(/^, /, '')}`),
        CLEAR_AFTER.map(([value, label]) => h('option', { value }, label))),
      h('label', { for: 'profile-time-zone' }, 'Time zone'),
      h('select', { id: 'profile-time-zone', value: timeZone, onChange: e => setTimeZone(e.currentTarget.value) },
        zones(timeZone).map(zone => h('option', { value: zone }, zone.replace(/_/g, ' ')))),
      error && h('p', { class: 'form-error', role: 'alert' }, error),
      h('div', { class: 'dialog-actions' },
        h('button', { class: 'primary', type: 'submit', disabled: busy || !displayName.trim() }, 'Save'),
        current && h('button', { type: 'button', class: 'secondary', 'data-action': 'clear-status', disabled: busy,
          onClick: () => save({ status: null }) }, 'Clear status'),
        h('button', { type: 'button', class: 'secondary', onClick: onClose }, 'Cancel'))));
}
