import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { READ_INTERVAL_MS } from '../js/store/reads.js';
import { channel, connectedClient, fakeClock, fakePage, message, newMessage, settle, sleep } from '../testing/fakes.js';

const GENERAL = 'c-general';
const READ_WAIT_MS = 200; // a little more than the client's 150 ms

async function reader(t, page = fakePage()) {
  const setup = await connectedClient(t, { page, chats: [channel(GENERAL, 'general', { lastSeq: 2, readSeq: 2 })],
    history: { [GENERAL]: [message(GENERAL, 1), message(GENERAL, 2)] } });
  await sleep(READ_WAIT_MS);
  setup.bus.forget();
  return setup;
}

describe('reading', () => {
  test('a message arriving in the open chat, at the bottom of a visible page, is marked read', async t => {
    const { client, bus } = await reader(t);
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 3)));
    assert.equal(client.chats.table.get(GENERAL).unreadCount, 1);
    await sleep(READ_WAIT_MS);
    await settle();
    assert.deepEqual(bus.sent('chat.read'), [{ chatId: GENERAL, seq: 3 }]);
    assert.equal(client.chats.table.get(GENERAL).unreadCount, 0);
    assert.equal(client.chats.table.get(GENERAL).readSeq, 3);
  });

  test('nothing is marked read while the page is hidden; it is once the page is shown', async t => {
    const page = fakePage();
    const { bus } = await reader(t, page);
    page.visibilityState = 'hidden';
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 3)));
    await sleep(READ_WAIT_MS);
    assert.deepEqual(bus.sent('chat.read'), []);
    page.visibilityState = 'visible';
    page.fire('visibilitychange');
    await sleep(READ_WAIT_MS);
    assert.deepEqual(bus.sent('chat.read'), [{ chatId: GENERAL, seq: 3 }]);
  });

  test('nothing is marked read while the list is scrolled up; it is once it is back at the bottom', async t => {
    const { client, bus } = await reader(t);
    client.reads.setAtBottom(false);
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 3)));
    await sleep(READ_WAIT_MS);
    assert.deepEqual(bus.sent('chat.read'), []);
    client.reads.setAtBottom(true);
    await sleep(READ_WAIT_MS);
    assert.deepEqual(bus.sent('chat.read'), [{ chatId: GENERAL, seq: 3 }]);
  });

  test('a chat with nothing unread is not marked again', async t => {
    const { client, bus } = await reader(t);
    client.reads.markReadSoon();
    await sleep(READ_WAIT_MS);
    assert.deepEqual(bus.sent('chat.read'), []);
  });

  test('while messages keep arriving every 100 ms, a read still goes out at least every 2 s', async t => {
    const clock = fakeClock();
    const { client, bus } = await connectedClient(t, { clock, chats: [channel(GENERAL, 'general', { lastSeq: 2, readSeq: 2 })],
      history: { [GENERAL]: [message(GENERAL, 1), message(GENERAL, 2)] } });
    await clock.advance(READ_INTERVAL_MS);
    bus.forget();
    const readsAt = [];
    for (let seq = 3; seq <= 52; seq += 1) { // 5 s of 10 messages a second
      bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, seq)));
      const before = bus.sent('chat.read').length;
      await clock.advance(100);
      if (bus.sent('chat.read').length > before) {
        readsAt.push(clock.now());
      }
    }
    assert.ok(readsAt.length >= 3, `${readsAt.length} reads in 5 s`);
    const gaps = readsAt.slice(1).map((at, i) => at - readsAt[i]);
    assert.ok(Math.max(...gaps) <= 2000, `gaps ${gaps}`);
    // Not one per message either: at most one a READ_INTERVAL_MS.
    assert.ok(readsAt.length <= 5000 / READ_INTERVAL_MS + 1, `${readsAt.length} reads in 5 s`);
    await clock.advance(READ_INTERVAL_MS);
    assert.equal(bus.sent('chat.read').at(-1).seq, 52);
    assert.equal(client.chats.table.get(GENERAL).unreadCount, 0);
  });
});
