import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TITLE_INTERVAL_MS, titleText } from '../js/store/title.js';
import { ME, channel, connectedClient, fakeClock, fakePage, message, newMessage, settle } from '../testing/fakes.js';

const CHATS = [channel('c-general', 'general'), channel('c-random', 'random')];

/** A page that counts how often its title is set. */
function countingPage(page) {
  let title = '';
  page.titleWrites = 0;
  Object.defineProperty(page, 'title', {
    get: () => title,
    set: value => {
      page.titleWrites += 1;
      title = value;
    },
  });
  return page;
}

describe('the title and favicon', () => {
  test('count the unread messages (the mentions when there are any) and name the open chat', async t => {
    const clock = fakeClock();
    const { bus, page, favicons } = await connectedClient(t, { chats: CHATS, clock });
    await clock.advance(TITLE_INTERVAL_MS);
    assert.equal(page.title, '#general · OComms');
    bus.publish('chat.c-random', newMessage(message('c-random', 1)));
    bus.publish('chat.c-random', newMessage(message('c-random', 2)));
    await clock.advance(TITLE_INTERVAL_MS);
    assert.equal(page.title, '(2) #general · OComms');
    bus.publish('chat.c-random', newMessage(message('c-random', 3, { mentions: { users: [ME.id] } })));
    await clock.advance(TITLE_INTERVAL_MS);
    assert.equal(page.title, '(1) #general · OComms');
    assert.deepEqual(favicons, [{ count: 0, urgent: false }, { count: 2, urgent: false }, { count: 1, urgent: true }]);
  });

  test('change at most once a second however fast messages arrive, and end on the last count', async t => {
    const clock = fakeClock();
    const page = countingPage(fakePage());
    const { bus, favicons } = await connectedClient(t, { chats: CHATS, clock, page });
    const titles = page.titleWrites;
    const drawn = favicons.length;
    for (let seq = 1; seq <= 50; seq += 1) {
      bus.publish('chat.c-random', newMessage(message('c-random', seq)));
      await clock.advance(20); // 50 messages a second
    }
    // One second of traffic: written once at most after the start's own write, then once at the end of the burst.
    assert.ok(page.titleWrites - titles <= 1, `${page.titleWrites - titles} title writes in a second`);
    assert.ok(favicons.length - drawn <= 1, `${favicons.length - drawn} favicons drawn in a second`);
    await clock.advance(TITLE_INTERVAL_MS);
    assert.equal(page.title, '(50) #general · OComms');
    assert.deepEqual(favicons.at(-1), { count: 50, urgent: false });
    assert.ok(page.titleWrites - titles <= 2);
  });

  test('a quiet page shows a new count at once', async t => {
    const clock = fakeClock();
    const { bus, page } = await connectedClient(t, { chats: CHATS, clock });
    await clock.advance(2 * TITLE_INTERVAL_MS); // the start's writes are over, and a quiet second has passed
    bus.publish('chat.c-random', newMessage(message('c-random', 1)));
    await settle();
    assert.equal(page.title, '(1) #general · OComms');
  });

  test('do not redraw the favicon when the count stays the same', async t => {
    const clock = fakeClock();
    const { bus, favicons } = await connectedClient(t, { chats: CHATS, clock });
    const drawn = favicons.length;
    bus.publish('chat.c-random', { type: 'chat.updated', chatId: 'c-random', chat: { topic: 'new topic' } });
    await clock.advance(TITLE_INTERVAL_MS);
    assert.equal(favicons.length, drawn);
  });

  test('read "OComms" alone with nothing unread and no chat open', () => {
    assert.equal(titleText({ unread: 0, mentions: 0 }, null, ''), 'OComms');
    assert.equal(titleText({ unread: 3, mentions: 0 }, { kind: 'dm' }, 'Alice'), '(3) Alice · OComms');
  });
});
