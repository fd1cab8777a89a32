import { h } from 'preact';
import { useEffect, useReducer, useRef } from 'preact/hooks';
import { createIntervalBatcher } from '../frames.js';
import { createSelection, shallowEqual } from '../store/slice.js';
import { client } from '../store.js';

/**
 * The part of one slice a component shows: `selector(slice.state)`, re-rendered only when that changes (by `equals`,
 * identity by default). A table's state is the table: select a row (`t => t.get(id)`), or use `useRow`.
 */
export function useSlice(slice, selector, { equals, key, lane } = {}) {
  const [, force] = useReducer(n => n + 1, 0);
  const ref = useRef(null);
  if (!ref.current || ref.current.slice !== slice || ref.current.key !== key) {
    ref.current = { slice, key, selection: createSelection(slice, { key }) };
  }
  const selected = ref.current.selection.read(selector, equals);
  useEffect(() => ref.current.selection.listen(lane ? () => lane(force) : force), [slice, key]);
  return selected;
}

/**
 * One row of a table (a chat, one chat's messages): re-rendered only when that row changes; with `lane` (`badgeLane`)
 * at that lane's pace.
 */
export function useRow(table, key, { lane } = {}) {
  return useSlice(table, rows => rows.get(key), { key, lane });
}

/** The pace of sidebar badges: see `createIntervalBatcher` (js/frames.js). */
export const badgeLane = createIntervalBatcher({ setTimeout: (callback, ms) => setTimeout(callback, ms) });

/** The signed-in user (null when signed out). */
export function useMe() {
  return useSlice(client.session.slice, state => state.session?.user || null, { equals: sameUser });
}

const sameUser = (a, b) => a === b || (!!a && !!b && a.id === b.id && a.username === b.username
  && a.displayName === b.displayName && a.avatarUrl === b.avatarUrl);

/** A person's display name, re-rendered when their profile changes. */
export function useDisplayName(userId) {
  return useSlice(client.people.users, () => client.people.displayName(userId), { key: userId });
}

/** Whether a user is a bot (a BOT tag goes beside its name); follows its profile as the client learns it. */
export function useIsBot(userId) {
  return useSlice(client.people.users, () => client.people.isBot(userId), { key: userId });
}

/** What a presence dot shows for a user: theirs, or for the user themselves their own status and connection. */
export function usePresence(userId) {
  const own = userId === client.session.me();
  useRow(client.presence.table, userId);
  useSlice(client.presence.mine, state => (own ? state : null));
  useSlice(client.connection.slice, state => (own ? state.status : null));
  return client.presence.statusOf(userId);
}

/** A chat's title (a DM's is its members' names). */
export function useChatTitle(chat) {
  return useSlice(client.people.users, () => client.chats.title(chat));
}

/**
 * A component that renders again only when its props change (by identity, prop by prop) or what it subscribes to
 * does: a message when that message changes, not when its neighbours or the list around it do. (preact/compat's
 * `memo`, without loading compat.)
 */
export function memo(component, equal = shallowEqual) {
  function shouldComponentUpdate(nextProps) {
    return !equal(this.props, nextProps);
  }
  function Memo(props) {
    this.shouldComponentUpdate = shouldComponentUpdate;
    return h(component, props);
  }
  Memo.displayName = `Memo(${component.name})`;
  return Memo;
}
