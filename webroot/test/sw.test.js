import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import vm from 'node:vm';

const SOURCE = readFileSync(new URL('../sw.js', import.meta.url), 'utf8');

/** The service worker run against a made-up worker scope: its windows, its notifications, the windows it opens. */
function worker(windows = []) {
  const listeners = {};
  const shown = [];
  const opened = [];
  const self = {
    addEventListener: (type, listener) => { listeners[type] = listener; },
    skipWaiting() {},
    registration: { showNotification: async (title, options) => { shown.push({ title, ...options }); } },
    clients: {
      matchAll: async () => windows,
      claim: async () => {},
      openWindow: async url => { opened.push(url); },
    },
  };
  vm.runInNewContext(SOURCE, { self, URL, encodeURIComponent });
  /** Dispatches an event; resolves once what it asked to wait for is done. */
  const fire = async (type, fields) => {
    let waited = Promise.resolve();
    listeners[type]({ ...fields, waitUntil: promise => { waited = promise; } });
    await waited;
  };
  return { fire, shown, opened };
}

/** An object made inside the worker's realm, as plain data of this one (deepStrictEqual compares prototypes). */
const plain = value => JSON.parse(JSON.stringify(value));

const push = payload => ({ data: { json: () => payload, text: () => JSON.stringify(payload) } });

function window(id, { focused = false, visibilityState = 'visible' } = {}) {
  const posted = [];
  return { id, focused, visibilityState, url: 'http://localhost/', posted, focus: async () => {},
    postMessage: message => posted.push(message) };
}

const PAYLOAD = { title: 'Alice in #general', body: 'the deploy is ready', chatId: 'c-1', messageId: 'm-1',
  priority: 'normal', count: 1, url: '/?chat=c-1&message=m-1' };

describe('the service worker', () => {
  test('a push is shown as a notification of its chat, with its title and text', async () => {
    const sw = worker();
    await sw.fire('push', push(PAYLOAD));
    assert.equal(sw.shown.length, 1);
    assert.equal(sw.shown[0].title, 'Alice in #general');
    assert.equal(sw.shown[0].body, 'the deploy is ready');
    assert.equal(sw.shown[0].tag, 'c-1');
    assert.deepEqual(plain(sw.shown[0].data), { chatId: 'c-1', messageId: 'm-1', url: '/?chat=c-1&message=m-1' });
  });

  test('an urgent push stays until the person acts on it', async () => {
    const sw = worker();
    await sw.fire('push', push({ ...PAYLOAD, priority: 'urgent' }));
    assert.equal(sw.shown[0].requireInteraction, true);
  });

  test('no notification while a focused, visible window shows that chat', async () => {
    const shows = window('w-1', { focused: true });
    const sw = worker([shows]);
    await sw.fire('message', { data: { type: 'ocomms.shown', chatId: 'c-1' }, source: shows });
    await sw.fire('push', push(PAYLOAD));
    await sw.fire('push', push({ ...PAYLOAD, chatId: 'c-2', url: '/?chat=c-2' }));
    assert.deepEqual(sw.shown.map(notification => notification.tag), ['c-2']);
  });

  test('a click focuses an open window and has it open the chat at the message', async () => {
    const open = window('w-1');
    const sw = worker([open]);
    let closed = false;
    await sw.fire('notificationclick', { notification: { data: { chatId: 'c-1', messageId: 'm-1', url: '/?chat=c-1' },
      close: () => { closed = true; } } });
    assert.equal(closed, true);
    assert.deepEqual(plain(open.posted), [{ type: 'ocomms.open', chatId: 'c-1', messageId: 'm-1' }]);
    assert.deepEqual(sw.opened, []);
  });

  test('a click with no window open opens one at the chat; a url of another origin is never followed', async () => {
    const sw = worker([]);
    await sw.fire('push', push({ ...PAYLOAD, url: '//elsewhere.example/phish' }));
    await sw.fire('notificationclick', { notification: { data: sw.shown[0].data, close() {} } });
    assert.deepEqual(sw.opened, ['/?chat=c-1&message=m-1']);
  });
});
