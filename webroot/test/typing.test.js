import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { typingText } from '../js/store/typing.js';
import { ALICE, BOB, channel, connectedClient, message, newMessage } from '../testing/fakes.js';

const GENERAL = 'c-general';
const typing = (userId, active) => ({ type: 'typing.indicator', chatId: GENERAL, userId,
  displayName: userId === ALICE.id ? 'Alice' : 'Bob', active });

describe('typing', () => {
  test('shows who is typing, and stops when they stop', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, typing(ALICE.id, true));
    assert.equal(client.typing.text(GENERAL), 'Alice is typing…');
    bus.publish(`chat.${GENERAL}`, typing(BOB.id, true));
    assert.equal(client.typing.text(GENERAL), 'Alice and Bob are typing…');
    bus.publish(`chat.${GENERAL}`, typing(ALICE.id, false));
    assert.equal(client.typing.text(GENERAL), 'Bob is typing…');
  });

  test('a message from someone typing ends their indicator', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, typing(ALICE.id, true));
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 1, { senderId: ALICE.id })));
    assert.equal(client.typing.text(GENERAL), '');
  });

  test('the user\'s own typing is not shown to them', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, typing('u-me', true));
    assert.equal(client.typing.text(GENERAL), '');
  });

  test('the user\'s typing is announced once, not on every key', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.answer('chat.typing', () => ({ accepted: true }));
    client.typing.typed(GENERAL);
    client.typing.typed(GENERAL);
    client.typing.stoppedTyping(GENERAL);
    assert.deepEqual(bus.sent('chat.typing'), [{ chatId: GENERAL, active: true }, { chatId: GENERAL, active: false }]);
  });

  test('words it: one, two, several, and only those not expired', () => {
    const now = 1_000;
    const typist = (name, until = now + 1) => ({ name, until });
    assert.equal(typingText([], now), '');
    assert.equal(typingText([typist('Ann'), typist('Ben', now - 1)], now), 'Ann is typing…');
    assert.equal(typingText([typist('Ann'), typist('Ben'), typist('Cy')], now), 'Several people are typing…');
  });
});
