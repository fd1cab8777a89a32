// The bridge client against a socket the test plays the server on: how many frames it keeps waiting at the server,
// and what it does with frames the server refused.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { settle, sleep } from '../testing/fakes.js';

let EventBus;
let REGISTERS_IN_FLIGHT;

before(async () => {
  globalThis.window ??= { addEventListener() {}, removeEventListener() {} };
  globalThis.navigator ??= { onLine: true };
  ({ EventBus, REGISTERS_IN_FLIGHT } = await import('../js/eventbus.js'));
});

/** A SockJS-like socket whose frames the test reads and answers. */
function fakeSocket() {
  const socket = {
    readyState: 1,
    frames: [],
    send(text) {
      socket.frames.push(JSON.parse(text));
    },
    close() {},
    /** The server sends a frame. */
    deliver(frame) {
      socket.onmessage({ data: JSON.stringify(frame) });
    },
    ofType: type => socket.frames.filter(frame => frame.type === type),
  };
  return socket;
}

async function openBus() {
  const socket = fakeSocket();
  const bus = new EventBus('/eventbus', { token: () => 'token', socketFactory: () => socket });
  bus.start();
  socket.onopen();
  await settle();
  return { bus, socket };
}

const TOO_MANY = { code: 'rate_limited', reason: 'too_many_frames', detail: 'too many frames at once', retryAfterMs: 10 };
const refusal = (address, body) => ({ type: 'err', address, failureCode: 429, message: body.code, body });

describe('the bridge client', () => {
  let buses = [];
  after(() => buses.forEach(bus => bus.close()));

  test(`keeps at most ${16} registrations waiting at the server, and sends the rest as answers come`, async () => {
    const { bus, socket } = await openBus();
    buses.push(bus);
    for (let i = 0; i < 100; i += 1) {
      bus.subscribe(`chat.c${i}`, () => {});
    }
    await settle();
    const sent = socket.ofType('register');
    assert.equal(sent.length, REGISTERS_IN_FLIGHT);
    assert.deepEqual(sent.map(frame => frame.address), Array.from({ length: REGISTERS_IN_FLIGHT }, (_, i) => `chat.c${i}`),
      'in the order asked');
    // A request made now goes out at once, behind the registrations in flight, not behind all hundred.
    const history = bus.request('chat.history', { chatId: 'c0' });
    const request = socket.ofType('send').at(-1);
    assert.equal(request.address, 'chat.history');
    socket.deliver({ type: 'rec', address: request.replyAddress, body: { messages: [] } });
    assert.deepEqual(await history, { messages: [] });
    sent.forEach(frame => socket.deliver({ type: 'rec', address: frame.replyAddress, body: { registered: frame.address } }));
    await settle();
    assert.equal(socket.ofType('register').length, 2 * REGISTERS_IN_FLIGHT);
  });

  test('a request the server refused as one frame too many is sent again, and its answer arrives', async () => {
    const { bus, socket } = await openBus();
    buses.push(bus);
    const answer = bus.request('chat.sync', { chats: { c1: 0 } });
    const first = socket.ofType('send').at(-1);
    socket.deliver(refusal(first.replyAddress, TOO_MANY));
    await sleep(60);
    const second = socket.ofType('send').at(-1);
    assert.notEqual(second.replyAddress, first.replyAddress, 'sent again');
    assert.deepEqual(second.body, first.body);
    socket.deliver({ type: 'rec', address: second.replyAddress, body: { chats: {} } });
    assert.deepEqual(await answer, { chats: {} });
  });

  test('a registration the server refused as one frame too many is sent again', async () => {
    const { bus, socket } = await openBus();
    buses.push(bus);
    const unsubscribe = bus.subscribe('chat.c1', () => {});
    await settle();
    socket.deliver(refusal('chat.c1', TOO_MANY)); // a refused register names its address
    await sleep(60);
    const registers = socket.ofType('register');
    assert.equal(registers.length, 2);
    socket.deliver({ type: 'rec', address: registers[1].replyAddress, body: { registered: 'chat.c1' } });
    await unsubscribe.ready;
    assert.equal(bus.handlers.has('chat.c1'), true, 'still listening');
  });

  test('a forbidden registration fails at once, not after the request timeout', async () => {
    const { bus, socket } = await openBus();
    buses.push(bus);
    const unsubscribe = bus.subscribe('chat.secret', () => {});
    await settle();
    const started = Date.now();
    socket.deliver(refusal('chat.secret', { code: 'forbidden', detail: 'not a member' }));
    await assert.rejects(unsubscribe.ready, error => error.code === 'forbidden');
    assert.ok(Date.now() - started < 1000);
    assert.equal(bus.handlers.has('chat.secret'), false);
  });
});
