// What the browser offers beyond the page for notifications: the toast's sound (made with WebAudio, no file), desktop
// notifications through the Notification API while the tab is hidden, the service worker (webroot/sw.js) that shows
// Web Push notifications while no tab is open, and the push subscription. Every part is optional: where a browser
// lacks an API, that part does nothing and the rest goes on.
//
// Permission is asked only from a user gesture (the "Enable" bar, the desktop toggle), never at load.

import * as api from './api.js';
import { alertsFor } from './store/notifications.js';
import { client } from './store.js';

const BAR_DISMISSED_KEY = 'ocomms.desktopBar.dismissed';

export const notificationsSupported = () => typeof window.Notification === 'function';
export const pushSupported = () => 'serviceWorker' in navigator && typeof window.PushManager === 'function';

/** 'granted' | 'denied' | 'default' | 'unsupported' */
export function permission() {
  return notificationsSupported() ? window.Notification.permission : 'unsupported';
}

// The sound

let audio = null;

/**
 * Browsers start audio only after a gesture on the page: the context is made (or resumed) at the first key or click,
 * and only while sound is on.
 */
function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context || client.notifications.slice.state.settings?.sound === false) {
    return;
  }
  try {
    audio = audio || new Context();
    if (audio.state === 'suspended') {
      audio.resume().then(stopUnlocking, () => {});
    } else {
      stopUnlocking();
    }
  } catch {
    // no sound here
  }
}

const GESTURES = ['pointerdown', 'keydown'];

function stopUnlocking() {
  GESTURES.forEach(type => window.removeEventListener(type, unlockAudio, { capture: true }));
}

/** A short two-note chime, generated (no binary file): quiet, under 0.3 s. */
export function chime() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) {
    return;
  }
  try {
    audio = audio || new Context();
    if (audio.state === 'suspended') {
      audio.resume().catch(() => {});
    }
    const start = audio.currentTime + 0.01;
    [[880, 0], [1320, 0.09]].forEach(([frequency, delay]) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.type = 'sine';
      tone.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + delay);
      gain.gain.exponentialRampToValueAtTime(0.12, start + delay + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + delay + 0.16);
      tone.connect(gain).connect(audio.destination);
      tone.start(start + delay);
      tone.stop(start + delay + 0.18);
    });
  } catch (error) {
    console.warn('no sound', error);
  }
}

// Desktop notifications from the page

/** Shows a toast as a desktop notification; a click brings the window forward and opens the chat at the message. */
export function showDesktop(toast) {
  try {
    const shown = new window.Notification(toast.title, {
      body: toast.body,
      tag: toast.chatId, // a chat's newer notification replaces its older one
      icon: '/favicon.svg',
      requireInteraction: toast.priority === 'urgent',
      data: { chatId: toast.chatId, messageId: toast.messageId },
    });
    shown.onclick = () => {
      window.focus();
      shown.close();
      client.openMessageById(toast.chatId, toast.messageId);
    };
  } catch (error) {
    console.warn('desktop notification not shown', error); // e.g. a browser that allows them only from a worker
  }
}

/** Every toast: a sound and/or a desktop notification, as the settings, the page's visibility and the browser say. */
function onToast(toast) {
  const alerts = alertsFor(toast, { settings: client.notifications.slice.state.settings,
    visibility: document.visibilityState, permission: permission() });
  if (alerts.sound) {
    chime();
  }
  if (alerts.desktop) {
    showDesktop(toast);
  }
}

// The service worker and Web Push

let registration = null;

/** Registers webroot/sw.js at the root scope (it must be served from /sw.js for that) and hears its clicks. */
async function registerWorker() {
  if (!('serviceWorker' in navigator)) {
    return null;
  }
  try {
    navigator.serviceWorker.addEventListener('message', event => {
      const data = event.data || {};
      if (data.type === 'ocomms.open' && data.chatId) {
        client.openMessageById(data.chatId, data.messageId || null);
      }
    });
    registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    // The worker shows no push of the chat this window shows while it is in sight.
    const tell = () => navigator.serviceWorker.controller?.postMessage({ type: 'ocomms.shown',
      chatId: client.chats.activeChatId() ?? null });
    client.chats.selection.subscribe(tell);
    navigator.serviceWorker.addEventListener('controllerchange', tell);
    tell();
    return registration;
  } catch (error) {
    console.warn('service worker not registered', error);
    return null;
  }
}

/** base64url → bytes (the VAPID key, for applicationServerKey). */
function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  return Uint8Array.from(atob(base64), c => c.charCodeAt(0));
}

/** Subscribes this browser to Web Push and registers the subscription with the server (desktop on, permission given). */
export async function subscribePush() {
  if (!pushSupported() || permission() !== 'granted') {
    return false;
  }
  try {
    const ready = registration || await navigator.serviceWorker.ready;
    let subscription = await ready.pushManager.getSubscription();
    if (!subscription) {
      const { publicKey } = await api.rest.vapidPublicKey();
      subscription = await ready.pushManager.subscribe({ userVisibleOnly: true,
        applicationServerKey: keyBytes(publicKey) });
    }
    await api.rest.savePushSubscription(subscription.toJSON());
    return true;
  } catch (error) {
    console.warn('push subscription failed', error); // no push service here, or the server does not offer it yet
    return false;
  }
}

/** Ends this browser's push subscription, here and on the server (desktop off, or signing out). */
export async function unsubscribePush() {
  if (!pushSupported()) {
    return;
  }
  try {
    const ready = registration || await navigator.serviceWorker.getRegistration('/');
    const subscription = await ready?.pushManager.getSubscription();
    if (subscription) {
      await api.rest.deletePushSubscription(subscription.endpoint).catch(() => {});
      await subscription.unsubscribe();
    }
  } catch (error) {
    console.warn('push unsubscription failed', error);
  }
}

/**
 * Asks for permission (call from a click) and, once given, turns desktop notifications on and subscribes to push.
 * Returns the permission now.
 */
export async function enableDesktop() {
  if (!notificationsSupported()) {
    return 'unsupported';
  }
  let now = permission();
  if (now === 'default') {
    now = await window.Notification.requestPermission();
  }
  if (now === 'granted') {
    if (client.notifications.slice.state.settings?.desktop === false) {
      await client.notifications.saveSettings({ desktop: true });
    }
    await subscribePush();
  }
  return now;
}

/** Turns desktop notifications off: the setting, and this browser's push subscription. */
export async function disableDesktop() {
  await client.notifications.saveSettings({ desktop: false });
  await unsubscribePush();
}

/** Signs out, ending this browser's push subscription first (it needs the session). */
export async function signOut() {
  await unsubscribePush();
  await client.logout();
}

export const desktopBarDismissed = () => localStorage.getItem(BAR_DISMISSED_KEY) === '1';
export const dismissDesktopBar = () => localStorage.setItem(BAR_DISMISSED_KEY, '1');

/**
 * A link opened from a notification (`/?chat=<chatId>&message=<messageId>`): the chat, once the chat list knows it,
 * and the address cleaned.
 */
function openLinkedChat() {
  const params = new URLSearchParams(location.search);
  const chatId = params.get('chat');
  if (!chatId) {
    return;
  }
  const messageId = params.get('message');
  params.delete('chat');
  params.delete('message');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  const tryOpen = () => {
    if (client.chats.table.has(chatId)) {
      client.openMessageById(chatId, messageId);
      return true;
    }
    return false;
  };
  if (!tryOpen()) {
    const stop = client.chats.table.subscribe(() => {
      if (tryOpen()) {
        stop();
      }
    });
    setTimeout(stop, 30_000);
  }
}

let started = false;

/** At start: toasts heard, the worker registered, push renewed where permission stands, a linked chat opened. */
export function startDesktop() {
  if (started) {
    return;
  }
  started = true;
  client.notifications.onToast(onToast);
  GESTURES.forEach(type => window.addEventListener(type, unlockAudio, { capture: true, passive: true }));
  openLinkedChat();
  registerWorker().then(() => {
    const settings = client.notifications.slice.state.settings;
    if (permission() === 'granted' && settings?.desktop !== false && api.currentSession()) {
      subscribePush();
    }
  });
}
