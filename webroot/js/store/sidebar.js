// How the user arranges the sidebar: starred chats (a section at the top), and "unreads first" (chats with unread
// messages in a section of their own above the others). The server keeps no preferences of this kind
// (docs/protocol.md has notification settings only), so they are kept per user in this browser's storage.

import { createSlice } from './slice.js';

const KEY = userId => `ocomms.sidebar.${userId}`;
const EMPTY = Object.freeze({ userId: null, starred: Object.freeze([]), unreadsFirst: false });

/**
 * The sidebar's sections, in order, each `{id, title, ids}`; empty starred and unread sections are left out.
 * `chats`: `{channels, dms}` in name order (chats.chatsOf); `isUnread(chatId)`; `keep`: a chat (the open one, opened
 * unread) that stays in the unread section while it is open, though it has just been read.
 */
export function sidebarSections({ channels, dms }, { starred = [], unreadsFirst = false, isUnread = () => false,
  keep = null } = {}) {
  const all = [...channels, ...dms];
  const star = new Set(starred.filter(id => all.includes(id)));
  const unread = new Set(unreadsFirst
    ? all.filter(id => !star.has(id) && (isUnread(id) || id === keep)) : []);
  const rest = ids => ids.filter(id => !star.has(id) && !unread.has(id));
  const sections = [];
  if (star.size) sections.push({ id: 'starred', title: 'Starred', ids: all.filter(id => star.has(id)) });
  if (unread.size) sections.push({ id: 'unreads', title: 'Unreads', ids: all.filter(id => unread.has(id)) });
  sections.push({ id: 'channels', title: 'Channels', ids: rest(channels) });
  sections.push({ id: 'dms', title: 'Direct messages', ids: rest(dms) });
  return sections;
}

/** Whether two section lists show the same chats in the same places. */
export function sameSections(a, b) {
  return a === b || (a.length === b.length && a.every((section, i) => section.id === b[i].id
    && section.ids.length === b[i].ids.length && section.ids.every((id, j) => id === b[i].ids[j])));
}

/**
 * @param deps.storage localStorage
 * @param deps.session whose preferences they are
 */
export function createSidebarPrefs({ storage, session }) {
  const slice = createSlice('sidebar', EMPTY);

  function load() {
    const userId = session.me();
    if (slice.state.userId === userId) {
      return;
    }
    if (!userId) {
      slice.update(() => EMPTY);
      return;
    }
    let saved = {};
    try {
      saved = JSON.parse(storage.getItem(KEY(userId)) || '{}') || {};
    } catch {
      saved = {};
    }
    slice.update(() => ({
      userId,
      starred: Array.isArray(saved.starred) ? saved.starred.filter(id => typeof id === 'string') : [],
      unreadsFirst: saved.unreadsFirst === true,
    }));
  }

  function change(patch) {
    load();
    const { userId } = slice.state;
    if (!userId) return;
    slice.set(patch);
    const { starred, unreadsFirst } = slice.state;
    storage.setItem(KEY(userId), JSON.stringify({ starred, unreadsFirst }));
  }

  session.slice.subscribe(load);
  load();

  return {
    slice,
    isStarred: chatId => slice.state.starred.includes(chatId),
    /** Stars a chat, or takes its star away. */
    toggleStar(chatId) {
      load();
      const { starred } = slice.state;
      change({ starred: starred.includes(chatId) ? starred.filter(id => id !== chatId) : [...starred, chatId] });
    },
    setUnreadsFirst: value => change({ unreadsFirst: !!value }),
    load,
  };
}
