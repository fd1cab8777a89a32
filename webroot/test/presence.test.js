import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALICE, BOB, ME, connectedClient } from '../testing/fakes.js';

describe('presence', () => {
  test('follows everyone in the user\'s workspaces once connected, and hears their changes', async t => {
    const { client, bus } = await connectedClient(t);
    assert.deepEqual(bus.sent('presence.subscribe').at(-1), { userIds: [ME.id, ALICE.id, BOB.id] });
    assert.equal(client.presence.statusOf(ALICE.id), 'available');
    bus.publish('user.u-me', { type: 'presence.changed', userId: ALICE.id, status: 'dnd' });
    assert.equal(client.presence.statusOf(ALICE.id), 'dnd');
  });

  test('shows the user offline to themselves while not connected, and away while idle', async t => {
    const { client, bus } = await connectedClient(t);
    assert.equal(client.presence.statusOf(ME.id), 'available');
    client.presence.mine.set({ idle: true });
    assert.equal(client.presence.statusOf(ME.id), 'away');
    bus.drop();
    assert.equal(client.presence.statusOf(ME.id), 'offline');
  });

  test('someone nobody told the client about is offline', async t => {
    const { client } = await connectedClient(t);
    assert.equal(client.presence.statusOf('u-stranger'), 'offline');
  });
});
