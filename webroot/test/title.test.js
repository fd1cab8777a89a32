import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { titleText } from '../js/store/title.js';
import { ME, channel, connectedClient, message, newMessage, settle } from '../testing/fakes.js';

describe('the title and favicon', () => {
  test('count the unread messages (the mentions when there are any) and name the open chat', async t => {
    const chats = [channel('c-general', 'general'), channel('c-random', 'random')];
    const { bus, page, favicons } = await connectedClient(t, { chats });
    assert.equal(page.title, '#general · OComms');
    bus.publish('chat.c-random', newMessage(message('c-random', 1)));
    bus.publish('chat.c-random', newMessage(message('c-random', 2)));
    await settle();
    assert.equal(page.title, '(2) #general · OComms');
    bus.publish('chat.c-random', newMessage(message('c-random', 3, { mentions: { users: [ME.id] } })));
    await settle();
    assert.equal(page.title, '(1) #general · OComms');
    assert.deepEqual(favicons, [{ count: 0, urgent: false }, { count: 2, urgent: false }, { count: 1, urgent: true }]);
  });

  test('do not redraw the favicon when the count stays the same', async t => {
    const chats = [channel('c-general', 'general'), channel('c-random', 'random')];
    const { bus, favicons } = await connectedClient(t, { chats });
    const drawn = favicons.length;
    bus.publish('chat.c-random', { type: 'chat.updated', chatId: 'c-random', chat: { topic: 'new topic' } });
    await settle();
    assert.equal(favicons.length, drawn);
  });

  test('read "OComms" alone with nothing unread and no chat open', () => {
    assert.equal(titleText({ unread: 0, mentions: 0 }, null, ''), 'OComms');
    assert.equal(titleText({ unread: 3, mentions: 0 }, { kind: 'dm' }, 'Alice'), '(3) Alice · OComms');
  });
});
