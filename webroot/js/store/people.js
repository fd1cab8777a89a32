// The people slice: public profiles the client has met (by userId), and who is in each workspace.

import { createSlice, createTable } from './slice.js';

const sameProfile = (a, b) => a && b && a.id === b.id && a.username === b.username
  && a.displayName === b.displayName && (a.avatarUrl || null) === (b.avatarUrl || null)
  && (a.kind || 'user') === (b.kind || 'user');

/** @param deps.api the REST client (`rest.members`) */
export function createPeople({ api }) {
  const users = createTable('people.users'); // userId -> {id, username, displayName, avatarUrl, kind}
  const members = createSlice('people.members', { byWorkspace: new Map() }); // workspaceId -> [userId]

  /** Remembers profiles; a profile that did not change keeps its object (readers of it do not re-render). */
  function learn(profiles) {
    profiles.filter(Boolean).forEach(profile => {
      if (!sameProfile(users.get(profile.id), profile)) {
        users.put(profile.id, profile);
      }
    });
  }

  async function loadWorkspaceMembers(workspaceId) {
    const answer = await api.rest.members(workspaceId);
    learn(answer.members.map(member => member.user));
    const ids = answer.members.map(member => member.userId);
    members.update(state => ({ byWorkspace: new Map(state.byWorkspace).set(workspaceId, ids) }));
    return ids;
  }

  const displayName = userId => users.get(userId)?.displayName || 'Someone';
  /** Whether the user is a bot (its profile's `kind`): the client shows a BOT tag beside its name. */
  const isBot = userId => users.get(userId)?.kind === 'bot';
  const memberIds = workspaceId => members.state.byWorkspace.get(workspaceId) || [];

  /** Everyone in any of the user's workspaces: whose presence is worth knowing. */
  function everyone() {
    const ids = new Set();
    members.state.byWorkspace.forEach(list => list.forEach(id => ids.add(id)));
    return [...ids];
  }

  function clear() {
    users.clear();
    members.update(() => ({ byWorkspace: new Map() }));
  }

  return { users, members, learn, loadWorkspaceMembers, displayName, isBot, memberIds, everyone, clear };
}
