import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pinsAfterEvent, withPin, withSaved, without } from '../js/store/pins.js';
import { ALICE, BOB, channel, connectedClient, message, settle, synced } from '../testing/fakes.js';

const GENERAL = 'c-general';
const pin = (seq, pinnedAt, userId = ALICE.id) => ({ messageId: `m-${GENERAL}-${seq}`, userId, pinnedAt,
  message: message(GENERAL, seq, { pinned: true, pinnedAt }) });

async function openGeneral(t, pins = []) {
  const history = { [GENERAL]: [1, 2, 3].map(seq => message(GENERAL, seq)) };
  const setup = await connectedClient(t, { chats: [channel(GENERAL, 'general', { lastSeq: 3, readSeq: 3 })], history });
  setup.bus.answer('chat.pins', body => ({ chatId: body.chatId, pins }));
  await settle();
  await setup.client.pins.load(GENERAL);
  setup.bus.forget();
  return setup;
}

describe('the pins list', () => {
  test('is newest pin first, one entry per message', () => {
    const older = pin(1, '2026-01-01T10:00:00.000Z');
    const newer = pin(2, '2026-01-01T11:00:00.000Z');
    assert.deepEqual(withPin([older], newer).map(p => p.messageId), [newer.messageId, older.messageId]);
    const again = pin(1, '2026-01-01T12:00:00.000Z');
    assert.deepEqual(withPin([newer, older], again).map(p => p.pinnedAt), [again.pinnedAt, newer.pinnedAt]);
  });

  test('loses a message on message.unpinned and on message.deleted; other events refresh its message', () => {
    const items = [pin(2, '2026-01-01T11:00:00.000Z'), pin(1, '2026-01-01T10:00:00.000Z')];
    const id = items[1].messageId;
    assert.deepEqual(pinsAfterEvent(items, { type: 'message.unpinned', messageId: id }, { id, pinned: false })
      .map(p => p.messageId), [items[0].messageId]);
    assert.equal(pinsAfterEvent(items, { type: 'message.deleted', messageId: id }, { id, deleted: true, pinned: false })
      .length, 1);
    const edited = pinsAfterEvent(items, { type: 'message.updated', messageId: id }, { id, content: 'edited', pinned: true });
    assert.equal(edited[1].message.content, 'edited');
  });

  test('a replayed pin whose message is no longer pinned is not added (a later unpin follows)', () => {
    const after = pinsAfterEvent([], { type: 'message.pinned', messageId: 'm-1', userId: BOB.id,
      pinnedAt: '2026-01-01T10:00:00.000Z' }, { id: 'm-1', pinned: false });
    assert.deepEqual(after, []);
  });

  test('follows message.pinned and message.unpinned heard live on the chat', async t => {
    const { client, bus } = await openGeneral(t);
    const pinned = message(GENERAL, 2, { pinned: true, pinnedAt: '2026-01-01T12:00:00.000Z' });
    bus.publish(`chat.${GENERAL}`, { type: 'message.pinned', chatId: GENERAL, seq: 4, messageId: pinned.id,
      userId: BOB.id, pinnedAt: pinned.pinnedAt, message: pinned });
    assert.deepEqual(client.pins.lists.get(GENERAL).items.map(p => [p.messageId, p.userId]), [[pinned.id, BOB.id]]);
    assert.equal(client.pins.count(GENERAL), 1);
    assert.equal(client.messages.views.get(GENERAL).messages.find(m => m.id === pinned.id).pinned, true);
    bus.publish(`chat.${GENERAL}`, { type: 'message.unpinned', chatId: GENERAL, seq: 5, messageId: pinned.id,
      userId: ALICE.id, pinnedAt: pinned.pinnedAt, message: { ...pinned, pinned: false, pinnedAt: undefined } });
    assert.equal(client.pins.count(GENERAL), 0);
  });

  test('follows a pin replayed by a sync', async t => {
    const { client, bus } = await openGeneral(t);
    const pinned = message(GENERAL, 1, { pinned: true, pinnedAt: '2026-01-01T12:00:00.000Z' });
    bus.answer('chat.sync', () => synced(GENERAL, 4, [{ type: 'message.pinned', chatId: GENERAL, seq: 4,
      userId: ALICE.id, pinnedAt: pinned.pinnedAt, message: pinned }]));
    bus.publish(`chat.${GENERAL}`, { type: 'sync.required', chatId: GENERAL });
    await settle();
    assert.deepEqual(client.pins.lists.get(GENERAL).items.map(p => p.messageId), [pinned.id]);
  });

  test('pinning asks chat.message.pin and shows the pin at once', async t => {
    const { client, bus } = await openGeneral(t);
    bus.answer('chat.message.pin', body => ({ messageId: body.messageId, pinned: body.pinned,
      pinnedAt: body.pinned ? '2026-01-01T12:00:00.000Z' : null }));
    const target = client.messages.views.get(GENERAL).messages[0];
    await client.pins.setPinned(target, true);
    assert.deepEqual(bus.sent('chat.message.pin'), [{ messageId: target.id, pinned: true }]);
    assert.equal(client.pins.count(GENERAL), 1);
    assert.equal(client.messages.views.get(GENERAL).messages[0].pinned, true);
    await client.pins.setPinned(target, false);
    assert.equal(client.pins.count(GENERAL), 0);
  });
});

describe('saved items', () => {
  test('are newest saved first, one entry per message', () => {
    const a = { messageId: 'm-a', savedAt: '2026-01-01T10:00:00.000Z' };
    const b = { messageId: 'm-b', savedAt: '2026-01-01T11:00:00.000Z' };
    assert.deepEqual(withSaved([a], b).map(item => item.messageId), ['m-b', 'm-a']);
    assert.deepEqual(without([b, a], 'm-b').map(item => item.messageId), ['m-a']);
  });

  test('saving asks chat.message.save; another device\'s removal (message.saved) takes it off', async t => {
    const { client, bus } = await openGeneral(t);
    bus.answer('chat.message.save', body => ({ messageId: body.messageId, chatId: GENERAL, saved: body.saved }));
    const target = client.messages.views.get(GENERAL).messages[0];
    await client.pins.setSaved(target, true);
    assert.deepEqual(bus.sent('chat.message.save'), [{ messageId: target.id, saved: true }]);
    assert.equal(client.pins.isSaved(target.id), true);
    bus.publish('user.u-me', { type: 'message.saved', chatId: GENERAL, messageId: target.id, saved: false,
      savedAt: null });
    assert.equal(client.pins.isSaved(target.id), false);
  });

  test('a save on another device brings the list again', async t => {
    const { client, bus } = await openGeneral(t);
    const target = message(GENERAL, 2);
    bus.answer('chat.saved', () => ({ items: [{ messageId: target.id, chatId: GENERAL,
      savedAt: '2026-01-01T12:00:00.000Z', message: target }], hasMore: false }));
    bus.publish('user.u-me', { type: 'message.saved', chatId: GENERAL, messageId: target.id, saved: true,
      savedAt: '2026-01-01T12:00:00.000Z' });
    await settle();
    assert.equal(client.pins.isSaved(target.id), true);
  });
});
