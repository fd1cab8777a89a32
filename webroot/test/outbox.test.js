import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeFailure, failureText } from '../js/store/outbox.js';
import { BusError } from '../js/eventbus.js';
import {
  ME, channel, connectedClient, memoryOutbox, message, newMessage, refusal, settle, sleep,
} from '../testing/fakes.js';

const GENERAL = 'c-general';
const pendingOf = client => client.outbox.pending.get(GENERAL) || [];
const stored = (chatId, seq, body) => message(chatId, seq, { clientId: body.clientId, senderId: ME.id,
  content: body.content });

/** A connected client whose #general has one message, and whose server stores sends as seq 2, 3, ... */
async function writer(t, options = {}) {
  const setup = await connectedClient(t, { chats: [channel(GENERAL, 'general', { lastSeq: 1, readSeq: 1 })],
    history: { [GENERAL]: [message(GENERAL, 1)] }, ...options });
  let seq = 1;
  setup.bus.answer('chat.message.send', body => {
    seq += 1;
    return stored(GENERAL, seq, body);
  });
  await settle();
  setup.bus.forget();
  return setup;
}

describe('sending', () => {
  test('an acknowledged message leaves the outbox and joins the chat\'s messages, read by its sender', async t => {
    const { client, bus, outboxStore } = await writer(t);
    await client.outbox.send(GENERAL, 'hello');
    assert.deepEqual(bus.sent('chat.message.send'), [{ chatId: GENERAL, clientId: 'client-1', content: 'hello' }]);
    assert.deepEqual(pendingOf(client), []);
    assert.equal(outboxStore.entries.size, 0);
    assert.deepEqual(client.messages.views.get(GENERAL).messages.map(msg => msg.content), ['message 1', 'hello']);
    assert.equal(client.chats.table.get(GENERAL).readSeq, 2);
  });

  test('written offline, messages wait in the outbox and go out in order once connected', async t => {
    const { client, bus, outboxStore } = await writer(t);
    bus.drop();
    await client.outbox.send(GENERAL, 'first');
    await client.outbox.send(GENERAL, 'second');
    assert.deepEqual(pendingOf(client).map(entry => [entry.content, entry.status]),
      [['first', 'queued'], ['second', 'queued']]);
    assert.equal(outboxStore.entries.size, 2, 'kept in IndexedDB meanwhile');
    bus.open();
    await settle();
    assert.deepEqual(bus.sent('chat.message.send').map(body => body.content), ['first', 'second']);
    assert.deepEqual(pendingOf(client), []);
  });

  test('a message the server heard live before its acknowledgement is not shown twice', async t => {
    const { client, bus } = await writer(t);
    bus.answer('chat.message.send', body => {
      bus.publish(`chat.${GENERAL}`, newMessage(stored(GENERAL, 2, body)));
      return stored(GENERAL, 2, body);
    });
    await client.outbox.send(GENERAL, 'only once');
    assert.deepEqual(client.messages.views.get(GENERAL).messages.map(msg => msg.content), ['message 1', 'only once']);
    assert.deepEqual(pendingOf(client), []);
  });

  test('a message refused as too long says why and offers no retry', async t => {
    const { client, bus } = await writer(t);
    bus.answer('chat.message.send', () => {
      throw refusal('validation_failed', 400, 'content is limited to 16384 bytes',
        { field: 'content', reason: 'content_too_long' });
    });
    await client.outbox.send(GENERAL, 'x'.repeat(20_000));
    const [entry] = pendingOf(client);
    assert.equal(entry.status, 'failed');
    assert.deepEqual(entry.failure, { code: 'validation_failed', reason: 'content_too_long',
      detail: 'content is limited to 16384 bytes', retryable: false });
    assert.equal(failureText(entry.failure), 'failed: content is limited to 16384 bytes (content_too_long)');

    await client.outbox.retry(GENERAL, entry.clientId);
    assert.equal(bus.sent('chat.message.send').length, 1, 'retrying cannot succeed, so it is not tried');
    client.outbox.discard(GENERAL, entry.clientId);
    assert.deepEqual(pendingOf(client), []);
  });

  test('a message the server did not answer in time can be retried, with the same clientId', async t => {
    const { client, bus } = await writer(t);
    bus.answer('chat.message.send', () => {
      throw new BusError('timeout', 504, 'no reply from chat.message.send in 10000 ms');
    });
    await client.outbox.send(GENERAL, 'slow');
    const [entry] = pendingOf(client);
    assert.equal(entry.status, 'failed');
    assert.equal(entry.failure.retryable, true);
    assert.equal(failureText(entry.failure), 'failed: no reply from chat.message.send in 10000 ms');

    bus.answer('chat.message.send', body => stored(GENERAL, 2, body));
    await client.outbox.retry(GENERAL, entry.clientId);
    assert.deepEqual(bus.sent('chat.message.send').map(body => body.clientId), [entry.clientId, entry.clientId]);
    assert.deepEqual(pendingOf(client), []);
  });

  test('a rate-limited message waits as long as the server asks, then goes out by itself', async t => {
    const { client, bus } = await writer(t);
    let refused = false;
    bus.answer('chat.message.send', body => {
      if (!refused) {
        refused = true;
        throw refusal('rate_limited', 429, 'too many messages', { retryAfter: 1, retryAfterMs: 50 });
      }
      return stored(GENERAL, 2, body);
    });
    await client.outbox.send(GENERAL, 'patient');
    assert.equal(pendingOf(client)[0].status, 'queued');
    await sleep(100);
    await settle();
    assert.equal(bus.sent('chat.message.send').length, 2);
    assert.deepEqual(pendingOf(client), []);
  });

  test('an urgent message goes with priority "urgent"', async t => {
    const { client, bus } = await writer(t);
    bus.answer('chat.message.send', body => stored(GENERAL, 2, body));
    await client.outbox.send(GENERAL, 'the build is on fire', null, [], { priority: 'urgent' });
    await client.outbox.send(GENERAL, 'fixed');
    assert.deepEqual(bus.sent('chat.message.send').map(body => [body.content, body.priority]),
      [['the build is on fire', 'urgent'], ['fixed', undefined]]);
  });

  test('an urgent message over the hour\'s quota fails at once, saying so, and can go as a normal one', async t => {
    const { client, bus } = await writer(t);
    bus.answer('chat.message.send', body => {
      if (body.priority === 'urgent') {
        throw refusal('rate_limited', 429, 'at most 3 urgent messages per hour',
          { retryAfter: 1800, retryAfterMs: 1_800_000, limit: 'chat.urgent' });
      }
      return stored(GENERAL, 2, body);
    });
    await client.outbox.send(GENERAL, 'fourth alarm', null, [], { priority: 'urgent' });
    const [entry] = pendingOf(client);
    assert.equal(entry.status, 'failed');
    assert.equal(entry.failure.code, 'rate_limited');
    assert.match(entry.failure.detail, /at most 3 urgent messages per hour.*30 min/);
    assert.equal(entry.failure.retryable, false);

    await client.outbox.sendAsNormal(GENERAL, entry.clientId);
    assert.deepEqual(bus.sent('chat.message.send').map(body => [body.clientId, body.priority]),
      [[entry.clientId, 'urgent'], [entry.clientId, undefined]]);
    assert.deepEqual(pendingOf(client), []);
  });

  test('what the outbox kept from an earlier visit is shown and sent at start', async t => {
    const outboxStore = memoryOutbox();
    await outboxStore.put({ clientId: 'kept', userId: ME.id, chatId: GENERAL, content: 'from before the reload',
      replyTo: null, createdAt: '2026-01-01T00:00:00Z' });
    const { client, bus } = await writer(t, { outboxStore, connect: false });
    assert.deepEqual(pendingOf(client).map(entry => [entry.content, entry.status]),
      [['from before the reload', 'queued']]);
    bus.open();
    await settle();
    assert.deepEqual(bus.sent('chat.message.send').map(body => body.clientId), ['kept']);
    assert.equal(outboxStore.entries.size, 0);
  });
});

describe('a failure as the user sees it', () => {
  test('only waiting, busy, slow and lost connections are worth a retry', () => {
    const retryable = code => describeFailure(new BusError(code, 0, code)).retryable;
    assert.deepEqual(['rate_limited', 'unavailable', 'timeout', 'disconnected'].map(retryable),
      [true, true, true, true]);
    assert.deepEqual(['validation_failed', 'forbidden', 'not_found', 'conflict', 'payload_too_large']
      .map(retryable), [false, false, false, false, false]);
  });

  test('names the reason code only where the server gave one', () => {
    const archived = describeFailure(refusal('forbidden', 403, 'this channel is archived',
      { reason: 'chat_archived' }));
    assert.equal(failureText(archived), 'failed: this channel is archived (chat_archived)');
    assert.equal(failureText(describeFailure(refusal('forbidden', 403, 'not a member'))), 'failed: not a member');
  });
});
