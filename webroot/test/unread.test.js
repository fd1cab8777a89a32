import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDrafts, lastEditable, quoteText } from '../js/store/drafts.js';
import { createSidebarPrefs, sameSections, sidebarSections } from '../js/store/sidebar.js';
import { createSlice } from '../js/store/slice.js';
import {
  ALICE, ME, channel, connectedClient, memoryStorage, message, newMessage, settle, sleep,
} from '../testing/fakes.js';

const GENERAL = 'c-general';
const RANDOM = 'c-random';
const READ_WAIT_MS = 200; // a little more than the client's 150 ms

const ids = sections => Object.fromEntries(sections.map(section => [section.id, section.ids]));

/** localStorage as the browser has it: entries can be listed (`length`, `key`). */
function listableStorage(entries = {}) {
  const storage = memoryStorage(entries);
  const keys = () => Object.keys(entries).concat([]);
  return Object.assign(storage, { get length() { return keys().length; }, key: i => keys()[i] });
}

describe('the "New messages" divider', () => {
  async function away(t) {
    const setup = await connectedClient(t, { chats: [channel(GENERAL, 'general', { lastSeq: 2, readSeq: 2 }),
      channel(RANDOM, 'random', { lastSeq: 4, readSeq: 4 })] });
    setup.client.openChat(GENERAL);
    await sleep(READ_WAIT_MS);
    setup.bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 5)));
    setup.bus.publish(`chat.${RANDOM}`, newMessage(message(RANDOM, 6)));
    setup.bus.forget();
    return setup;
  }

  test('a chat opened with unread messages has the divider after its watermark, with how many were unread', async t => {
    const { client } = await away(t);
    client.openChat(RANDOM);
    assert.deepEqual(client.reads.divider.state, { chatId: RANDOM, afterSeq: 4, count: 2 });
  });

  test('the divider stays while the chat is open, though the chat is marked read as it is looked at', async t => {
    const { client, bus } = await away(t);
    client.openChat(RANDOM);
    await sleep(READ_WAIT_MS);
    await settle();
    assert.deepEqual(bus.sent('chat.read'), [{ chatId: RANDOM, seq: 6 }]);
    assert.equal(client.reads.divider.state.chatId, RANDOM);
  });

  test('a chat opened with nothing unread has no divider; leaving a chat takes it away', async t => {
    const { client } = await away(t);
    client.openChat(RANDOM);
    client.openChat(GENERAL);
    assert.equal(client.reads.divider.state.chatId, null);
  });

  test('marking the open chat read sends a read up to its newest message, even scrolled up, and drops the divider',
    async t => {
      const { client, bus } = await away(t);
      client.openChat(RANDOM);
      client.reads.setAtBottom(false);
      await client.reads.markChatRead();
      assert.deepEqual(bus.sent('chat.read'), [{ chatId: RANDOM, seq: 6 }]);
      assert.equal(client.reads.divider.state.chatId, null);
      assert.equal(client.chats.table.get(RANDOM).unreadCount, 0);
    });

  test('marking all read sends one read for each chat with a badge, and clears every badge', async t => {
    const { client, bus } = await away(t);
    bus.publish(`chat.${GENERAL}`, newMessage(message(GENERAL, 3)));
    client.reads.setAtBottom(false); // the open chat keeps its badge until then
    bus.forget();
    await client.reads.markAllRead();
    assert.deepEqual(bus.sent('chat.read').sort((a, b) => a.chatId.localeCompare(b.chatId)),
      [{ chatId: GENERAL, seq: 3 }, { chatId: RANDOM, seq: 6 }]);
    assert.deepEqual(client.chats.totals(), { unread: 0, mentions: 0 });
  });
});

describe('drafts', () => {
  test('a composer\'s text is kept in storage and marks the chat as having a draft until it is emptied', () => {
    const storage = listableStorage();
    const drafts = createDrafts({ storage });
    drafts.save(GENERAL, null, 'half a thought');
    assert.equal(drafts.hasDraft(GENERAL), true);
    assert.equal(storage.getItem('ocomms.draft.c-general'), 'half a thought');
    drafts.save(GENERAL, null, '');
    assert.equal(drafts.hasDraft(GENERAL), false);
    assert.equal(storage.getItem('ocomms.draft.c-general'), null);
  });

  test('drafts left from before a reload mark their chats at once; a thread\'s draft does not mark its chat', () => {
    const drafts = createDrafts({ storage: listableStorage({
      'ocomms.draft.c-general': 'kept', 'ocomms.draft.c-random.m-1': 'in a thread', 'ocomms.other': 'x',
    }) });
    assert.equal(drafts.hasDraft(GENERAL), true);
    assert.equal(drafts.hasDraft(RANDOM), false);
    assert.equal(drafts.text(RANDOM, 'm-1'), 'in a thread');
  });

  test('a quote goes on a line of its own after the draft, and the composer hears of it', () => {
    const drafts = createDrafts({ storage: memoryStorage() });
    const heard = [];
    drafts.onInsert((key, value) => heard.push([key, value]));
    drafts.save(GENERAL, null, 'About this:');
    drafts.quote(GENERAL, null, { content: 'first line\nsecond line' }, '@alice');
    const expected = 'About this:\n> first line\n> second line\n> — @alice\n\n';
    assert.equal(drafts.text(GENERAL), expected);
    assert.deepEqual(heard, [[GENERAL, expected]]);
  });

  test('a quote marks every line of the message, blank ones too', () => {
    assert.equal(quoteText('a\n\nb\n', 'Alice'), '> a\n>\n> b\n> — Alice\n\n');
  });

  test('the message up-arrow edits is the user\'s newest one not deleted', () => {
    const list = [message(GENERAL, 1, { senderId: ME.id }), message(GENERAL, 2, { senderId: ME.id }),
      message(GENERAL, 3, { senderId: ME.id, deleted: true }), message(GENERAL, 4, { senderId: ALICE.id })];
    assert.equal(lastEditable(list, ME.id).seq, 2);
    assert.equal(lastEditable([message(GENERAL, 1, { senderId: ALICE.id })], ME.id), null);
  });

  test('one message at a time is edited in place', () => {
    const drafts = createDrafts({ storage: memoryStorage() });
    drafts.edit('m-1');
    drafts.edit('m-2');
    assert.equal(drafts.isEditing('m-1'), false);
    assert.equal(drafts.isEditing('m-2'), true);
  });
});

describe('sidebar sections', () => {
  const chats = { channels: ['c-a', 'c-b', 'c-c'], dms: ['d-x', 'd-y'] };

  test('by default: channels, then direct messages', () => {
    assert.deepEqual(ids(sidebarSections(chats)), { channels: chats.channels, dms: chats.dms });
  });

  test('starred chats, channels or DMs, go to a section at the top and leave theirs', () => {
    assert.deepEqual(ids(sidebarSections(chats, { starred: ['d-y', 'c-b', 'gone'] })),
      { starred: ['c-b', 'd-y'], channels: ['c-a', 'c-c'], dms: ['d-x'] });
  });

  test('unreads first: chats with unread messages in a section under the starred ones', () => {
    const unread = new Set(['c-c', 'd-x', 'c-b']);
    assert.deepEqual(ids(sidebarSections(chats, { starred: ['c-b'], unreadsFirst: true, isUnread: id => unread.has(id) })),
      { starred: ['c-b'], unreads: ['c-c', 'd-x'], channels: ['c-a'], dms: ['d-y'] });
  });

  test('the open chat, opened unread, stays in the unread section after it is read', () => {
    assert.deepEqual(ids(sidebarSections(chats, { unreadsFirst: true, keep: 'c-a' })),
      { unreads: ['c-a'], channels: ['c-b', 'c-c'], dms: chats.dms });
  });

  test('sections compare by the chats they hold', () => {
    assert.equal(sameSections(sidebarSections(chats), sidebarSections(chats)), true);
    assert.equal(sameSections(sidebarSections(chats), sidebarSections(chats, { starred: ['c-a'] })), false);
  });

  test('stars and "unreads first" are kept per user', () => {
    const storage = memoryStorage();
    const session = { slice: createSlice('session', {}), me: () => session.slice.state.userId };
    session.slice.set({ userId: 'u-1' });
    const prefs = createSidebarPrefs({ storage, session });
    prefs.toggleStar('c-a');
    prefs.setUnreadsFirst(true);
    session.slice.set({ userId: 'u-2' });
    prefs.load();
    assert.deepEqual(prefs.slice.state, { userId: 'u-2', starred: [], unreadsFirst: false });
    session.slice.set({ userId: 'u-1' });
    const again = createSidebarPrefs({ storage, session });
    assert.deepEqual(again.slice.state, { userId: 'u-1', starred: ['c-a'], unreadsFirst: true });
    again.toggleStar('c-a');
    assert.equal(again.isStarred('c-a'), false);
  });
});
