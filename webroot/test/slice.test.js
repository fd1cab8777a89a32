import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSelection, createSlice, createTable, shallowEqual } from '../js/store/slice.js';
import { settle } from '../testing/fakes.js';

describe('a slice', () => {
  test('tells its listeners once per burst of changes, after the burst', async () => {
    const slice = createSlice('counter', { count: 0 });
    let heard = 0;
    slice.subscribe(() => {
      heard += 1;
    });
    slice.set({ count: 1 });
    slice.set({ count: 2 });
    slice.update(state => ({ ...state, count: state.count + 1 }));
    assert.equal(heard, 0, 'not in the middle of the burst');
    await settle();
    assert.equal(heard, 1);
    assert.equal(slice.state.count, 3);
  });

  test('does not change, nor tell anyone, when a value is set to what it is', async () => {
    const slice = createSlice('session', { workspaceId: 'ws-1', workspaces: [] });
    const before = slice.state;
    let heard = 0;
    slice.subscribe(() => {
      heard += 1;
    });
    slice.set({ workspaceId: 'ws-1' });
    slice.update(state => state);
    await settle();
    assert.equal(heard, 0);
    assert.equal(slice.state, before);
  });
});

describe('a table', () => {
  test('replaces only the row that changed: the others keep their identity', () => {
    const table = createTable('chats');
    const general = table.put('general', { unread: 0 });
    const random = table.put('random', { unread: 0 });
    table.update('random', row => ({ ...row, unread: 1 }));
    assert.equal(table.get('general'), general);
    assert.notEqual(table.get('random'), random);
    assert.equal(table.get('random').unread, 1);
  });

  test('tells a row\'s listeners of that row only, and table listeners which rows changed', async () => {
    const table = createTable('chats');
    table.put('general', { unread: 0 });
    table.put('random', { unread: 0 });
    await settle();
    const heard = { general: 0, random: 0, keys: [] };
    table.subscribeKey('general', () => {
      heard.general += 1;
    });
    table.subscribeKey('random', () => {
      heard.random += 1;
    });
    table.subscribe(keys => heard.keys.push([...keys]));
    table.update('random', row => ({ ...row, unread: 1 }));
    table.update('random', row => ({ ...row, unread: 2 }));
    await settle();
    assert.deepEqual(heard, { general: 0, random: 1, keys: [['random']] });
  });

  test('ignores an update of a row it does not have', async () => {
    const table = createTable('chats');
    let heard = 0;
    table.subscribe(() => {
      heard += 1;
    });
    assert.equal(table.update('nowhere', () => ({ unread: 1 })), undefined);
    await settle();
    assert.equal(heard, 0);
    assert.equal(table.has('nowhere'), false);
  });
});

describe('a selection (what one component shows)', () => {
  test('asks for a render only when what it selected changed', async () => {
    const table = createTable('chats');
    table.put('general', { unread: 0, topic: 'plans' });
    const selection = createSelection(table, { key: 'general' });
    assert.equal(selection.read(rows => rows.get('general').unread), 0);
    let renders = 0;
    selection.listen(() => {
      renders += 1;
    });
    table.update('general', row => ({ ...row, topic: 'other plans' }));
    await settle();
    assert.equal(renders, 0, 'the topic is not what it shows');
    table.update('general', row => ({ ...row, unread: 1 }));
    await settle();
    assert.equal(renders, 1);
  });

  test('asks for a render when the slice changed between the read and the subscription', () => {
    const slice = createSlice('connection', { status: 'connecting' });
    const selection = createSelection(slice);
    selection.read(state => state.status);
    slice.set({ status: 'open' });
    let renders = 0;
    selection.listen(() => {
      renders += 1;
    });
    assert.equal(renders, 1);
  });

  test('compares with the given equality: a new array with the same items is no change', async () => {
    const slice = createSlice('session', { workspaces: [{ id: 'a' }, { id: 'b' }] });
    const selection = createSelection(slice);
    selection.read(state => state.workspaces.map(ws => ws.id), shallowEqual);
    let renders = 0;
    selection.listen(() => {
      renders += 1;
    });
    slice.set({ workspaces: [...slice.state.workspaces] });
    await settle();
    assert.equal(renders, 0);
  });
});
