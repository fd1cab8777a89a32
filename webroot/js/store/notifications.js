// The notifications slice: what the notifications verticle tells this user. The toasts to show (a stack of at most
// three, newest last; a grouped toast of a chat replaces that chat's), the urgent messages waiting for this user's
// acknowledgement, who acknowledged the urgent messages this user sent, and the user's notification settings as they
// change on any device. The settings themselves are read and saved through the API.

import { EVENT, REQUEST, SCOPE } from '../protocol.js';
import { createSlice } from './slice.js';

/** How many toasts are shown at once. */
export const MAX_TOASTS = 3;

/** The server forgets a device's focus 120 s after its report: a chat still shown is reported again before. */
export const FOCUS_REPEAT_MS = 60_000;

/** How long a toast is shown (the time it is hovered does not count). */
export const TOAST_MS = 5_000;

/** The choices of the "Pause notifications" menu. */
export const PAUSE_CHOICES = [
  ['30m', 'For 30 minutes'], ['1h', 'For 1 hour'], ['2h', 'For 2 hours'], ['tomorrow', 'Until tomorrow 9:00'],
  ['off', 'Until I turn them back on'],
];

/**
 * The `dnd` a pause choice stands for (`PUT /users/me/notification-settings`): `{until}` an ISO instant, or `{}`
 * until turned off. "tomorrow" is 9:00 of the next day where the user is (`now`'s local time).
 */
export function pauseDnd(choice, now = new Date()) {
  const minutes = { '30m': 30, '1h': 60, '2h': 120 }[choice];
  if (minutes) {
    return { until: new Date(now.getTime() + minutes * 60_000).toISOString() };
  }
  if (choice === 'tomorrow') {
    const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0, 0);
    return { until: tomorrow.toISOString() };
  }
  if (choice === 'off') {
    return {};
  }
  throw new Error(`no pause choice ${choice}`);
}

/**
 * Whether DND holds at `now`: set by hand (until turned off or until its `until`), else the server's word on the
 * schedule (`dndActive`, as of the settings' last change). `until`: when a DND set by hand ends (null: when turned
 * off, or not set by hand).
 */
export function dndState(settings, now = Date.now()) {
  const dnd = settings?.dnd;
  if (dnd && (!dnd.until || Date.parse(dnd.until) > now)) {
    return { active: true, manual: true, until: dnd.until || null };
  }
  const scheduled = !!settings?.schedule && !dnd
    && (scheduleActive(settings.schedule, now) ?? !!settings.dndActive);
  return { active: scheduled, manual: false, until: null };
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Whether a schedule's quiet hours hold at `now`, as the server decides it: on each of `days` from `start` to `end`
 * in `timeZone`, an `end` not after `start` running into the next day. Undefined when this browser cannot tell (an
 * unknown time zone): the server's `dndActive` stands then.
 */
export function scheduleActive(schedule, now = Date.now()) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: schedule.timeZone, weekday: 'short', hour: '2-digit',
      minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(now));
  } catch {
    return undefined;
  }
  const part = type => parts.find(p => p.type === type)?.value;
  const today = WEEKDAYS.indexOf(part('weekday').toLowerCase().slice(0, 3));
  const minutes = Number(part('hour')) * 60 + Number(part('minute'));
  const toMinutes = time => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  const start = toMinutes(schedule.start);
  const end = toMinutes(schedule.end);
  const on = day => schedule.days.includes(WEEKDAYS[(day + 7) % 7]);
  if (start < end) {
    return on(today) && minutes >= start && minutes < end;
  }
  return (on(today) && minutes >= start) || (on(today - 1) && minutes < end);
}

/**
 * What a toast makes this client do besides showing it: a sound (settings.sound, while the page is visible: a
 * hidden page's desktop notification makes its own), and a desktop notification when the page is hidden, desktop
 * notifications are on and the browser allows them.
 */
export function alertsFor(toast, { settings, visibility, permission }) {
  const hidden = visibility === 'hidden';
  return {
    sound: !hidden && settings?.sound !== false,
    desktop: hidden && settings?.desktop !== false && permission === 'granted',
  };
}

// chatSettings: each chat's `{chatId, level, muted}` as far as known; once `chatSettingsLoaded`, a chat missing there
// has the defaults (the settings answer lists every chat that differs from them).
const EMPTY = Object.freeze({ toasts: [], urgent: [], acks: {}, settings: null, chatSettings: {},
  chatSettingsLoaded: false, held: null });
const CHAT_DEFAULTS = Object.freeze({ level: 'mentions', muted: false });

/** A chat's `{level, muted}` as far as known (the defaults once all are loaded), or null while not known. */
export function chatSettingsOf(state, chatId) {
  return state.chatSettings[chatId] || (state.chatSettingsLoaded ? CHAT_DEFAULTS : null);
}

/**
 * @param deps.bus where focus and acknowledgements are sent
 * @param deps.api optional: the REST API, for the settings and the urgent messages still unacknowledged at start
 * @param deps.router where this slice claims notification.toast, notification.settings and notification.acked
 * @param deps.session whose client this is (an acknowledgement of one's own clears one's urgent banner)
 * @param deps.chats optional: which chat is open (reported as this device's focus while the page is visible)
 * @param deps.document optional: the page, whose visibility says whether the open chat is seen
 * @param deps.clock optional: `setTimeout` and `clearTimeout` for repeating the focus report
 */
export function createNotifications({ bus, api = null, router, session, chats = null, document = null,
  clock = globalThis }) {
  const slice = createSlice('notifications', EMPTY);
  let reported = null; // the chat last reported as focused (null: none)
  let repeat = null;
  let tracking = false;
  const toastListeners = new Set();
  const expiries = new Map(); // messageId -> {timer, left, since}: a toast's time left (paused while held)

  function expire(messageId, ms) {
    const timer = clock.setTimeout(() => dismiss(messageId), ms);
    expiries.set(messageId, { timer, left: ms, since: clock.now?.() ?? Date.now() });
  }

  function forgetExpiry(messageId) {
    const expiry = expiries.get(messageId);
    if (expiry) {
      clock.clearTimeout(expiry.timer);
      expiries.delete(messageId);
    }
  }

  router.own(SCOPE.USER, EVENT.NOTIFICATION_TOAST, 'notifications', toast => {
    const urgent = toast.priority === 'urgent';
    let dropped = [];
    slice.update(state => {
      if (urgent) {
        // Shown as a banner until acknowledged, not as a toast that goes away.
        return state.urgent.some(item => item.messageId === toast.messageId) ? state
          : { ...state, urgent: [...state.urgent, toast] };
      }
      // A toast standing for several messages of a chat takes the place of that chat's earlier toasts.
      const kept = toast.count > 1 ? state.toasts.filter(shown => shown.chatId !== toast.chatId) : state.toasts;
      const toasts = [...kept.filter(shown => shown.messageId !== toast.messageId), toast];
      dropped = state.toasts.filter(shown => !toasts.slice(-MAX_TOASTS).includes(shown));
      return { ...state, toasts: toasts.slice(-MAX_TOASTS) };
    });
    dropped.forEach(shown => forgetExpiry(shown.messageId));
    if (!urgent) {
      forgetExpiry(toast.messageId);
      expire(toast.messageId, TOAST_MS);
    }
    toastListeners.forEach(listener => listener(toast));
  });
  router.own(SCOPE.USER, EVENT.NOTIFICATION_SETTINGS, 'notifications', event => {
    slice.update(state => (event.chatId
      ? { ...state, chatSettings: { ...state.chatSettings, [event.chatId]: event.settings } }
      : { ...state, settings: event.settings }));
  });
  router.own(SCOPE.USER, EVENT.NOTIFICATION_ACKED, 'notifications', event => {
    slice.update(state => {
      if (event.userId === session.me()) {
        return { ...state, urgent: state.urgent.filter(item => item.messageId !== event.messageId) };
      }
      const by = state.acks[event.messageId] || [];
      return by.includes(event.userId) ? state
        : { ...state, acks: { ...state.acks, [event.messageId]: [...by, event.userId] } };
    });
  });

  /** Takes a toast away (it timed out, was closed, or was clicked). */
  function dismiss(messageId) {
    forgetExpiry(messageId);
    slice.update(state => (state.toasts.some(toast => toast.messageId === messageId)
      ? { ...state, toasts: state.toasts.filter(toast => toast.messageId !== messageId) } : state));
  }

  /** The pointer is on the toasts: none of them goes away until `release`. */
  function hold() {
    if (slice.state.held) {
      return;
    }
    const now = clock.now?.() ?? Date.now();
    expiries.forEach(expiry => {
      clock.clearTimeout(expiry.timer);
      expiry.timer = null;
      expiry.left = Math.max(0, expiry.left - (now - expiry.since));
    });
    slice.set({ held: true });
  }

  /** The pointer left the toasts: each goes after the time it had left (at least a second, to be read). */
  function release() {
    if (!slice.state.held) {
      return;
    }
    slice.set({ held: null });
    [...expiries.entries()].forEach(([messageId, expiry]) => expire(messageId, Math.max(1_000, expiry.left)));
  }

  /** `listener(toast)` hears every toast as it comes (sound, desktop notifications). */
  function onToast(listener) {
    toastListeners.add(listener);
    return () => toastListeners.delete(listener);
  }

  /** Acknowledges an urgent message: its banner goes here at once, and on the user's other devices when they hear. */
  async function acknowledge(messageId) {
    await bus.request(REQUEST.NOTIFICATION_ACK, { messageId });
    slice.update(state => ({ ...state, urgent: state.urgent.filter(item => item.messageId !== messageId) }));
  }

  /** Tells the server which chat this device shows (null: none, or the tab is hidden): it toasts nothing of it. */
  function focus(chatId) {
    return bus.request(REQUEST.CHAT_FOCUS, { chatId: chatId ?? null }).catch(() => {});
  }

  /** The chat this device shows: the open one while the page is visible, else none. */
  function shownChat() {
    return document?.visibilityState === 'visible' ? chats?.activeChatId() ?? null : null;
  }

  function reportFocus(again = false) {
    if (!tracking) {
      return;
    }
    const chatId = shownChat();
    if (chatId === reported && !again) {
      return;
    }
    clock.clearTimeout(repeat);
    repeat = null;
    if (chatId !== null || reported !== null) {
      focus(chatId);
    }
    reported = chatId;
    if (chatId !== null) {
      repeat = clock.setTimeout(() => reportFocus(true), FOCUS_REPEAT_MS);
    }
  }

  const stopWatching = [];

  /**
   * Loads the settings and the urgent messages still waiting for this user's acknowledgement (sent while this
   * client was away, or shown before a reload): they stay until acknowledged.
   */
  async function load() {
    if (!api?.rest.notificationSettings) {
      return;
    }
    const [{ settings, chats = [] }, { urgent, sent = [] }] = await Promise.all([api.rest.notificationSettings(),
      api.rest.pendingUrgent()]);
    slice.update(state => {
      const known = new Set(state.urgent.map(item => item.messageId));
      const waiting = urgent.filter(item => !known.has(item.messageId))
        .map(item => ({ ...item, priority: 'urgent' }));
      // A change heard live while the answer was on its way is newer than the answer.
      const chatSettings = { ...Object.fromEntries(chats.map(chat => [chat.chatId, chat])), ...state.chatSettings };
      const acks = { ...state.acks };
      for (const { messageId, acknowledgedBy } of sent) {
        acks[messageId] = [...new Set([...acknowledgedBy, ...(acks[messageId] || [])])];
      }
      return { ...state, settings, urgent: [...state.urgent, ...waiting], chatSettings, chatSettingsLoaded: true,
        acks };
    });
  }

  /** Starts reporting the open chat as this device's focus, as it changes and while it stays shown. */
  function start() {
    if (tracking || !chats || !document) {
      return;
    }
    tracking = true;
    const onVisibility = () => reportFocus();
    document.addEventListener('visibilitychange', onVisibility);
    stopWatching.push(() => document.removeEventListener('visibilitychange', onVisibility));
    stopWatching.push(chats.selection.subscribe(() => reportFocus()));
    reportFocus();
  }

  function stop() {
    tracking = false;
    clock.clearTimeout(repeat);
    repeat = null;
    reported = null;
    stopWatching.splice(0).forEach(unwatch => unwatch());
  }

  /** Settings read or saved through the API (the answers of /notification-settings). */
  function settingsLoaded(settings, chatId = null) {
    slice.update(state => (chatId
      ? { ...state, chatSettings: { ...state.chatSettings, [chatId]: settings } }
      : { ...state, settings }));
  }

  /** Saves a change of the global settings (`{desktop?, sound?, dnd?, schedule?}`): the answer is shown at once. */
  async function saveSettings(change) {
    const { settings } = await api.rest.saveNotificationSettings(change);
    settingsLoaded(settings);
    return settings;
  }

  /** Pauses notifications (a PAUSE_CHOICES key), from `now`. */
  function pause(choice, now = new Date()) {
    return saveSettings({ dnd: pauseDnd(choice, now) });
  }

  /** Turns DND set by hand off. */
  function resume() {
    return saveSettings({ dnd: null });
  }

  /**
   * One chat's settings: known from the settings answer (which lists every chat not at the defaults) and kept up to
   * date by notification.settings; asked of the server only before that answer came.
   */
  async function loadChatSettings(chatId) {
    const known = slice.state.chatSettings[chatId];
    if (known) {
      return known;
    }
    if (slice.state.chatSettingsLoaded) {
      return { chatId, ...chatSettingsOf(slice.state, chatId) };
    }
    const settings = await api.rest.chatNotificationSettings(chatId);
    settingsLoaded(settings, chatId);
    return settings;
  }

  /** Saves a change of one chat's settings (`{level?, muted?}`). */
  async function saveChatSettings(chatId, change) {
    const settings = await api.rest.saveChatNotificationSettings(chatId, change);
    settingsLoaded(settings, chatId);
    return settings;
  }

  function clear() {
    stop();
    expiries.forEach(expiry => clock.clearTimeout(expiry.timer));
    expiries.clear();
    slice.update(() => EMPTY);
  }

  return { slice, dismiss, hold, release, onToast, acknowledge, focus, settingsLoaded, load, start, stop, clear,
    saveSettings, pause, resume, loadChatSettings, saveChatSettings };
}
