// The presence slice: the status of everyone the user shares a workspace with, the user's own status, and idleness
// (reported after five minutes without activity, an idle "available" shows as "away").

import { EVENT, LIMITS, REQUEST, SCOPE } from '../protocol.js';
import { createSlice, createTable } from './slice.js';

export const IDLE_AFTER_MS = 5 * 60_000;
/** Subscriptions lapse after 10 minutes on the server: renewed before. */
export const PRESENCE_RENEW_MS = 9 * 60_000;
const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'focus'];

/**
 * @param deps.bus the bridge client
 * @param deps.router where this slice claims presence.changed
 * @param deps.session who the user is
 * @param deps.people whose presence to follow: everyone in the user's workspaces
 * @param deps.connection the user is offline to themselves while not connected
 * @param deps.notices where failures are shown
 * @param deps.window where activity is heard
 */
export function createPresence({ bus, router, session, people, connection, notices, window }) {
  const table = createTable('presence'); // userId -> {status, lastSeen}
  const mine = createSlice('presence.mine', { status: 'available', idle: false });

  const remember = ({ userId, status, lastSeen }) => table.put(userId, { status, lastSeen });

  router.own(SCOPE.USER, EVENT.PRESENCE_CHANGED, 'presence', remember);

  /** Follows everyone in the user's workspaces (at most LIMITS.PRESENCE_USERS). */
  async function subscribePeople() {
    if (!connection.isOpen()) {
      return;
    }
    const userIds = people.everyone().slice(0, LIMITS.PRESENCE_USERS);
    if (userIds.length === 0) {
      return;
    }
    try {
      const { users } = await bus.request(REQUEST.PRESENCE_SUBSCRIBE, { userIds });
      users.forEach(remember);
    } catch (error) {
      console.warn('presence.subscribe failed', error);
    }
  }

  // Someone joined a workspace of the user's, or another workspace was loaded: follow them too.
  people.members.subscribe(() => subscribePeople());

  async function setStatus(status) {
    mine.set({ status });
    try {
      remember(await bus.request(REQUEST.PRESENCE_UPDATE, { status }));
    } catch (error) {
      notices.fail(error);
    }
  }

  let idleTimer = 0;
  let watching = false;
  const active = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      mine.set({ idle: true });
      bus.request(REQUEST.PRESENCE_UPDATE, { idle: true }).catch(() => {});
    }, IDLE_AFTER_MS);
    if (mine.state.idle) {
      mine.set({ idle: false });
      bus.request(REQUEST.PRESENCE_UPDATE, { idle: false }).catch(() => {});
    }
  };

  let renewTimer = 0;
  /** After sign-in: activity is watched, the subscription renewed. */
  function start() {
    if (!watching) {
      watching = true;
      ACTIVITY.forEach(type => window.addEventListener(type, active, { passive: true }));
      active();
    }
    clearInterval(renewTimer);
    renewTimer = setInterval(subscribePeople, PRESENCE_RENEW_MS);
  }

  /** After sign-out: nothing more is watched or renewed. */
  function stop() {
    clearInterval(renewTimer);
    clearTimeout(idleTimer);
    if (watching) {
      watching = false;
      ACTIVITY.forEach(type => window.removeEventListener(type, active));
    }
    mine.set({ idle: false });
    table.clear();
  }

  /** What a presence dot shows for a user. */
  function statusOf(userId) {
    if (userId === session.me()) {
      const { status, idle } = mine.state;
      return connection.isOpen() ? (idle && status === 'available' ? 'away' : status) : 'offline';
    }
    return table.get(userId)?.status || 'offline';
  }

  return { table, mine, subscribePeople, setStatus, start, stop, statusOf };
}
