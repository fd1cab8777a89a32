// A chat's loaded messages as a window that need not reach the newest: read around a message (a search result),
// grown by pages at either end, back to the present on request, and never spliced into by live messages.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  channel, connectedClient, message, newMessage, settle, sleep,
} from '../testing/fakes.js';

const GENERAL = 'c-general';
const RANDOM = 'c-random';
const STORED = 300;
const READ_WAIT_MS = 200; // a little more than the reads slice's 150 ms

const view = client => client.messages.views.get(GENERAL);
const seqs = client => view(client).messages.map(msg => msg.seq);
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A client with #general (300 messages stored) open at its newest page, and #random beside it. */
async function longChat(t) {
  const history = { [GENERAL]: range(1, STORED).map(seq => message(GENERAL, seq)) };
  const setup = await connectedClient(t, {
    chats: [channel(GENERAL, 'general', { lastSeq: STORED, readSeq: STORED }), channel(RANDOM, 'random')],
    history,
  });
  await settle();
  assert.deepEqual(seqs(setup.client), range(251, 300), 'opened at its newest page');
  setup.bus.forget();
  return { ...setup, history };
}

/** A message the server stores and publishes live. */
function arrives({ bus, history }, seq, fields) {
  const next = message(GENERAL, seq, fields);
  history[GENERAL].push(next);
  bus.publish(`chat.${GENERAL}`, newMessage(next));
  return next;
}

/** The client jumps to message 40, as a search result asks. */
async function atMessage40(setup) {
  setup.client.openMessage({ chatId: GENERAL, seq: 40, messageId: `m-${GENERAL}-40` });
  await settle();
}

describe('jumping to a message', () => {
  test('reads the page around it in place of the loaded messages, with older and newer ones still to come', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    assert.deepEqual(setup.bus.sent('chat.history'), [{ chatId: GENERAL, limit: 50, aroundSeq: 40 }]);
    assert.deepEqual(seqs(setup.client), range(16, 65));
    const { hasMore, hasNewer, focus } = view(setup.client);
    assert.deepEqual({ hasMore, hasNewer }, { hasMore: true, hasNewer: true });
    assert.deepEqual(focus, { seq: 40, messageId: `m-${GENERAL}-40`, rootId: null });
  });

  test('to a message already loaded asks for nothing: it is only brought into view', async t => {
    const { client, bus } = await longChat(t);
    const before = view(client).messages;
    client.openMessage({ chatId: GENERAL, seq: 280, messageId: `m-${GENERAL}-280` });
    await settle();
    assert.deepEqual(bus.sent('chat.history'), []);
    assert.equal(view(client).messages, before);
    assert.equal(view(client).focus.seq, 280);
  });

  test('in another chat opens that chat there', async t => {
    const { client, bus } = await longChat(t);
    client.openMessage({ chatId: RANDOM, seq: 5, messageId: `m-${RANDOM}-5` });
    await settle();
    assert.equal(client.chats.activeChatId(), RANDOM);
    assert.deepEqual(bus.sent('chat.history'), [{ chatId: RANDOM, limit: 50, aroundSeq: 5 }]);
  });

  test('to a thread reply opens its thread too, and the conversation where the reply was written', async t => {
    const setup = await longChat(t);
    const root = `m-${GENERAL}-30`;
    setup.history[GENERAL].push(message(GENERAL, 301, { replyTo: root, content: 'a reply' }));
    setup.client.openMessage({ chatId: GENERAL, seq: 301, messageId: `m-${GENERAL}-301`, rootId: root });
    await settle();
    assert.equal(setup.client.chats.selection.state.threadRootId, root);
    assert.deepEqual(setup.bus.sent('chat.history'), [
      { chatId: GENERAL, rootId: root, limit: 100 }, { chatId: GENERAL, limit: 50, aroundSeq: 301 }]);
    assert.deepEqual(view(setup.client).threads.get(root).replies.map(reply => reply.content), ['a reply']);
  });

  test('drops a page asked for the window before it when that page comes', async t => {
    const setup = await longChat(t);
    let older;
    setup.bus.answer('chat.history', body => {
      if (body.beforeSeq) {
        return new Promise(resolve => {
          older = () => resolve({ chatId: GENERAL, messages: [message(GENERAL, 250)], hasMore: true });
        });
      }
      return { chatId: GENERAL, messages: range(16, 65).reverse().map(seq => message(GENERAL, seq)), hasMore: true,
        hasNewer: true };
    });
    setup.client.messages.loadOlder(GENERAL);
    await settle();
    await atMessage40(setup);
    older();
    await settle();
    assert.deepEqual(seqs(setup.client), range(16, 65), 'message 250 is not placed in the window around 40');
    assert.equal(view(setup.client).loading, false);
  });
});

describe('a window that does not reach the newest', () => {
  test('grows by newer pages (afterSeq) until it reaches the newest message', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    const { client, bus } = setup;
    while (view(client).hasNewer) {
      await client.messages.loadNewer(GENERAL);
    }
    assert.deepEqual(bus.sent('chat.history').slice(1).map(body => body.afterSeq), [65, 115, 165, 215, 265]);
    assert.deepEqual(seqs(client), range(16, 300), 'every message between, once, in order');
  });

  test('grows by older pages (beforeSeq) as before', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    await setup.client.messages.loadOlder(GENERAL);
    assert.deepEqual(setup.bus.sent('chat.history').at(-1), { chatId: GENERAL, limit: 50, beforeSeq: 16 });
    assert.deepEqual(seqs(setup.client), range(1, 65));
    assert.equal(view(setup.client).hasMore, false);
  });

  test('keeps a live message out of the middle of what is shown, and counts it as unread', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    const before = view(setup.client).messages;
    arrives(setup, 301);
    await settle();
    assert.equal(view(setup.client).messages, before, 'the window is as it was');
    assert.equal(setup.client.chats.table.get(GENERAL).unreadCount, 1);
  });

  test('shows the messages that arrived meanwhile once newer pages reach the newest, each once', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    arrives(setup, 301); // stored: the newer pages bring it too
    // Heard live after the last newer page was read (so not in it): only the client kept it.
    const late = message(GENERAL, 302);
    setup.bus.answer('chat.history', body => {
      const page = { chatId: GENERAL, messages: setup.history[GENERAL].filter(msg => msg.seq > body.afterSeq)
        .slice(0, body.limit), hasMore: false };
      if (page.messages.length === body.limit) {
        page.hasMore = true;
      } else {
        setup.bus.publish(`chat.${GENERAL}`, newMessage(late));
      }
      return page;
    });
    while (view(setup.client).hasNewer) {
      await setup.client.messages.loadNewer(GENERAL);
    }
    assert.deepEqual(seqs(setup.client), range(16, 302));
  });

  test('takes edits of the messages it holds, and ignores those of messages it does not', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    const { bus, client } = setup;
    const edit = (seq, eventSeq) => bus.publish(`chat.${GENERAL}`, { type: 'message.updated', chatId: GENERAL,
      seq: eventSeq, messageId: `m-${GENERAL}-${seq}`, message: message(GENERAL, seq, { content: 'edited' }) });
    edit(40, 301);
    edit(5, 302);
    edit(280, 303);
    await settle();
    assert.equal(view(client).messages.find(msg => msg.seq === 40).content, 'edited');
    assert.deepEqual(seqs(client), range(16, 65), 'neither 5 (older) nor 280 (newer) is spliced in');
  });

  test('is not marked read, even at its bottom', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    arrives(setup, 301);
    setup.client.reads.setAtBottom(true);
    await sleep(READ_WAIT_MS);
    await settle();
    assert.deepEqual(setup.bus.sent('chat.read'), []);
  });
});

describe('jumping to the present', () => {
  test('reads the newest page in place of the window, with what arrived after it', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    setup.bus.forget();
    // Heard live, not yet in what the server answers (its page was read just before).
    setup.bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 301)));
    await setup.client.messages.jumpToPresent(GENERAL);
    assert.deepEqual(setup.bus.sent('chat.history'), [{ chatId: GENERAL, limit: 50 }]);
    assert.deepEqual(seqs(setup.client), range(251, 301));
    const { hasNewer, focus } = view(setup.client);
    assert.deepEqual({ hasNewer, focus }, { hasNewer: false, focus: null });
  });

  test('then lets new messages join at the bottom, as usual, and the chat be read', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    await setup.client.messages.jumpToPresent(GENERAL);
    arrives(setup, 301);
    assert.deepEqual(seqs(setup.client).slice(-2), [300, 301]);
    setup.client.reads.setAtBottom(true);
    await sleep(READ_WAIT_MS);
    await settle();
    assert.deepEqual(setup.bus.sent('chat.read'), [{ chatId: GENERAL, seq: 301 }]);
  });

  test('happens when the chat is opened as usual (from the sidebar)', async t => {
    const setup = await longChat(t);
    await atMessage40(setup);
    setup.client.openChat(RANDOM);
    setup.client.openChat(GENERAL);
    await settle();
    assert.deepEqual(seqs(setup.client), range(251, 300));
    assert.equal(view(setup.client).focus, null);
  });

  test('asks for nothing when the window reaches the newest already', async t => {
    const { client, bus } = await longChat(t);
    await client.messages.jumpToPresent(GENERAL);
    assert.deepEqual(bus.sent('chat.history'), []);
  });
});
