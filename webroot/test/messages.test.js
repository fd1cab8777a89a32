import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { insertBySeq } from '../js/store/messages.js';
import { ALICE, channel, connectedClient, message, newMessage, settle, sleep, synced } from '../testing/fakes.js';

const GENERAL = 'c-general';
const shown = client => client.messages.views.get(GENERAL).messages.map(msg => msg.content);

/** A client with #general open and messages 1 to `count` loaded from history. */
async function openGeneral(t, count = 3) {
  const history = { [GENERAL]: Array.from({ length: count }, (_, i) => message(GENERAL, i + 1)) };
  const setup = await connectedClient(t, { chats: [channel(GENERAL, 'general', { lastSeq: count, readSeq: count })],
    history });
  await settle();
  assert.equal(setup.client.chats.activeChatId(), GENERAL, 'opened at start');
  setup.bus.forget();
  return setup;
}

describe('messages', () => {
  test('the open chat loads its newest page of history, oldest first', async t => {
    const { client } = await openGeneral(t);
    assert.deepEqual(shown(client), ['message 1', 'message 2', 'message 3']);
    assert.equal(client.messages.views.get(GENERAL).loaded, true);
  });

  test('a live message is added after the others, and the ones before keep their objects', async t => {
    const { client, bus } = await openGeneral(t);
    const before = client.messages.views.get(GENERAL).messages;
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 4)));
    const after = client.messages.views.get(GENERAL).messages;
    assert.deepEqual(after.map(msg => msg.seq), [1, 2, 3, 4]);
    before.forEach((msg, i) => assert.equal(after[i], msg, `message ${msg.seq} unchanged`));
  });

  test('a message heard twice (live and in a sync) is shown once', async t => {
    const { client, bus } = await openGeneral(t);
    const fourth = message(GENERAL, 4);
    bus.publish(`chat.${GENERAL}`, newMessage(fourth));
    bus.answer('chat.sync', () => synced(GENERAL, 4, [newMessage(fourth)]));
    bus.publish(`chat.${GENERAL}`, { type: 'sync.required', chatId: GENERAL });
    await settle();
    assert.deepEqual(shown(client), ['message 1', 'message 2', 'message 3', 'message 4']);
  });

  test('an edit replaces only that message; an older event about it changes nothing', async t => {
    const { client, bus } = await openGeneral(t);
    const [first, second] = client.messages.views.get(GENERAL).messages;
    const edited = { ...second, content: 'edited', editedAt: '2026-01-01T13:00:00Z' };
    bus.publish(`chat.${GENERAL}`, { type: 'message.updated', chatId: GENERAL, seq: 5, messageId: second.id,
      message: edited });
    bus.publish(`chat.${GENERAL}`, { type: 'message.reaction', chatId: GENERAL, seq: 4, messageId: second.id,
      message: { ...second, reactions: [{ emoji: '👍', count: 1, userIds: [ALICE.id] }] } });
    const [firstAfter, secondAfter] = client.messages.views.get(GENERAL).messages;
    assert.equal(firstAfter, first);
    assert.equal(secondAfter.content, 'edited');
    assert.deepEqual(secondAfter.reactions, [], 'the reaction event (seq 4) is older than the edit (seq 5)');
  });

  test('a gap in the numbers asks chat.sync for what is missing, and fills it in order', async t => {
    const { client, bus } = await openGeneral(t);
    bus.answer('chat.sync', () => synced(GENERAL, 6, [4, 5].map(seq => newMessage(message(GENERAL, seq)))));
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 6)));
    assert.deepEqual(bus.sent('chat.sync'), [], 'a moment for late events first');
    await sleep(350);
    await settle();
    assert.deepEqual(bus.sent('chat.sync'), [{ chats: { [GENERAL]: 3 } }]);
    assert.deepEqual(client.messages.views.get(GENERAL).messages.map(msg => msg.seq), [1, 2, 3, 4, 5, 6]);
    assert.equal(client.messages.syncedSeq(GENERAL), 6);
  });

  test('a sync reply that has more is followed from its syncedSeq until the chat is complete', async t => {
    const { client, bus } = await openGeneral(t);
    bus.answer('chat.sync', body => (body.chats[GENERAL] === 3
      ? synced(GENERAL, 7, [4, 5].map(seq => newMessage(message(GENERAL, seq))), { hasMore: true })
      : synced(GENERAL, 7, [6, 7].map(seq => newMessage(message(GENERAL, seq))))));
    bus.publish(`chat.${GENERAL}`, { type: 'sync.required', chatId: GENERAL });
    await settle();
    assert.deepEqual(bus.sent('chat.sync'), [{ chats: { [GENERAL]: 3 } }, { chats: { [GENERAL]: 5 } }]);
    assert.deepEqual(client.messages.views.get(GENERAL).messages.map(msg => msg.seq), [1, 2, 3, 4, 5, 6, 7]);
    assert.equal(client.messages.syncedSeq(GENERAL), 7);
  });

  test('a sync reply names each message once: its events about it apply the message as it is now', async t => {
    const { client, bus } = await openGeneral(t);
    const fourth = message(GENERAL, 4, { content: 'edited', editedAt: '2026-01-01T13:00:00Z',
      reactions: [{ emoji: '+1', count: 1, userIds: [ALICE.id] }] });
    bus.answer('chat.sync', () => ({ chats: { [GENERAL]: { lastSeq: 6, tooLarge: false, hasMore: false, syncedSeq: 6,
      events: [
        { type: 'message.new', chatId: GENERAL, seq: 4, messageId: fourth.id },
        { type: 'message.updated', chatId: GENERAL, seq: 5, messageId: fourth.id },
        { type: 'message.reaction', chatId: GENERAL, seq: 6, messageId: fourth.id, emoji: '+1', userId: ALICE.id,
          action: 'add' },
      ],
      messages: { [fourth.id]: fourth } } } }));
    bus.publish(`chat.${GENERAL}`, { type: 'sync.required', chatId: GENERAL });
    await settle();
    assert.deepEqual(shown(client), ['message 1', 'message 2', 'message 3', 'edited']);
    assert.deepEqual(client.messages.views.get(GENERAL).messages[3].reactions, fourth.reactions);
    assert.equal(client.chats.table.get(GENERAL).unreadCount, 1, 'the new message counted once');
    assert.equal(client.messages.syncedSeq(GENERAL), 6);
  });

  test('events that fill the gap before the sync is due make it unnecessary', async t => {
    const { client, bus } = await openGeneral(t);
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 5)));
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 4)));
    await sleep(350);
    assert.deepEqual(bus.sent('chat.sync'), []);
    assert.equal(client.messages.syncedSeq(GENERAL), 5);
  });

  test('after a reconnect every chat is synced from the last seq it saw', async t => {
    const { client, bus } = await openGeneral(t);
    bus.drop();
    bus.answer('chat.sync', () => synced(GENERAL, 4, [newMessage(message(GENERAL, 4))]));
    bus.open();
    await settle();
    assert.deepEqual(bus.sent('chat.sync').at(-1), { chats: { [GENERAL]: 3 } });
    assert.deepEqual(shown(client), ['message 1', 'message 2', 'message 3', 'message 4']);
  });

  test('a sync with too much to replay reloads the open chat from history', async t => {
    const { client, bus } = await openGeneral(t);
    bus.answer('chat.sync', () => ({ chats: { [GENERAL]: { lastSeq: 900, tooLarge: true } } }));
    bus.answer('chat.history', () => ({ chatId: GENERAL, messages: [message(GENERAL, 900)], hasMore: true }));
    bus.publish(`chat.${GENERAL}`, { type: 'sync.required', chatId: GENERAL });
    await settle();
    assert.deepEqual(shown(client), ['message 900']);
    assert.equal(client.messages.syncedSeq(GENERAL), 900);
  });

  test('a thread reply goes to its thread, and counts on its root', async t => {
    const { client, bus } = await openGeneral(t);
    const root = message(GENERAL, 1);
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 4, { replyTo: root.id, content: 'a reply' })));
    const view = client.messages.views.get(GENERAL);
    assert.deepEqual(view.messages.map(msg => msg.seq), [1, 2, 3], 'not among the top-level messages');
    assert.deepEqual(view.threads.get(root.id).replies.map(reply => reply.content), ['a reply']);
    assert.equal(view.messages[0].replyCount, 1);
  });

  test('a read receipt moves that member\'s watermark forward only', async t => {
    const { client, bus } = await openGeneral(t);
    bus.publish(`chat.${GENERAL}`, { type: 'read.receipt', chatId: GENERAL, userId: ALICE.id, seq: 3 });
    bus.publish(`chat.${GENERAL}`, { type: 'read.receipt', chatId: GENERAL, userId: ALICE.id, seq: 2 });
    assert.equal(client.messages.views.get(GENERAL).members.get(ALICE.id), 3);
  });

  test('the events of a chat the user left are no longer heard', async t => {
    const { client, bus } = await openGeneral(t);
    bus.publish(`chat.${GENERAL}`, { type: 'member.left', chatId: GENERAL, userId: 'u-me', by: 'u-me',
      reason: 'left' });
    assert.equal(client.chats.table.has(GENERAL), false);
    assert.equal(client.messages.views.has(GENERAL), false);
    assert.equal(bus.registered(`chat.${GENERAL}`), false);
  });
});

describe('insertBySeq', () => {
  test('places a message by its seq, whatever order they come in', () => {
    const list = [3, 1, 2].reduce((messages, seq) => insertBySeq(messages, { seq }), []);
    assert.deepEqual(list.map(msg => msg.seq), [1, 2, 3]);
  });
});

describe('member counts', () => {
  test('a member joining or leaving the open chat updates its member count', async t => {
    const { client, bus, api } = await openGeneral(t);
    assert.equal(client.chats.table.get(GENERAL).memberCount, 3, 'counted from the member list on opening');
    api.data.chatMembers[GENERAL] = [...api.data.chatMembers[GENERAL],
      { userId: 'u-carol', readSeq: 0, user: { id: 'u-carol', username: 'carol', displayName: 'Carol' } }];
    bus.publish(`chat.${GENERAL}`, { type: 'member.joined', chatId: GENERAL, userId: 'u-carol', by: 'u-carol' });
    await settle();
    assert.equal(client.chats.table.get(GENERAL).memberCount, 4);
    api.data.chatMembers[GENERAL] = api.data.chatMembers[GENERAL].slice(1);
    bus.publish(`chat.${GENERAL}`, { type: 'member.left', chatId: GENERAL, userId: 'u-carol', by: 'u-carol',
      reason: 'left' });
    await settle();
    assert.equal(client.chats.table.get(GENERAL).memberCount, 3);
  });
});
