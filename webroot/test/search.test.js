import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RESULTS_PAGE, groupByChat } from '../js/store/search.js';
import {
  channel, connectedClient, message, refusal, searchResult, settle,
} from '../testing/fakes.js';

const GENERAL = channel('c-general', 'general', { lastSeq: 300, readSeq: 300 });
const RANDOM = channel('c-random', 'random', { lastSeq: 10, readSeq: 10 });
const OUTSIDE = channel('c-outside', 'outside');
const hit = (chat, seq, fields) => searchResult(chat, message(chat.id, seq), `a <mark>deploy</mark> ${seq}`, fields);

async function searching(t) {
  const setup = await connectedClient(t, { chats: [GENERAL, RANDOM] });
  setup.bus.forget();
  return setup;
}

describe('search', () => {
  test('asks search.query for the workspace shown, in the page\'s time zone, and groups results by chat', async t => {
    const { client, bus } = await searching(t);
    bus.answer('search.query', () => ({
      results: [hit(GENERAL, 7), hit(RANDOM, 3), hit(GENERAL, 2)], nextCursor: null, total: 3,
    }));
    await client.search.run('  deploy from:@alice ');
    assert.deepEqual(bus.sent('search.query'),
      [{ workspaceId: 'ws-1', tz: 'Europe/Paris', q: 'deploy from:@alice', limit: RESULTS_PAGE }]);
    const state = client.search.slice.state;
    assert.equal(state.status, 'done');
    assert.equal(state.total, 3);
    assert.deepEqual(state.groups.map(group => [group.chat.name, group.results.map(result => result.seq)]),
      [['general', [7, 2]], ['random', [3]]], 'each chat once, where its best result is');
  });

  test('"Load more" asks for the next page with the cursor, and its results join their chats\' groups', async t => {
    const { client, bus } = await searching(t);
    bus.answer('search.query', body => (body.cursor
      ? { results: [hit(RANDOM, 2), hit(GENERAL, 1)], nextCursor: null }
      : { results: [hit(GENERAL, 7), hit(RANDOM, 3)], nextCursor: 'page-2' }));
    await client.search.run('deploy');
    await client.search.more();
    assert.deepEqual(bus.sent('search.query').map(body => body.cursor), [undefined, 'page-2']);
    assert.equal(bus.sent('search.query')[1].q, 'deploy', 'the same query');
    const state = client.search.slice.state;
    assert.deepEqual(state.groups.map(group => group.results.map(result => result.seq)), [[7, 1], [3, 2]]);
    assert.equal(state.nextCursor, null);
  });

  test('shows only the answer to the latest query, whichever answer comes last', async t => {
    const { client, bus } = await searching(t);
    const answers = [];
    bus.answer('search.query', body => new Promise(resolve => answers.push(() => resolve({
      results: [hit(GENERAL, body.q === 'first' ? 1 : 2)], nextCursor: null,
    }))));
    const first = client.search.run('first');
    const second = client.search.run('second');
    await settle();
    answers[1]();
    await second;
    answers[0]();
    await first;
    assert.equal(client.search.slice.state.query, 'second');
    assert.deepEqual(client.search.slice.state.results.map(result => result.seq), [2]);
  });

  test('a malformed operator is refused with the server\'s detail, which names it', async t => {
    const { client, bus } = await searching(t);
    bus.answer('search.query', () => {
      throw refusal('validation_failed', 400, 'before: takes a day as YYYY-MM-DD', { field: 'q',
        operator: 'before:yesterday' });
    });
    await client.search.run('deploy before:yesterday');
    const state = client.search.slice.state;
    assert.equal(state.status, 'error');
    assert.equal(state.error, '“before:yesterday” is not understood: before: takes a day as YYYY-MM-DD');
  });

  test('search_unavailable says that search is unavailable right now', async t => {
    const { client, bus } = await searching(t);
    bus.answer('search.query', () => {
      throw refusal('unavailable', 503, 'the search service did not answer', { reason: 'search_unavailable' });
    });
    await client.search.run('deploy');
    assert.match(client.search.slice.state.error, /^Search is unavailable right now/);
  });

  test('an empty query clears the results without asking the server', async t => {
    const { client, bus } = await searching(t);
    bus.answer('search.query', () => ({ results: [hit(GENERAL, 7)], nextCursor: null }));
    await client.search.run('deploy');
    await client.search.run('   ');
    assert.equal(bus.sent('search.query').length, 1);
    assert.equal(client.search.slice.state.status, 'idle');
    assert.deepEqual(client.search.slice.state.results, []);
  });

  test('results belong to their workspace: switching workspaces clears them', async t => {
    const { client, bus } = await searching(t);
    bus.answer('search.query', () => ({ results: [hit(GENERAL, 7)], nextCursor: null }));
    client.search.show();
    await client.search.run('deploy');
    await client.switchWorkspace('ws-2');
    await settle();
    assert.equal(client.search.slice.state.status, 'idle');
    assert.equal(client.search.slice.state.open, false);
  });

  test('people complete from the workspace\'s own list; channels from the user\'s and the server\'s', async t => {
    const { client, bus } = await searching(t);
    assert.deepEqual(client.search.suggestLocal('people', 'al').map(person => person.name), ['alice']);
    assert.deepEqual(client.search.suggestLocal('channels', 'r').map(chat => chat.name), ['random']);
    bus.answer('search.query', () => ({ results: [{ type: 'channel', chat: { id: OUTSIDE.id, name: 'outside',
      topic: null, private: false, joined: false, memberCount: 2 } }], nextCursor: null }));
    assert.deepEqual(await client.search.suggestChannels('out'),
      [{ id: OUTSIDE.id, name: 'outside', detail: 'not joined' }]);
    assert.deepEqual(bus.sent('search.query').at(-1),
      { workspaceId: 'ws-1', tz: 'Europe/Paris', q: 'out', scope: 'channels', limit: 8 });
  });

  test('opening a result in a public channel the user is not in joins it first, then shows the message', async t => {
    const { client, bus, api } = await searching(t);
    api.data.chats.push(OUTSIDE);
    const result = hit(OUTSIDE, 40, { chat: { ...hit(OUTSIDE, 40).chat, joined: false } });
    bus.answer('search.query', () => ({ results: [result], nextCursor: null }));
    await client.search.run('deploy');
    await client.openResult(result);
    await settle();
    assert.deepEqual(api.calls.filter(call => call[0] === 'joinChat'), [['joinChat', OUTSIDE.id]]);
    assert.equal(client.chats.activeChatId(), OUTSIDE.id);
    assert.deepEqual(bus.sent('chat.history').at(-1), { chatId: OUTSIDE.id, limit: 50, aroundSeq: 40 });
    assert.equal(client.search.slice.state.results[0].chat.joined, true, 'marked as joined now');
  });
});

describe('groupByChat', () => {
  test('keeps the order of each chat\'s first result, and each chat\'s results in their order', () => {
    const results = [['a', 1], ['b', 2], ['a', 3], ['c', 4], ['b', 5]].map(([chatId, seq]) => ({ chatId, seq,
      chat: { id: chatId } }));
    assert.deepEqual(groupByChat(results).map(group => [group.chat.id, group.results.map(result => result.seq)]),
      [['a', [1, 3]], ['b', [2, 5]], ['c', [4]]]);
  });
});
