// The notifications slice: what the notifications verticle tells this user. The toasts to show (a stack of at most
// three, newest last; a grouped toast of a chat replaces that chat's), the urgent messages waiting for this user's
// acknowledgement, who acknowledged the urgent messages this user sent, and the user's notification settings as they
// change on any device. The settings themselves are read and saved through the API.

import { EVENT, REQUEST, SCOPE } from '../protocol.js';
import { createSlice } from './slice.js';

/** How many toasts are shown at once. */
export const MAX_TOASTS = 3;

const EMPTY = Object.freeze({ toasts: [], urgent: [], acks: {}, settings: null, chatSettings: {} });

/**
 * @param deps.bus where focus and acknowledgements are sent
 * @param deps.router where this slice claims notification.toast, notification.settings and notification.acked
 * @param deps.session whose client this is (an acknowledgement of one's own clears one's urgent banner)
 */
export function createNotifications({ bus, router, session }) {
  const slice = createSlice('notifications', EMPTY);

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

  /** Settings read or saved through the API (the answers of /notification-settings). */
  function settingsLoaded(settings, chatId = null) {
    slice.update(state => (chatId
      ? { ...state, chatSettings: { ...state.chatSettings, [chatId]: settings } }
      : { ...state, settings }));
  }

  function clear() {
    slice.update(() => EMPTY);
  }

  return { slice, dismiss, acknowledge, focus, settingsLoaded, clear };
}
