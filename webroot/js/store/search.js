// The search slice: whether the search panel is open, the query asked, its results (grouped by chat) and how to get
// more, and what went wrong in words. Searches go to `search.query` on the bridge (docs/protocol.md, "Search"); an
// answer to a query no longer asked is dropped. It hears of nothing else: messages arriving cost it nothing.

import { ERROR, REASON, REQUEST } from '../protocol.js';
import { createSlice } from './slice.js';

/** Messages asked for per page. */
export const RESULTS_PAGE = 20;
/** People and channels offered to complete `from:@`, `in:#`, … */
export const SUGGESTIONS = 8;

const idle = {
  open: false,
  shown: 0, // goes up each time the user asks for search (the box takes the focus again)
  query: '', // the query of the results shown (or being asked)
  status: 'idle', // 'idle' | 'loading' | 'done' | 'error'
  results: [],
  groups: [], // [{chat, results}], in the order of each chat's first result
  nextCursor: null,
  total: null, // when the server knows it exactly
  loadingMore: false,
  error: null, // what went wrong, in words
};

/**
 * Results grouped by chat: each chat once, where its first (best) result is, with all of its results in their order.
 */
export function groupByChat(results) {
  const groups = new Map();
  results.forEach(result => {
    const group = groups.get(result.chatId);
    if (group) {
      group.results.push(result);
    } else {
      groups.set(result.chatId, { chat: result.chat, results: [result] });
    }
  });
  return [...groups.values()];
}

/** What a failed search says to the user. */
export function searchErrorText(error) {
  if (error?.reason === REASON.SEARCH_UNAVAILABLE || error?.body?.reason === REASON.SEARCH_UNAVAILABLE) {
    return 'Search is unavailable right now. Try again in a moment.';
  }
  switch (error?.code) {
    case ERROR.VALIDATION_FAILED: {
      const operator = error.body?.operator;
      return operator ? `“${operator}” is not understood: ${error.message}` : `Not a search: ${error.message}`;
    }
    case ERROR.RATE_LIMITED:
      return 'Too many searches at once. Wait a moment and search again.';
    case ERROR.DISCONNECTED:
      return 'Not connected. Search works again once the connection is back.';
    case ERROR.UNAVAILABLE:
    case ERROR.TIMEOUT:
      return 'Search is unavailable right now. Try again in a moment.';
    default:
      return error?.message || 'The search failed.';
  }
}

/**
 * @param deps.bus the bridge client
 * @param deps.session the workspace searched
 * @param deps.chats the user's channels (completed at once, before the server's answer)
 * @param deps.people the workspace's people (completed from the client's own list)
 * @param deps.timeZone () => the IANA zone days (`on:`, `before:`) are read in
 */
export function createSearch({ bus, session, chats, people, timeZone = defaultTimeZone }) {
  const slice = createSlice('search', idle);
  let asked = 0; // numbers each request: only the answer to the latest one is shown

  function request(body) {
    return bus.request(REQUEST.SEARCH, { workspaceId: session.slice.state.workspaceId, tz: timeZone(), ...body });
  }

  /** Searches messages for `query`; an empty one clears the results. */
  async function run(query) {
    const q = query.trim();
    const number = ++asked;
    if (!q) {
      slice.update(state => ({ ...idle, open: state.open, shown: state.shown }));
      return;
    }
    slice.set({ query: q, status: 'loading', error: null, loadingMore: false });
    try {
      const answer = await request({ q, limit: RESULTS_PAGE });
      if (number === asked) {
        const results = answer.results.filter(result => result.type === 'message');
        slice.set({ status: 'done', results, groups: groupByChat(results), nextCursor: answer.nextCursor ?? null,
          total: answer.total ?? null });
      }
    } catch (error) {
      if (number === asked) {
        slice.set({ status: 'error', error: searchErrorText(error), results: [], groups: [], nextCursor: null,
          total: null });
      }
    }
  }

  /** The next page of the results shown. */
  async function more() {
    const { status, nextCursor, loadingMore, query } = slice.state;
    if (status !== 'done' || !nextCursor || loadingMore) {
      return;
    }
    const number = asked;
    slice.set({ loadingMore: true });
    try {
      const answer = await request({ q: query, cursor: nextCursor, limit: RESULTS_PAGE });
      if (number === asked) {
        const known = new Set(slice.state.results.map(result => result.messageId));
        const results = [...slice.state.results,
          ...answer.results.filter(result => result.type === 'message' && !known.has(result.messageId))];
        slice.set({ results, groups: groupByChat(results), nextCursor: answer.nextCursor ?? null, loadingMore: false });
      }
    } catch (error) {
      if (number === asked) {
        slice.set({ loadingMore: false, error: searchErrorText(error) });
      }
    }
  }

  /**
   * People or channels whose name starts with `prefix`, for completing an operator: the client's own lists at once
   * (`local`), and for channels the server's (`scope: channels`: public ones the user has not joined as well).
   */
  function suggestLocal(kind, prefix) {
    const lower = prefix.toLowerCase();
    const workspaceId = session.slice.state.workspaceId;
    if (kind === 'people') {
      return people.memberIds(workspaceId).map(id => people.users.get(id)).filter(Boolean)
        .filter(user => user.username.toLowerCase().startsWith(lower)
          || user.displayName.toLowerCase().split(/\s+/).some(word => word.startsWith(lower)))
        .slice(0, SUGGESTIONS)
        .map(user => ({ id: user.id, name: user.username, detail: user.displayName }));
    }
    return chats.chatsOf(workspaceId).channels.map(id => chats.table.get(id)).filter(Boolean)
      .filter(chat => chat.name.toLowerCase().startsWith(lower))
      .slice(0, SUGGESTIONS)
      .map(chat => ({ id: chat.id, name: chat.name, detail: chat.topic || '' }));
  }

  /** The server's channels by prefix (joined and public ones); an empty list when it cannot say. */
  async function suggestChannels(prefix) {
    try {
      const answer = await request({ q: prefix, scope: 'channels', limit: SUGGESTIONS });
      return answer.results.filter(result => result.type === 'channel')
        .map(({ chat }) => ({ id: chat.id, name: chat.name, detail: chat.joined ? chat.topic || '' : 'not joined' }));
    } catch (error) {
      return [];
    }
  }

  /** The results' chat is joined now (the user joined it to open a result). */
  function markJoined(chatId) {
    slice.update(state => {
      if (!state.results.some(result => result.chatId === chatId)) {
        return state;
      }
      const results = state.results.map(result => (result.chatId === chatId
        ? { ...result, chat: { ...result.chat, joined: true } } : result));
      return { ...state, results, groups: groupByChat(results) };
    });
  }

  // Results belong to the workspace they were asked in.
  let workspaceId = session.slice.state.workspaceId;
  session.slice.subscribe(() => {
    if (session.slice.state.workspaceId !== workspaceId) {
      workspaceId = session.slice.state.workspaceId;
      clear();
    }
  });

  function clear() {
    asked += 1;
    slice.update(() => idle);
  }

  return {
    slice,
    run,
    more,
    suggestLocal,
    suggestChannels,
    markJoined,
    clear,
    show: () => slice.update(state => ({ ...state, open: true, shown: state.shown + 1 })),
    hide: () => slice.set({ open: false }),
  };
}

function defaultTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
