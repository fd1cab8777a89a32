import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classify } from '../js/store/chats.js';
import {
  ALICE, BOB, ME, channel, connectedClient, memoryStorage, message, newMessage, settle, synced,
} from '../testing/fakes.js';

const GENERAL = 'c-general';
const RANDOM = 'c-random';
const two = () => [channel(GENERAL, 'general', { lastSeq: 10, readSeq: 10 }),
  channel(RANDOM, 'random', { lastSeq: 10, readSeq: 10 })];
const counts = (client, chatId) => {
  const { unreadCount, mentionCount, readSeq } = client.chats.table.get(chatId);
  return { unreadCount, mentionCount, readSeq };
};

describe('unread counting', () => {
  test('messages in a chat not open count as unread, and one naming the user as a mention too', async t => {
    const { client, bus } = await connectedClient(t, { chats: two() });
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 11)));
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 12, { mentions: { users: [ME.id] } })));
    assert.deepEqual(counts(client, RANDOM), { unreadCount: 2, mentionCount: 1, readSeq: 10 });
    assert.deepEqual(counts(client, GENERAL), { unreadCount: 0, mentionCount: 0, readSeq: 10 });
  });

  test('a message heard live and again in a sync counts once', async t => {
    const { client, bus } = await connectedClient(t, { chats: two() });
    const eleventh = message(RANDOM, 11);
    bus.publish(`chat.${RANDOM}`, newMessage(eleventh));
    bus.answer('chat.sync', () => synced(RANDOM, 11, [newMessage(eleventh)]));
    bus.publish(`chat.${RANDOM}`, { type: 'sync.required', chatId: RANDOM });
    await settle();
    assert.equal(counts(client, RANDOM).unreadCount, 1);
  });

  test('the user\'s own message reads the chat up to it', async t => {
    const { client, bus } = await connectedClient(t, { chats: two() });
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 11)));
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 12, { senderId: ME.id })));
    assert.deepEqual(counts(client, RANDOM), { unreadCount: 0, mentionCount: 0, readSeq: 12 });
  });

  test('a badge replaces the counts; so does a chat list fetched again, plus what came after it', async t => {
    const { client, bus, api } = await connectedClient(t, { chats: two() });
    bus.publish('user.u-me', { type: 'notification.badge', chatId: RANDOM, unreadCount: 4, mentionCount: 1 });
    assert.deepEqual(counts(client, RANDOM), { unreadCount: 4, mentionCount: 1, readSeq: 10 });
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 11)));
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 12)));
    // The list was made after message 11: it counts it already; message 12 is added again.
    api.data.chats = [channel(GENERAL, 'general', { lastSeq: 10, readSeq: 10 }),
      channel(RANDOM, 'random', { lastSeq: 11, readSeq: 10, unreadCount: 1, mentionCount: 0 })];
    bus.publish('user.u-me', { type: 'sync.required' });
    await settle();
    assert.deepEqual(counts(client, RANDOM), { unreadCount: 2, mentionCount: 0, readSeq: 10 });
  });

  test('how a message counts: own, read, mention or unread', () => {
    const chat = { readSeq: 5 };
    assert.equal(classify({ seq: 6, senderId: ME.id }, chat, ME.id), 'own');
    assert.equal(classify({ seq: 5, senderId: ALICE.id }, chat, ME.id), 'read');
    assert.equal(classify({ seq: 6, senderId: ALICE.id, deleted: true }, chat, ME.id), 'read');
    assert.equal(classify({ seq: 6, senderId: ALICE.id, mentions: { here: true } }, chat, ME.id), 'mention');
    assert.equal(classify({ seq: 6, senderId: ALICE.id, mentions: { users: [BOB.id] } }, chat, ME.id), 'unread');
  });

  test('a system message (a join, a rename...) never counts, not even as one\'s own', () => {
    const chat = { readSeq: 5 };
    const system = { action: 'joined', actorId: ALICE.id, userIds: [ALICE.id] };
    assert.equal(classify({ seq: 6, senderId: ALICE.id, kind: 'system', system }, chat, ME.id), 'read');
    assert.equal(classify({ seq: 6, senderId: ME.id, kind: 'system', system }, chat, ME.id), 'read');
  });
});

describe('the chat list', () => {
  test('is the same list after a badge changes (only that chat\'s row changes)', async t => {
    const { client, bus } = await connectedClient(t, { chats: two() });
    const list = client.chats.chatsOf('ws-1');
    const general = client.chats.table.get(GENERAL);
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 11)));
    assert.equal(client.chats.chatsOf('ws-1'), list);
    assert.equal(client.chats.table.get(GENERAL), general);
    assert.deepEqual(list, { channels: [GENERAL, RANDOM], dms: [] });
  });

  test('a message in a chat not open leaves everything of the open chat as it was', async t => {
    const { client, bus } = await connectedClient(t, { chats: two() });
    assert.equal(client.chats.activeChatId(), GENERAL);
    const row = client.chats.table.get(GENERAL);
    const view = client.messages.views.get(GENERAL);
    const heard = [];
    client.chats.table.subscribeKey(GENERAL, () => heard.push('chat row'));
    client.messages.views.subscribeKey(GENERAL, () => heard.push('messages'));
    client.chats.selection.subscribe(() => heard.push('selection'));
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 11)));
    await settle();
    assert.equal(client.chats.table.get(GENERAL), row);
    assert.equal(client.messages.views.get(GENERAL), view);
    assert.deepEqual(heard, []);
    assert.equal(counts(client, RANDOM).unreadCount, 1);
  });

  test('changes when a chat is added, and sorts by name', async t => {
    const { client, bus } = await connectedClient(t, { chats: two() });
    const list = client.chats.chatsOf('ws-1');
    const { readSeq, unreadCount, mentionCount, ...alpha } = channel('c-alpha', 'alpha', { lastSeq: 3 });
    bus.publish('user.u-me', { type: 'chat.added', chat: alpha }); // a chat, without the user's counts
    assert.notEqual(client.chats.chatsOf('ws-1'), list);
    assert.deepEqual(client.chats.chatsOf('ws-1').channels, ['c-alpha', GENERAL, RANDOM]);
    assert.equal(counts(client, 'c-alpha').readSeq, 3, 'a chat just joined is read up to its last seq');
    assert.equal(bus.registered('chat.c-alpha'), true);
  });

  test('a DM is titled by the other members\' names', async t => {
    const dm = channel('c-dm', null, { kind: 'dm', memberIds: [ME.id, ALICE.id, BOB.id] });
    const { client } = await connectedClient(t, { chats: [...two(), dm] });
    assert.equal(client.chats.title(client.chats.table.get('c-dm')), 'Alice, Bob');
    assert.deepEqual(client.chats.chatsOf('ws-1').dms, ['c-dm']);
  });

  test('a removed chat goes, with its registration', async t => {
    const { client, bus } = await connectedClient(t, { chats: two() });
    bus.publish('user.u-me', { type: 'chat.removed', chatId: RANDOM, reason: 'removed' });
    assert.deepEqual(client.chats.chatsOf('ws-1').channels, [GENERAL]);
    assert.equal(bus.registered(`chat.${RANDOM}`), false);
  });
});

describe('connecting', () => {
  test('fetches the chat list once, after the connection is open, and again after a reconnect', async t => {
    const { bus, api } = await connectedClient(t, { chats: two() });
    const listFetches = () => api.calls.filter(([name]) => name === 'chats').length;
    assert.equal(listFetches(), 1);
    bus.drop();
    bus.open();
    await settle();
    assert.equal(listFetches(), 2);
  });

  test('registers the chat that will open before the others', async t => {
    const chats = [channel('c-a', 'aardvark'), channel('c-b', 'beaver'), channel('c-z', 'zebra')];
    const storage = memoryStorage({ 'ocomms.chat.ws-1': 'c-z' });
    const { client, bus } = await connectedClient(t, { chats, storage });
    const chatAddresses = [...bus.handlers.keys()].filter(address => address.startsWith('chat.'));
    assert.deepEqual(chatAddresses, ['chat.c-z', 'chat.c-a', 'chat.c-b']);
    assert.equal(client.chats.activeChatId(), 'c-z');
  });

  test('keeps the unread totals as counts change, without visiting every chat', async t => {
    const { client, bus } = await connectedClient(t, { chats: two() });
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 11)));
    bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 12, { mentions: { users: [ME.id] } })));
    assert.deepEqual(client.chats.totals(), { unread: 2, mentions: 1 });
    assert.equal(client.chats.unreadByWorkspace().get('ws-1'), 2);
    client.chats.remove(RANDOM);
    assert.deepEqual(client.chats.totals(), { unread: 0, mentions: 0 });
    assert.equal(client.chats.unreadByWorkspace().has('ws-1'), false);
  });
});
