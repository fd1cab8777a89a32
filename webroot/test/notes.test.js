import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALICE, BOB, channel, connectedClient } from '../testing/fakes.js';

const GENERAL = 'c-general';
const updated = (version, editedBy) => ({ type: 'note.updated', chatId: GENERAL, version, editedBy,
  updatedAt: '2026-12-07T10:00:00.000Z' });
const editing = (userId, active) => ({ type: 'note.editing', chatId: GENERAL, userId, active, expiresInMs: 15_000 });

describe('notes', () => {
  test('a note saved by someone else is marked changed until the user reads that version', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, updated(3, ALICE.id));
    assert.equal(client.notes.changedSinceRead(GENERAL), true);
    client.notes.markRead(GENERAL, 3);
    assert.equal(client.notes.changedSinceRead(GENERAL), false);
    bus.publish(`chat.${GENERAL}`, updated(4, BOB.id));
    assert.equal(client.notes.changedSinceRead(GENERAL), true);
  });

  test('the user\'s own save is not news, and a version read is remembered across a reload', async t => {
    const { client, bus, storage } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, updated(2, 'u-me'));
    assert.equal(client.notes.changedSinceRead(GENERAL), false);
    client.notes.markRead(GENERAL, 5);

    const again = await connectedClient(t, { chats: [channel(GENERAL, 'general')], storage });
    again.bus.publish(`chat.${GENERAL}`, updated(5, ALICE.id));
    assert.equal(again.client.notes.changedSinceRead(GENERAL), false);
  });

  test('shows who is editing, and stops when they close the note', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, editing(ALICE.id, true));
    assert.equal(client.notes.editingText(GENERAL), 'Alice is editing');
    bus.publish(`chat.${GENERAL}`, editing(BOB.id, true));
    assert.equal(client.notes.editingText(GENERAL), 'Alice and Bob are editing');
    bus.publish(`chat.${GENERAL}`, editing(ALICE.id, false));
    bus.publish(`chat.${GENERAL}`, editing(BOB.id, false));
    assert.equal(client.notes.editingText(GENERAL), '');
  });

  test('the user\'s own editing is not shown to them', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, editing('u-me', true));
    assert.equal(client.notes.editingText(GENERAL), '');
  });
});
