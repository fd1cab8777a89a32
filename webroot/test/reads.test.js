import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { channel, connectedClient, fakePage, message, newMessage, settle, sleep } from '../testing/fakes.js';

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
});
