import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  activeStatus, expiryOf, inviteCodeOf, inviteLink, localTime, msUntilExpiry,
} from '../js/store/status.js';
import { ALICE, ME, connectedClient, settle } from '../testing/fakes.js';

// A Wednesday, 10:15 local time.
const WEDNESDAY = new Date(2026, 11, 9, 10, 15);

describe('"Clear after"', () => {
  test('30 minutes, 1 hour and 4 hours are counted from now', () => {
    assert.equal(expiryOf('30m', WEDNESDAY), new Date(2026, 11, 9, 10, 45).toISOString());
    assert.equal(expiryOf('1h', WEDNESDAY), new Date(2026, 11, 9, 11, 15).toISOString());
    assert.equal(expiryOf('4h', WEDNESDAY), new Date(2026, 11, 9, 14, 15).toISOString());
  });

  test('today ends at the coming local midnight', () => {
    assert.equal(expiryOf('today', WEDNESDAY), new Date(2026, 11, 10, 0, 0).toISOString());
  });

  test('this week ends on the coming Monday at 00:00, also when today is Sunday', () => {
    assert.equal(expiryOf('week', WEDNESDAY), new Date(2026, 11, 14, 0, 0).toISOString());
    assert.equal(expiryOf('week', new Date(2026, 11, 13, 22, 0)), new Date(2026, 11, 14, 0, 0).toISOString());
  });

  test('never has no expiry', () => {
    assert.equal(expiryOf('never', WEDNESDAY), null);
  });
});

describe('a status shown', () => {
  const user = expiresAt => ({ id: 'u', status: { text: 'Lunch', emoji: '🍔', expiresAt } });

  test('holds until its expiry, then is none', () => {
    const at = Date.parse('2026-12-09T12:00:00Z');
    assert.equal(activeStatus(user('2026-12-09T12:30:00Z'), at).text, 'Lunch');
    assert.equal(activeStatus(user('2026-12-09T12:00:00Z'), at), null);
    assert.equal(msUntilExpiry(user('2026-12-09T12:30:00Z'), at), 30 * 60_000);
  });

  test('without an expiry holds until cleared; an empty one is none', () => {
    assert.equal(activeStatus(user(null), Date.now()).emoji, '🍔');
    assert.equal(msUntilExpiry(user(null), Date.now()), null);
    assert.equal(activeStatus({ status: { text: '', emoji: '' } }, Date.now()), null);
    assert.equal(activeStatus({ status: null }, Date.now()), null);
  });
});

describe('local time', () => {
  test('is the time of day in the person\'s zone, or nothing without one', () => {
    const at = new Date('2026-12-09T13:05:00Z');
    assert.equal(localTime('Europe/Berlin', at, 'en-GB'), '14:05');
    assert.equal(localTime('America/New_York', at, 'en-GB'), '08:05');
    assert.equal(localTime(null, at), null);
    assert.equal(localTime('Nowhere/Land', at), null);
  });
});

describe('invite links', () => {
  test('the code is read from /invite/<code>, and a link is made of the origin and the code', () => {
    assert.equal(inviteCodeOf('/invite/AbC123'), 'AbC123');
    assert.equal(inviteCodeOf('/invite/AbC123/'), 'AbC123');
    assert.equal(inviteCodeOf('/'), null);
    assert.equal(inviteCodeOf('/invite/'), null);
    assert.equal(inviteLink('https://chat.example', 'AbC123'), 'https://chat.example/invite/AbC123');
  });

  test('a remembered invite is joined once signed in, and the workspace it names is shown', async t => {
    const setup = await connectedClient(t);
    const { client, api } = setup;
    api.data.invites = { CODE1: { id: 'ws-2', name: 'Globex', role: 'member' } };
    api.data.members['ws-2'] = [];
    client.rememberInvite('CODE1');
    await client.logout();
    api.signIn({ user: ME, accessToken: 'token' });
    await settle();
    await settle();

    assert.ok(api.calls.some(([name, code]) => name === 'join' && code === 'CODE1'));
    assert.equal(client.session.slice.state.workspaceId, 'ws-2');
    assert.equal(client.pendingInvite(), null);
  });
});

describe('profiles', () => {
  test('a workspace mate\'s user.updated replaces their profile: the new status is shown', async t => {
    const { client, bus } = await connectedClient(t);
    const status = { text: 'In a meeting', emoji: '📅', expiresAt: null };
    bus.publish(`user.${ME.id}`, { type: 'user.updated', user: { ...ALICE, status, timeZone: 'Europe/Berlin' } });
    await settle();

    assert.deepEqual(client.people.users.get(ALICE.id).status, status);
    assert.equal(client.people.users.get(ALICE.id).timeZone, 'Europe/Berlin');
  });

  test('signing in with a profile without a time zone saves the browser\'s', async t => {
    const { api } = await connectedClient(t);
    assert.ok(api.calls.some(([name, change]) => name === 'updateMe' && change.timeZone === 'Europe/Paris'));
  });

  test('setting a status answers the profile to the session and to everyone shown', async t => {
    const { client, api } = await connectedClient(t);
    const status = { text: 'Lunch', emoji: '🍔', expiresAt: expiryOf('1h', new Date()) };
    await client.updateProfile({ status });

    assert.deepEqual(client.people.users.get(ME.id).status, status);
    assert.deepEqual(api.currentSession().user.status, status);
  });

  test('"Message" on a profile card opens the DM with that person and closes the card', async t => {
    const { client, api } = await connectedClient(t);
    const dm = { id: 'c-dm', kind: 'dm', workspaceId: 'ws-1', memberIds: [ME.id, ALICE.id], lastSeq: 0 };
    api.rest.openDm = async (workspaceId, userIds) => {
      api.calls.push(['openDm', workspaceId, userIds]);
      return { chat: dm };
    };
    client.people.showCard(ALICE.id);
    await client.messageUser(ALICE.id);

    assert.deepEqual(api.calls.find(([name]) => name === 'openDm'), ['openDm', 'ws-1', [ALICE.id]]);
    assert.equal(client.chats.activeChatId(), 'c-dm');
    assert.equal(client.people.card.state.userId, null);
  });
});
