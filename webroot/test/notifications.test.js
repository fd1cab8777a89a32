import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALICE, BOB, channel, connectedClient, fakeClock, fakePage, message, settle } from '../testing/fakes.js';
import {
  FOCUS_REPEAT_MS, MAX_TOASTS, TOAST_MS, alertsFor, dndState, pauseDnd, scheduleActive,
} from '../js/store/notifications.js';

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

  test('after a reload the sender again sees who acknowledged their urgent messages', async t => {
    const { client, api, bus } = await connectedClient(t);
    api.data.sentUrgent = [{ messageId: 'm-9', chatId: 'c-general', createdAt: '2026-12-07T09:00:00Z', recipients: 2,
      acknowledgedBy: [ALICE.id] }];
    bus.publish('user.u-me', { type: 'notification.acked', chatId: 'c-general', messageId: 'm-9', userId: BOB.id,
      acknowledgedAt: '2026-12-07T10:00:00Z' });

    await client.notifications.load();

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

  test('a toast goes after 5 s', async t => {
    const clock = fakeClock();
    const { client, bus } = await connectedClient(t, { clock });
    bus.publish('user.u-me', toast('m-1'));
    await clock.advance(TOAST_MS - 1);
    assert.deepEqual(client.notifications.slice.state.toasts.map(shown => shown.messageId), ['m-1']);
    await clock.advance(1);
    assert.deepEqual(client.notifications.slice.state.toasts, []);
  });

  test('a hovered toast stays, and goes after the time it had left once the pointer leaves', async t => {
    const clock = fakeClock();
    const { client, bus } = await connectedClient(t, { clock });
    bus.publish('user.u-me', toast('m-1'));
    await clock.advance(3_000);
    client.notifications.hold();
    await clock.advance(60_000);
    assert.equal(client.notifications.slice.state.toasts.length, 1);
    client.notifications.release();
    await clock.advance(TOAST_MS - 3_000 - 1);
    assert.equal(client.notifications.slice.state.toasts.length, 1);
    await clock.advance(1);
    assert.equal(client.notifications.slice.state.toasts.length, 0);
  });

  test('a toast that replaces another has 5 s of its own', async t => {
    const clock = fakeClock();
    const { client, bus } = await connectedClient(t, { clock });
    bus.publish('user.u-me', toast('m-1'));
    await clock.advance(4_000);
    bus.publish('user.u-me', toast('m-3', { count: 3 }));
    await clock.advance(4_000);
    assert.deepEqual(client.notifications.slice.state.toasts.map(shown => shown.messageId), ['m-3']);
    await clock.advance(1_000);
    assert.deepEqual(client.notifications.slice.state.toasts, []);
  });

  test('an urgent message is a banner until acknowledged, not a toast that goes away', async t => {
    const clock = fakeClock();
    const { client, bus } = await connectedClient(t, { clock });
    bus.publish('user.u-me', toast('m-1', { priority: 'urgent' }));
    await clock.advance(TOAST_MS * 10);
    assert.deepEqual(client.notifications.slice.state.toasts, []);
    assert.deepEqual(client.notifications.slice.state.urgent.map(item => item.messageId), ['m-1']);
  });

  test('every toast is heard by the listeners (sound, desktop)', async t => {
    const { client, bus } = await connectedClient(t);
    const heard = [];
    client.notifications.onToast(shown => heard.push(shown.messageId));
    bus.publish('user.u-me', toast('m-1'));
    bus.publish('user.u-me', toast('m-2', { priority: 'urgent' }));
    assert.deepEqual(heard, ['m-1', 'm-2']);
  });

  test('pausing for 30 minutes, 1 hour, 2 hours ends that long from now', () => {
    const now = new Date('2026-12-07T15:20:00Z');
    assert.deepEqual(pauseDnd('30m', now), { until: '2026-12-07T15:50:00.000Z' });
    assert.deepEqual(pauseDnd('1h', now), { until: '2026-12-07T16:20:00.000Z' });
    assert.deepEqual(pauseDnd('2h', now), { until: '2026-12-07T17:20:00.000Z' });
  });

  test('pausing until tomorrow ends at 9:00 of the next day where the user is, even after midnight', () => {
    const evening = new Date(2026, 11, 7, 23, 30);
    const night = new Date(2026, 11, 8, 0, 30);
    assert.deepEqual(pauseDnd('tomorrow', evening), { until: new Date(2026, 11, 8, 9, 0).toISOString() });
    assert.deepEqual(pauseDnd('tomorrow', night), { until: new Date(2026, 11, 9, 9, 0).toISOString() });
    assert.deepEqual(pauseDnd('tomorrow', new Date(2026, 11, 31, 18, 0)),
      { until: new Date(2027, 0, 1, 9, 0).toISOString() });
  });

  test('pausing until turned off sends an empty dnd, and resuming a null one', async t => {
    const { client, api } = await connectedClient(t);
    await client.notifications.pause('off');
    assert.deepEqual(api.data.notificationSettings.dnd, {});
    assert.equal(dndState(client.notifications.slice.state.settings).active, true);
    await client.notifications.resume();
    assert.equal(api.data.notificationSettings.dnd, null);
    assert.equal(dndState(client.notifications.slice.state.settings).active, false);
    assert.throws(() => pauseDnd('forever'));
  });

  test('quiet hours hold in the time zone of the schedule, past midnight into the next day', () => {
    // Friday 22:00 to 07:00 in Tokyo (UTC+9).
    const schedule = { days: ['fri'], start: '22:00', end: '07:00', timeZone: 'Asia/Tokyo' };
    assert.equal(scheduleActive(schedule, Date.parse('2026-12-04T12:59:00Z')), false); // Fri 21:59
    assert.equal(scheduleActive(schedule, Date.parse('2026-12-04T13:00:00Z')), true); // Fri 22:00
    assert.equal(scheduleActive(schedule, Date.parse('2026-12-04T21:30:00Z')), true); // Sat 06:30
    assert.equal(scheduleActive(schedule, Date.parse('2026-12-04T22:00:00Z')), false); // Sat 07:00
    assert.equal(scheduleActive(schedule, Date.parse('2026-12-05T21:30:00Z')), false); // Sun 06:30: Sat has none
    const office = { days: ['mon'], start: '09:00', end: '17:00', timeZone: 'Europe/Berlin' };
    assert.equal(scheduleActive(office, Date.parse('2026-12-07T15:59:00Z')), true); // Mon 16:59
    assert.equal(scheduleActive(office, Date.parse('2026-12-07T16:00:00Z')), false); // Mon 17:00
    assert.equal(scheduleActive({ ...office, timeZone: 'Not/AZone' }, Date.now()), undefined);
  });

  test('DND set by hand holds until its end; a schedule holds as its hours say', () => {
    const now = Date.parse('2026-12-07T15:20:00Z');
    const until = '2026-12-07T15:50:00Z';
    assert.deepEqual(dndState({ dnd: { until }, schedule: null, dndActive: true }, now),
      { active: true, manual: true, until });
    assert.equal(dndState({ dnd: { until }, schedule: null, dndActive: true }, Date.parse(until) + 1).active, false);
    // Monday 15:20 UTC is 16:20 in Berlin.
    const schedule = { days: ['mon'], start: '16:00', end: '09:00', timeZone: 'Europe/Berlin' };
    assert.deepEqual(dndState({ dnd: null, schedule, dndActive: false }, now), { active: true, manual: false, until: null });
    assert.equal(dndState({ dnd: null, schedule: { ...schedule, start: '18:00' }, dndActive: true }, now).active, false);
    assert.equal(dndState({ dnd: null, schedule: { ...schedule, timeZone: 'Not/AZone' }, dndActive: true }, now).active,
      true);
    assert.equal(dndState(null, now).active, false);
  });

  test('a toast sounds while the page is seen and is a desktop notification while it is hidden, as settings allow', () => {
    const on = { desktop: true, sound: true };
    const shown = toast('m-1');
    assert.deepEqual(alertsFor(shown, { settings: on, visibility: 'visible', permission: 'granted' }),
      { sound: true, desktop: false });
    assert.deepEqual(alertsFor(shown, { settings: on, visibility: 'hidden', permission: 'granted' }),
      { sound: false, desktop: true });
    assert.deepEqual(alertsFor(shown, { settings: on, visibility: 'hidden', permission: 'default' }),
      { sound: false, desktop: false });
    assert.deepEqual(alertsFor(shown, { settings: { desktop: false, sound: false }, visibility: 'hidden',
      permission: 'granted' }), { sound: false, desktop: false });
    assert.deepEqual(alertsFor(shown, { settings: { desktop: true, sound: false }, visibility: 'visible',
      permission: 'granted' }), { sound: false, desktop: false });
  });

  test('the chats\' settings come with the global settings in one request, and are saved through the API', async t => {
    const { client, api } = await connectedClient(t, { chats: [channel('c-general', 'general'),
      channel('c-random', 'random')], chatNotificationSettings: { 'c-random': { muted: true } } });
    await settle();
    assert.deepEqual(await client.notifications.loadChatSettings('c-random'),
      { chatId: 'c-random', level: 'mentions', muted: true });
    assert.deepEqual(await client.notifications.loadChatSettings('c-general'),
      { chatId: 'c-general', level: 'mentions', muted: false });
    assert.deepEqual(api.calls.filter(([name]) => name === 'chatNotificationSettings'), []);

    await client.notifications.saveChatSettings('c-random', { muted: false });
    await client.notifications.saveChatSettings('c-general', { level: 'nothing' });
    assert.deepEqual(client.notifications.slice.state.chatSettings, {
      'c-general': { chatId: 'c-general', level: 'nothing', muted: false },
      'c-random': { chatId: 'c-random', level: 'mentions', muted: false },
    });
  });

  test('a notification opens its chat at the message', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel('c-general', 'general'),
      channel('c-random', 'random')], history: { 'c-random': [message('c-random', 1), message('c-random', 2)] } });
    client.openChat('c-general');
    await settle();
    assert.equal(await client.openMessageById('c-random', 'm-c-random-2'), true);
    await settle();
    assert.equal(client.chats.activeChatId(), 'c-random');
    assert.equal(client.messages.views.get('c-random').focus?.messageId, 'm-c-random-2');
    assert.equal(await client.openMessageById('c-unknown', 'x'), false);
    bus.forget();
  });
});
