// The people slice: public profiles the client has met (by userId), and who is in each workspace.

import { EVENT, SCOPE } from '../protocol.js';
import { createSlice, createTable } from './slice.js';

const sameStatus = (a, b) => (a || null) === (b || null) || (!!a && !!b && a.text === b.text
  && a.emoji === b.emoji && (a.expiresAt || null) === (b.expiresAt || null));

const sameProfile = (a, b) => a && b && a.id === b.id && a.username === b.username
  && a.displayName === b.displayName && (a.avatarUrl || null) === (b.avatarUrl || null)
  && (a.kind || 'user') === (b.kind || 'user')
  && sameStatus(a.status, b.status) && (a.timeZone || null) === (b.timeZone || null);

/**
 * @param deps.api the REST client (`rest.members`)
 * @param deps.router optional: where this slice claims user.updated (a workspace mate's profile changed)
 * @param deps.onOwnProfile optional: hears the user's own profile when an event changes it (the session keeps it)
 */
export function createPeople({ api, router, onOwnProfile }) {
  const users = createTable('people.users'); // userId -> {id, username, displayName, avatarUrl, kind, status, timeZone}
  const members = createSlice('people.members', { byWorkspace: new Map() }); // workspaceId -> [userId]
  const card = createSlice('people.card', { userId: null }); // whose profile card is open

  router?.own(SCOPE.USER, EVENT.USER_UPDATED, 'people', event => {
    if (event.user?.id) {
      learn([event.user]);
      onOwnProfile?.(event.user);
    }
  });

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
    card.set({ userId: null });
  }

  /** Shows a person's profile card (null closes it). */
  const showCard = userId => card.set({ userId: userId || null });

  return { users, members, card, learn, loadWorkspaceMembers, displayName, isBot, memberIds, everyone, showCard,
    clear };
}
