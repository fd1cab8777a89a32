import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { PAUSE_CHOICES, chatSettingsOf, dndState } from '../store/notifications.js';
import {
  desktopBarDismissed, disableDesktop, dismissDesktopBar, enableDesktop, notificationsSupported, permission,
} from '../desktop.js';
import { Icon } from './icons.js';
import { Modal } from './Dialogs.js';
import { useSlice } from './hooks.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayTimeFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

/** "until 14:30" (today) or "until Tue 09:00". */
export function untilText(until) {
  if (!until) {
    return 'until you turn them back on';
  }
  const date = new Date(until);
  const sameDay = date.toDateString() === new Date().toDateString();
  return `until ${(sameDay ? timeFormat : dayTimeFormat).format(date)}`;
}

/** Closes a menu on a click outside it or Escape (focus goes back to its button). */
function useDismiss(open, setOpen, root) {
  useEffect(() => {
    if (!open) {
      return undefined;
    }
    const onDown = event => {
      if (root.current && !root.current.contains(event.target)) {
        setOpen(false);
      }
    };
    const onKey = event => {
      if (event.key === 'Escape') {
        event.preventDefault(); // App's Escape leaves the rest alone
        setOpen(false);
        root.current?.querySelector('button')?.focus();
      }
    };
    document.addEventListener('pointerdown', onDown, true);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onDown, true);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open]);
}

// Toasts

function Toast({ toast }) {
  const open = () => {
    client.notifications.dismiss(toast.messageId);
    client.notifications.release();
    client.openMessageById(toast.chatId, toast.messageId);
  };
  // Title and body are text: Preact sets them as text nodes, never as HTML.
  return h('div', { class: 'notify-toast', role: 'status', 'data-chat-id': toast.chatId,
    'data-message-id': toast.messageId, 'data-count': toast.count || 1 },
  h('button', { class: 'notify-toast-main', onClick: open, 'aria-label': `${toast.title}: ${toast.body}. Open` },
    h('span', { class: 'notify-toast-title' }, toast.title),
    h('span', { class: 'notify-toast-body' }, toast.body)),
  h('button', { class: 'icon-button notify-toast-close', 'aria-label': 'Close notification', title: 'Close',
    onClick: () => client.notifications.dismiss(toast.messageId) }, h(Icon, { name: 'close', size: 16 })));
}

/** The toasts: at most three, the newest on top; hovering them keeps them (each goes 5 s after it came, else). */
export function Toasts() {
  const toasts = useSlice(client.notifications.slice, state => state.toasts);
  useEffect(() => {
    if (toasts.length === 0) {
      client.notifications.release();
    }
  }, [toasts.length === 0]);
  if (toasts.length === 0) {
    return null;
  }
  return h('section', { class: 'notify-toasts', 'aria-label': 'Notifications', 'aria-live': 'polite',
    onMouseEnter: client.notifications.hold, onMouseLeave: client.notifications.release,
    onFocusIn: client.notifications.hold, onFocusOut: client.notifications.release },
  [...toasts].reverse().map(toast => h(Toast, { key: toast.messageId, toast })));
}

// Urgent messages

/** The urgent messages waiting for this user: a banner at the top until each is acknowledged. */
export function UrgentBanner() {
  const urgent = useSlice(client.notifications.slice, state => state.urgent);
  const [failed, setFailed] = useState(null);
  useSlice(client.people.users, () => urgent.map(item => client.people.displayName(item.senderId)).join());
  useSlice(client.chats.table, () => urgent.map(item => client.chats.title(client.chats.table.get(item.chatId))).join());
  if (urgent.length === 0) {
    return null;
  }
  const item = urgent[0];
  const chat = client.chats.table.get(item.chatId);
  const where = chat ? (chat.kind === 'channel' ? ` in #${client.chats.title(chat)}` : '') : '';
  const acknowledge = async () => {
    setFailed(null);
    try {
      await client.notifications.acknowledge(item.messageId);
    } catch (error) {
      setFailed(error.message || 'Not acknowledged, try again');
    }
  };
  return h('div', { class: 'urgent-banner', role: 'alert', 'data-message-id': item.messageId },
    h('span', { class: 'urgent-tag' }, 'Urgent'),
    h('span', { class: 'urgent-text' },
      h('strong', null, `${client.people.displayName(item.senderId)}${where}`),
      item.body ? `: ${item.body}` : ' needs your attention'),
    urgent.length > 1 && h('span', { class: 'urgent-more' }, `+${urgent.length - 1} more`),
    failed && h('span', { class: 'urgent-error' }, failed),
    h('button', { class: 'urgent-open', onClick: () => client.openMessageById(item.chatId, item.messageId) },
      'View'),
    h('button', { class: 'urgent-ack', 'data-action': 'acknowledge', onClick: acknowledge }, 'Acknowledge'));
}

// Desktop notifications: asked for from a click, explained first

export function DesktopBar() {
  const settings = useSlice(client.notifications.slice, state => state.settings);
  const [, setAsked] = useState(0);
  const [hidden, setHidden] = useState(desktopBarDismissed);
  if (hidden || !settings || settings.desktop === false || !notificationsSupported() || permission() !== 'default') {
    return null;
  }
  return h('div', { class: 'desktop-bar', role: 'region', 'aria-label': 'Desktop notifications' },
    h(Icon, { name: 'bell', size: 16 }),
    h('span', null, 'Get notified of mentions and direct messages when OComms is in the background.'),
    h('button', { class: 'primary small-button', 'data-action': 'enable-desktop',
      onClick: async () => { await enableDesktop(); setAsked(n => n + 1); } }, 'Enable'),
    h('button', { class: 'icon-button', 'aria-label': 'Not now', title: 'Not now',
      onClick: () => { dismissDesktopBar(); setHidden(true); } }, h(Icon, { name: 'close', size: 16 })));
}

// One chat's notifications

const LEVELS = [['all', 'All messages'], ['mentions', 'Mentions and direct messages'], ['nothing', 'Nothing']];

/** The bell in the chat's header: what this chat notifies of, and muting it. */
export function ChatNotificationButton({ chatId }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState(null);
  const settings = useSlice(client.notifications.slice, state => chatSettingsOf(state, chatId));
  const root = useRef(null);
  useDismiss(open, setOpen, root);
  useEffect(() => setOpen(false), [chatId]);
  const toggle = () => {
    if (!open) {
      setError(null);
      client.notifications.loadChatSettings(chatId).catch(failure => setError(failure.message));
    }
    setOpen(!open);
  };
  const save = async change => {
    setError(null);
    try {
      await client.notifications.saveChatSettings(chatId, change);
    } catch (failure) {
      setError(failure.message);
    }
  };
  const muted = !!settings?.muted;
  const label = muted ? 'Notifications: muted' : settings?.level === 'nothing' ? 'Notifications: nothing'
    : settings?.level === 'all' ? 'Notifications: all messages' : 'Notifications';
  return h('div', { class: 'chat-notify', ref: root },
    h('button', { class: `search-trigger chat-notify-button${muted || settings?.level === 'nothing' ? ' off' : ''}`,
      'aria-haspopup': 'menu', 'aria-expanded': String(open), 'aria-label': label, title: label,
      'data-level': settings?.level || '', 'data-muted': String(muted), onClick: toggle },
    h(Icon, { name: muted || settings?.level === 'nothing' ? 'bellOff' : 'bell', size: 16 })),
    open && h('div', { class: 'menu dropdown chat-notify-menu', role: 'menu', 'aria-label': 'Notify me about' },
      h('div', { class: 'menu-label' }, 'Notify me about'),
      LEVELS.map(([level, text]) => h('button', {
        role: 'menuitemradio', class: 'menu-item', 'data-level': level,
        'aria-checked': String((settings?.level || 'mentions') === level), disabled: !settings,
        onClick: () => save({ level }),
      }, text)),
      h('hr'),
      h('button', { role: 'menuitemcheckbox', class: 'menu-item', 'data-action': 'mute', 'aria-checked': String(muted),
        disabled: !settings, onClick: () => save({ muted: !muted }) },
      h(Icon, { name: 'bellOff', size: 16 }), 'Mute chat'),
      h('p', { class: 'menu-hint' }, 'Urgent messages always come through.'),
      error && h('p', { class: 'menu-error', role: 'alert' }, error)));
}

/** Whether a chat is muted (the sidebar dims it). */
export function useMuted(chatId) {
  return useSlice(client.notifications.slice, state => !!state.chatSettings[chatId]?.muted);
}

// Do not disturb, and the global toggles: in the user's menu

/** Re-renders when a DND set by hand runs out, and each minute while a schedule may start or end quiet hours. */
function useDndClock(until, scheduled) {
  const [, tick] = useState(0);
  useEffect(() => {
    if (!scheduled) {
      return undefined;
    }
    const timer = setInterval(() => tick(n => n + 1), 60_000);
    return () => clearInterval(timer);
  }, [scheduled]);
  useEffect(() => {
    if (!until) {
      return undefined;
    }
    const left = Date.parse(until) - Date.now();
    if (left <= 0 || left > 2 ** 31 - 1) {
      return undefined;
    }
    const timer = setTimeout(() => tick(n => n + 1), left + 50);
    return () => clearTimeout(timer);
  }, [until]);
}

/** Whether DND holds for the user now (their own avatar shows it). */
export function useDnd() {
  const settings = useSlice(client.notifications.slice, state => state.settings);
  useDndClock(settings?.dnd?.until, !!settings?.schedule);
  return dndState(settings);
}

/** The notification part of the user's menu: pausing, resuming, the schedule, desktop and sound. */
export function NotificationItems({ done, openSchedule }) {
  const settings = useSlice(client.notifications.slice, state => state.settings);
  const dnd = useDnd();
  const [error, setError] = useState(null);
  const run = async action => {
    setError(null);
    try {
      await action();
      done();
    } catch (failure) {
      setError(failure.message);
    }
  };
  if (!settings) {
    return null;
  }
  const supported = notificationsSupported();
  const blocked = permission() === 'denied';
  return [
    h('div', { class: 'menu-label', key: 'label' }, 'Notifications'),
    dnd.active && h('p', { class: 'menu-status', key: 'status', 'data-dnd': 'active' },
      dnd.manual ? `Paused ${untilText(dnd.until)}` : 'Paused by your schedule'),
    dnd.manual && h('button', { role: 'menuitem', class: 'menu-item', key: 'resume', 'data-action': 'resume',
      onClick: () => run(client.notifications.resume) }, h(Icon, { name: 'bell', size: 16 }), 'Resume notifications'),
    h('details', { class: 'menu-sub', key: 'pause' },
      h('summary', { class: 'menu-item', 'data-action': 'pause' }, h(Icon, { name: 'bellOff', size: 16 }),
        dnd.manual ? 'Pause for another time' : 'Pause notifications'),
      PAUSE_CHOICES.map(([choice, text]) => h('button', { role: 'menuitem', class: 'menu-item', key: choice,
        'data-pause': choice, onClick: () => run(() => client.notifications.pause(choice)) }, text))),
    h('button', { role: 'menuitem', class: 'menu-item', key: 'schedule', 'data-action': 'schedule',
      onClick: () => { done(); openSchedule(); } }, h(Icon, { name: 'clock', size: 16 }),
    settings.schedule ? 'Notification schedule (on)…' : 'Notification schedule…'),
    h('button', { role: 'menuitemcheckbox', class: 'menu-item', key: 'desktop', 'data-action': 'desktop',
      'aria-checked': String(settings.desktop !== false && permission() === 'granted'), disabled: !supported || blocked,
      title: !supported ? 'This browser cannot show desktop notifications'
        : blocked ? 'Notifications are blocked for this site in the browser\'s settings' : undefined,
      onClick: () => run(settings.desktop !== false && permission() === 'granted' ? disableDesktop : enableDesktop) },
    'Desktop notifications'),
    h('button', { role: 'menuitemcheckbox', class: 'menu-item', key: 'sound', 'data-action': 'sound',
      'aria-checked': String(settings.sound !== false),
      onClick: () => run(() => client.notifications.saveSettings({ sound: settings.sound === false })) },
    'Sound'),
    error && h('p', { class: 'menu-error', role: 'alert', key: 'error' }, error),
  ];
}

const DAYS = [['mon', 'Mon'], ['tue', 'Tue'], ['wed', 'Wed'], ['thu', 'Thu'], ['fri', 'Fri'], ['sat', 'Sat'],
  ['sun', 'Sun']];

function timeZones(current) {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes(current) ? zones : [current, ...zones];
}

/** Quiet hours: on which days, from when to when, in which time zone. */
export function ScheduleDialog({ onClose }) {
  const settings = useSlice(client.notifications.slice, state => state.settings);
  const existing = settings?.schedule;
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [days, setDays] = useState(existing?.days || ['mon', 'tue', 'wed', 'thu', 'fri']);
  const [start, setStart] = useState(existing?.start || '18:00');
  const [end, setEnd] = useState(existing?.end || '09:00');
  const [zone, setZone] = useState(existing?.timeZone || here);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const save = async schedule => {
    setBusy(true);
    setError(null);
    try {
      await client.notifications.saveSettings({ schedule });
      onClose();
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  };
  const toggleDay = day => setDays(days.includes(day) ? days.filter(d => d !== day)
    : DAYS.map(([d]) => d).filter(d => d === day || days.includes(d)));
  return h(Modal, { title: 'Notification schedule', onClose },
    h('form', { class: 'dialog-form schedule-form', onSubmit: event => {
      event.preventDefault();
      save({ days, start, end, timeZone: zone });
    } },
    h('p', { class: 'hint' }, 'Notifications pause during these hours (urgent messages still come through). '
      + 'An end before the start runs into the next morning.'),
    h('fieldset', { class: 'schedule-days' },
      h('legend', null, 'Days'),
      DAYS.map(([day, text]) => h('label', { class: 'check day', key: day },
        h('input', { type: 'checkbox', name: 'day', value: day, checked: days.includes(day),
          onChange: () => toggleDay(day) }), text))),
    h('div', { class: 'schedule-times' },
      h('label', null, 'From', h('input', { type: 'time', name: 'start', value: start, required: true,
        onInput: event => setStart(event.currentTarget.value) })),
      h('label', null, 'To', h('input', { type: 'time', name: 'end', value: end, required: true,
        onInput: event => setEnd(event.currentTarget.value) }))),
    h('label', { for: 'schedule-zone' }, 'Time zone'),
    h('select', { id: 'schedule-zone', name: 'timeZone', value: zone, onChange: event => setZone(event.currentTarget.value) },
      timeZones(zone).map(name => h('option', { key: name, value: name }, name))),
    error && h('p', { class: 'form-error', role: 'alert' }, error),
    h('div', { class: 'dialog-actions' },
      existing && h('button', { type: 'button', class: 'link', 'data-action': 'remove-schedule', disabled: busy,
        onClick: () => save(null) }, 'Remove schedule'),
      h('button', { type: 'button', onClick: onClose }, 'Cancel'),
      h('button', { type: 'submit', class: 'primary', disabled: busy || days.length === 0 }, 'Save'))));
}
