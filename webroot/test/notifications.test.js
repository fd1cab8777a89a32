import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALICE, BOB, channel, connectedClient, fakeClock, fakePage, settle } from '../testing/fakes.js';
import { FOCUS_REPEAT_MS, MAX_TOASTS } from '../js/store/notifications.js';

const toast = (messageId, fields = {}) => ({ type: 'notification.toast', title: 'Alice in #general', body: 'hi',
  chatId: 'c-general', messageId, senderId: ALICE.id, priority: 'normal', count: 1, ...fields });

describe('notifications', () => {
  test('toasts stack up to three, the newest last', async t => {
    const { client, bus } = await connectedClient(t);
    ['m-1', 'm-2', 'm-3', 'm-4'].forEach(id => bus.publish('user.u-me', toast(id, { chatId: `c-${id}` })));
    const shown = client.notifications.slice.state.toasts.map(shown => shown.messageId);
    assert.equal(shown.length, MAX_TOASTS);
    assert.deepEqual(shown, ['m-2', 'm-3', 'm-4']);
  });

  test('a grouped toast replaces the earlier toasts of its chat', async t => {
    const { client, bus } = await connectedClient(t);
    bus.publish('user.u-me', toast('m-1'));
    bus.publish('user.u-me', toast('m-2', { count: 2 }));
    bus.publish('user.u-me', toast('m-x', { chatId: 'c-random' }));
    bus.publish('user.u-me', toast('m-3', { count: 3, title: '3 new messages in #general' }));
    assert.deepEqual(client.notifications.slice.state.toasts.map(shown => shown.messageId), ['m-x', 'm-3']);
  });

  test('an urgent message stays until acknowledged, here or on another device', async t => {
    const { client, bus } = await connectedClient(t);
    bus.answer('notification.ack', body => ({ messageId: body.messageId, acknowledgedAt: '2026-12-07T10:00:00Z' }));
    bus.publish('user.u-me', toast('m-1', { priority: 'urgent' }));
    bus.publish('user.u-me', toast('m-2', { priority: 'urgent' }));
    client.notifications.dismiss('m-1');
    assert.deepEqual(client.notifications.slice.state.urgent.map(item => item.messageId), ['m-1', 'm-2']);

    await client.notifications.acknowledge('m-1');
    bus.publish('user.u-me', { type: 'notification.acked', chatId: 'c-general', messageId: 'm-2', userId: 'u-me',
      acknowledgedAt: '2026-12-07T10:00:01Z' });

    assert.deepEqual(bus.sent('notification.ack'), [{ messageId: 'm-1' }]);
    assert.deepEqual(client.notifications.slice.state.urgent, []);
  });

  test('the sender sees who acknowledged an urgent message', async t => {
    const { client, bus } = await connectedClient(t);
    const acked = userId => ({ type: 'notification.acked', chatId: 'c-general', messageId: 'm-9', userId,
      acknowledgedAt: '2026-12-07T10:00:00Z' });
    bus.publish('user.u-me', acked(ALICE.id));
    bus.publish('user.u-me', acked(BOB.id));
    bus.publish('user.u-me', acked(ALICE.id));
    assert.deepEqual(client.notifications.slice.state.acks, { 'm-9': [ALICE.id, BOB.id] });
  });

  test('settings changed on another device replace the ones known here', async t => {
    const { client, bus } = await connectedClient(t);
    const settings = { desktop: true, sound: false, dnd: null, schedule: null, dndActive: false };
    bus.publish('user.u-me', { type: 'notification.settings', settings });
    bus.publish('user.u-me', { type: 'notification.settings', chatId: 'c-general',
      settings: { chatId: 'c-general', level: 'all', muted: true } });
    assert.deepEqual(client.notifications.slice.state.settings, settings);
    assert.equal(client.notifications.slice.state.chatSettings['c-general'].muted, true);
  });

  test('focus is reported as the chat shown, or null', async t => {
    const { client, bus } = await connectedClient(t);
    bus.answer('chat.focus', body => ({ chatId: body.chatId, expiresInMs: 120_000 }));
    bus.forget();
    await client.notifications.focus('c-general');
    await client.notifications.focus(null);
    assert.deepEqual(bus.sent('chat.focus'), [{ chatId: 'c-general' }, { chatId: null }]);
  });

  test('the open chat is reported as focus while the page is visible, and again before the server forgets', async t => {
    const page = fakePage();
    const clock = fakeClock();
    const { client, bus } = await connectedClient(t, { page, clock,
      chats: [channel('c-general', 'general'), channel('c-random', 'random')] });
    bus.answer('chat.focus', body => ({ chatId: body.chatId, expiresInMs: 120_000 }));
    client.openChat('c-general');
    await settle();
    bus.forget();

    client.openChat('c-random');
    await settle();
    page.visibilityState = 'hidden';
    page.fire('visibilitychange');
    page.visibilityState = 'visible';
    page.fire('visibilitychange');
    await clock.advance(FOCUS_REPEAT_MS);

    assert.deepEqual(bus.sent('chat.focus'), [{ chatId: 'c-random' }, { chatId: null }, { chatId: 'c-random' },
      { chatId: 'c-random' }]);
  });

  test('at start the settings and the urgent messages still unacknowledged are loaded', async t => {
    const { client, api } = await connectedClient(t);
    api.data.urgent = [{ messageId: 'm-7', chatId: 'c-general', senderId: ALICE.id, createdAt: '2026-12-07T09:00:00Z' }];
    api.data.notificationSettings = { desktop: false, sound: true, dnd: { until: null }, schedule: null,
      dndActive: true };

    await client.notifications.load();

    assert.deepEqual(client.notifications.slice.state.urgent.map(item => [item.messageId, item.priority]),
      [['m-7', 'urgent']]);
    assert.equal(client.notifications.slice.state.settings.dndActive, true);
  });
});
