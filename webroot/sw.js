// The service worker (registered at the root scope by js/desktop.js): shows Web Push notifications while no tab of
// OComms shows the chat, and opens the chat when one is clicked. It caches nothing: the page's own files are cached
// by HTTP (see the gateway's WebClientRoutes).
//
// A push's payload: {title, body, chatId, messageId, priority, count, url} (url: /?chat=<chatId>&message=<messageId>).

/* eslint-env serviceworker */

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', event => event.waitUntil(self.clients.claim()));

/** The chat each window shows, as the windows tell (forgotten when the worker stops: then a push is shown). */
const shownChats = new Map(); // client id -> chatId

self.addEventListener('message', event => {
  if (event.data?.type === 'ocomms.shown' && event.source) {
    shownChats.set(event.source.id, event.data.chatId || null);
  }
});

/** The windows of this origin, focused or not. */
const windows = () => self.clients.matchAll({ type: 'window', includeUncontrolled: true });

function payloadOf(event) {
  try {
    return event.data ? event.data.json() : {};
  } catch {
    return { body: event.data ? event.data.text() : '' };
  }
}

/** Where a click leads: the payload's url when it is a path of this origin (never `//other.host`), else the chat. */
const linkOf = data => (typeof data.url === 'string' && /^\/(?![/\\])/.test(data.url) ? data.url
  : data.chatId ? `/?chat=${encodeURIComponent(data.chatId)}${data.messageId
    ? `&message=${encodeURIComponent(data.messageId)}` : ''}` : '/');

self.addEventListener('push', event => {
  const data = payloadOf(event);
  event.waitUntil((async () => {
    // A window in sight that shows this chat already: the person sees the message there.
    const clients = await windows();
    const seen = !!data.chatId && clients.some(client => client.focused && client.visibilityState === 'visible'
      && shownChats.get(client.id) === data.chatId);
    if (seen) {
      return;
    }
    await self.registration.showNotification(data.title || 'OComms', {
      body: data.body || '',
      tag: data.chatId || 'ocomms',
      renotify: !!data.chatId,
      icon: '/favicon.svg',
      requireInteraction: data.priority === 'urgent',
      data: { chatId: data.chatId || null, messageId: data.messageId || null, url: linkOf(data) },
    });
  })());
});

self.addEventListener('notificationclick', event => {
  event.notification.close();
  const data = event.notification.data || {};
  event.waitUntil((async () => {
    const clients = await windows();
    const open = clients.find(client => client.focused) || clients[0];
    if (open) {
      await open.focus();
      open.postMessage({ type: 'ocomms.open', chatId: data.chatId, messageId: data.messageId });
      return;
    }
    await self.clients.openWindow(data.url || '/');
  })());
});
