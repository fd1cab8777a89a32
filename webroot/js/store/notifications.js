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

const EMPTY = Object.freeze({ toasts: [], urgent: [], acks: {}, settings: null, chatSettings: {} });

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

  router.own(SCOPE.USER, EVENT.NOTIFICATION_TOAST, 'notifications', toast => {
    slice.update(state => {
      // A toast standing for several messages of a chat takes the place of that chat's earlier toasts.
      const kept = toast.count > 1 ? state.toasts.filter(shown => shown.chatId !== toast.chatId) : state.toasts;
      const urgent = toast.priority === 'urgent' && !state.urgent.some(item => item.messageId === toast.messageId)
        ? [...state.urgent, toast] : state.urgent;
      return { ...state, toasts: [...kept, toast].slice(-MAX_TOASTS), urgent };
    });
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
    slice.update(state => (state.toasts.some(toast => toast.messageId === messageId)
      ? { ...state, toasts: state.toasts.filter(toast => toast.messageId !== messageId) } : state));
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
    const [{ settings }, { urgent }] = await Promise.all([api.rest.notificationSettings(), api.rest.pendingUrgent()]);
    slice.update(state => {
      const known = new Set(state.urgent.map(item => item.messageId));
      const waiting = urgent.filter(item => !known.has(item.messageId))
        .map(item => ({ ...item, priority: 'urgent' }));
      return { ...state, settings, urgent: [...state.urgent, ...waiting] };
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

  function clear() {
    stop();
    slice.update(() => EMPTY);
  }

  return { slice, dismiss, acknowledge, focus, settingsLoaded, load, start, stop, clear };
}
