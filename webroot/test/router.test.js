import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EVENT, EVENTS_BY_SCOPE, SCOPE } from '../js/protocol.js';
import { createRouter } from '../js/store/router.js';
import { connectedClient } from '../testing/fakes.js';

describe('the event router', () => {
  test('hands an event to the slice that owns its type, with the chat it came on', () => {
    const router = createRouter();
    const heard = [];
    router.own(SCOPE.CHAT, EVENT.TYPING_INDICATOR, 'typing', (event, chatId) => heard.push([event.userId, chatId]));
    assert.equal(router.route(SCOPE.CHAT, { type: EVENT.TYPING_INDICATOR, userId: 'u-1' }, 'c-1'), true);
    assert.deepEqual(heard, [['u-1', 'c-1']]);
  });

  test('tells the two sync.required apart by where they arrive', () => {
    const router = createRouter();
    const heard = [];
    router.own(SCOPE.CHAT, EVENT.SYNC_REQUIRED, 'messages', (event, chatId) => heard.push(`chat ${chatId}`));
    router.own(SCOPE.USER, EVENT.SYNC_REQUIRED, 'chats', () => heard.push('user'));
    router.route(SCOPE.USER, { type: EVENT.SYNC_REQUIRED });
    router.route(SCOPE.CHAT, { type: EVENT.SYNC_REQUIRED, chatId: 'c-1' }, 'c-1');
    assert.deepEqual(heard, ['user', 'chat c-1']);
  });

  test('ignores an event type nobody owns, as docs/protocol.md asks of clients', () => {
    const router = createRouter();
    assert.equal(router.route(SCOPE.CHAT, { type: 'poll.closed' }, 'c-1'), false);
    assert.equal(router.route(SCOPE.CHAT, null, 'c-1'), false);
  });

  test('refuses a second owner for a type', () => {
    const router = createRouter();
    router.own(SCOPE.USER, EVENT.CHAT_ADDED, 'chats', () => {});
    assert.throws(() => router.own(SCOPE.USER, EVENT.CHAT_ADDED, 'messages', () => {}), /owned by chats/);
  });

  test('refuses a type the protocol does not name on that address', () => {
    const router = createRouter();
    assert.throws(() => router.own(SCOPE.USER, EVENT.MESSAGE_NEW, 'messages', () => {}), /does not name/);
  });
});

describe('the client\'s routes', () => {
  test('every event type of docs/protocol.md has exactly one owning slice', async t => {
    const { client } = await connectedClient(t);
    const owners = {};
    Object.entries(EVENTS_BY_SCOPE).forEach(([scope, types]) => types.forEach(type => {
      owners[`${scope} ${type}`] = client.router.ownerOf(scope, type);
    }));
    assert.deepEqual(owners, {
      'chat message.new': 'messages',
      'chat message.updated': 'messages',
      'chat message.deleted': 'messages',
      'chat message.reaction': 'messages',
      'chat message.pinned': 'messages',
      'chat message.unpinned': 'messages',
      'chat read.receipt': 'messages',
      'chat typing.indicator': 'typing',
      'chat member.joined': 'messages',
      'chat member.left': 'messages',
      'chat chat.updated': 'chats',
      'chat sync.required': 'messages',
      'chat note.updated': 'notes',
      'chat note.editing': 'notes',
      'user chat.added': 'chats',
      'user chat.removed': 'chats',
      'user notification.badge': 'chats',
      'user presence.changed': 'presence',
      'user sync.required': 'chats',
      'user note.personal.updated': 'notes',
      'user notification.toast': 'notifications',
      'user notification.settings': 'notifications',
      'user notification.acked': 'notifications',
      'user user.updated': 'people',
      'user message.saved': 'saved',
      'user command.ephemeral': 'commands',
    });
  });

  test('a chat\'s events reach the client through the registration on chat.<id>', async t => {
    const { client, bus } = await connectedClient(t);
    assert.equal(bus.registered('chat.c-general'), true);
    assert.equal(bus.registered('user.u-me'), true);
    bus.publish('chat.c-general', { type: 'chat.updated', chatId: 'c-general', chat: { topic: 'launch plans' } });
    assert.equal(client.chats.table.get('c-general').topic, 'launch plans');
  });
});
