import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { applyHint, hintsFor } from '../search-query.js';
import { snippetRuns } from '../snippet.js';
import { SUGGESTIONS } from '../store/search.js';
import { Icon } from './icons.js';
import { useSlice } from './hooks.js';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const yearFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
/** How long typing a channel's name waits before the server is asked for channels (searches are rate limited). */
const CHANNELS_WAIT_MS = 250;

/** When a result was written: the time today, else the day and the time. */
function when(date) {
  const now = new Date();
  if (date.toDateString() === now.toDateString()) {
    return timeFormat.format(date);
  }
  const day = date.getFullYear() === now.getFullYear() ? dayFormat.format(date) : yearFormat.format(date);
  return `${day}, ${timeFormat.format(date)}`;
}

/** A result's chat as the sidebar names it: `#name`, or a DM's other members. */
function chatLabel(chat) {
  if (chat.kind === 'channel') {
    return `${chat.private ? '🔒 ' : '#'}${chat.name}`;
  }
  const known = client.chats.table.get(chat.id);
  if (known) {
    return client.chats.title(known);
  }
  const me = client.session.me();
  const others = (chat.memberIds || []).filter(id => id !== me);
  return others.length > 0 ? others.map(client.people.displayName).join(', ') : 'Direct message';
}

/** The snippet: text, and the matched words in <mark>. Never innerHTML: only text nodes and <mark> elements. */
function Snippet({ html }) {
  return h('span', { class: 'search-snippet' },
    snippetRuns(html).map((run, i) => (run.mark ? h('mark', { key: i }, run.text) : run.text)));
}

/** One result: who, when, the snippet; opening it opens the chat at that message (a public channel after joining). */
function Result({ result }) {
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState(null);
  const created = new Date(result.createdAt);
  const sender = result.sender?.displayName || client.people.displayName(result.senderId);
  const joined = result.chat.joined !== false;
  const open = () => client.openResult(result).catch(failure => setError(failure.message));
  return h('li', { class: 'search-result-item' },
    h('button', {
      class: 'search-result', 'data-message-id': result.messageId, 'data-chat-id': result.chatId,
      'aria-label': `${sender}, ${fullFormat.format(created)}: open in its chat`,
      onClick: () => (joined ? open() : setJoining(true)),
    },
    h('span', { class: 'search-result-meta' },
      h('span', { class: 'sender' }, sender),
      h('time', { datetime: result.createdAt, title: fullFormat.format(created) }, when(created)),
      result.rootId && h('span', { class: 'muted small' }, 'reply in a thread'),
      result.editedAt && h('span', { class: 'muted small' }, '(edited)')),
    h(Snippet, { html: result.snippet })),
    joining && h('div', { class: 'search-join', role: 'group' },
      h('span', null, `You are not in #${result.chat.name}.`),
      h('button', { class: 'primary', onClick: open }, `Join #${result.chat.name} and open`),
      h('button', { class: 'link', onClick: () => setJoining(false) }, 'Cancel')),
    error && h('p', { class: 'form-error', role: 'alert' }, error));
}

function Results({ state }) {
  const { status, query, groups, results, nextCursor, total, loadingMore, error } = state;
  if (status === 'idle') {
    return h('div', { class: 'search-empty' },
      h('p', null, 'Search the messages of this workspace. Press Enter to search.'),
      h('p', { class: 'muted small' }, 'Type an operator such as from: or in: for suggestions.'));
  }
  if (status === 'loading') {
    return h('p', { class: 'search-status', role: 'status' }, `Searching for “${query}”…`);
  }
  if (status === 'error') {
    return h('p', { class: 'search-error', role: 'alert' }, error);
  }
  if (results.length === 0) {
    return h('div', { class: 'search-empty', role: 'status' },
      h('h3', null, 'No results'),
      h('p', null, `No message matches “${query}”.`),
      h('p', { class: 'muted small' }, 'Check the spelling, use fewer words, or take an operator out.'));
  }
  const count = total ?? results.length;
  return h('div', { class: 'search-found' },
    h('p', { class: 'search-status', role: 'status' },
      `${count}${total === null && nextCursor ? '+' : ''} ${count === 1 ? 'result' : 'results'} for “${query}”`),
    groups.map(group => h('section', { class: 'search-group', key: group.chat.id, 'aria-label': chatLabel(group.chat) },
      h('h3', { class: 'search-group-title' },
        h('span', null, chatLabel(group.chat)),
        group.chat.joined === false && h('span', { class: 'not-joined' }, 'not joined')),
      h('ul', { class: 'search-group-results' },
        group.results.map(result => h(Result, { key: result.messageId, result }))))),
    error && h('p', { class: 'search-error', role: 'alert' }, error),
    nextCursor && h('button', { class: 'search-more', onClick: client.search.more, disabled: loadingMore },
      loadingMore ? 'Loading…' : 'Load more'));
}

/** The operators (or people, channels, days) that fit what is typed; choosing one puts it in the box. */
function Hints({ hints, listId, onChoose }) {
  return h('div', { class: 'search-hints' },
    hints.items.length > 0 && h('ul', { id: listId, role: 'listbox', 'aria-label': 'Search suggestions' },
      hints.items.map((item, i) => h('li', {
        id: `${listId}-${i}`, key: item.insert, role: 'option', 'aria-selected': String(i === hints.index),
        class: i === hints.index ? 'selected' : '',
        onMouseDown: event => {
          event.preventDefault();
          onChoose(item);
        },
      }, h('code', null, item.label), ' ', h('span', { class: 'muted' }, item.text)))),
    hints.syntax && h('ul', { class: 'search-syntax', 'aria-label': 'Also' },
      hints.syntax.map(item => h('li', { key: item.label }, h('code', null, item.label), ' ',
        h('span', { class: 'muted' }, item.text)))));
}

/** The people or channels completing `from:@…`, `in:#…` as hint items. */
function completions(found) {
  const items = client.search.suggestLocal(found.kind, found.prefix).map(suggestion => ({
    insert: `${found.operator}${suggestion.name}`, label: `${found.operator}${suggestion.name}`,
    text: suggestion.detail,
  }));
  const you = { 'from:@': 'sent by you', 'in:@': 'your direct messages with yourself', 'mentions:@': 'mentioning you' };
  if (you[found.operator] && 'me'.startsWith(found.prefix.toLowerCase())) {
    items.unshift({ insert: `${found.operator}me`, label: `${found.operator}me`, text: you[found.operator] });
  }
  return items;
}

/** The open search: the box with its hints, and the results. */
function SearchOpen() {
  const state = useSlice(client.search.slice, current => current);
  const [text, setText] = useState(state.query);
  const [hints, setHints] = useState(null); // {kind, token, items, syntax?, index, prefix?}
  const input = useRef(null);
  const channelsTimer = useRef(0);

  useEffect(() => {
    const before = document.activeElement;
    return () => {
      clearTimeout(channelsTimer.current);
      if (!document.activeElement || document.activeElement === document.body) {
        before?.focus?.();
      }
    };
  }, []);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, [state.shown]);

  const showHints = (value, caret) => {
    const found = hintsFor(value, caret);
    clearTimeout(channelsTimer.current);
    if (!found) {
      setHints(null);
      return;
    }
    if (found.kind !== 'people' && found.kind !== 'channels') {
      setHints({ ...found, index: -1 });
      return;
    }
    setHints({ ...found, items: completions(found), index: -1 });
    if (found.kind === 'channels') {
      // Public channels the user has not joined are known to the server only.
      channelsTimer.current = setTimeout(async () => {
        const more = await client.search.suggestChannels(found.prefix);
        setHints(current => {
          if (!current || current.kind !== 'channels' || current.prefix !== found.prefix) {
            return current;
          }
          const known = new Set(current.items.map(item => item.insert));
          const added = more.map(channel => ({ insert: `in:#${channel.name}`, label: `in:#${channel.name}`,
            text: channel.detail })).filter(item => !known.has(item.insert));
          return { ...current, items: [...current.items, ...added].slice(0, SUGGESTIONS) };
        });
      }, CHANNELS_WAIT_MS);
    }
  };

  const choose = item => {
    const next = applyHint(text, hints.token, item.insert, { complete: !item.value });
    setText(next.value);
    const el = input.current;
    el.value = next.value;
    el.focus();
    el.setSelectionRange(next.caret, next.caret);
    showHints(next.value, next.caret); // an operator that takes a value goes on to its people, channels or days
  };

  const onKeyDown = event => {
    const items = hints?.items || [];
    if (items.length > 0 && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      // Through the items and back to none (-1): Enter searches while none is chosen.
      const step = event.key === 'ArrowDown' ? 1 : -1;
      const positions = items.length + 1;
      setHints({ ...hints, index: ((hints.index + 1 + step + positions) % positions) - 1 });
      return;
    }
    if (items.length > 0 && event.key === 'Tab' && !event.shiftKey) {
      event.preventDefault();
      choose(items[Math.max(0, hints.index)]);
      return;
    }
    if (event.key === 'Enter') {
      event.preventDefault();
      if (hints && hints.index >= 0 && items[hints.index]) {
        choose(items[hints.index]);
      } else {
        setHints(null);
        client.search.run(text);
      }
      return;
    }
    if (event.key === 'Escape') {
      event.preventDefault(); // the page's Esc (App) closes nothing else
      if (hints) {
        setHints(null);
      } else {
        client.search.hide();
      }
    }
  };

  const listId = 'search-hint-list';
  const selected = hints && hints.index >= 0 ? `${listId}-${hints.index}` : undefined;
  return h('section', { class: 'search-panel', role: 'search', 'aria-label': 'Search messages' },
    h('form', { class: 'search-bar', onSubmit: event => event.preventDefault() },
      h(Icon, { name: 'search' }),
      h('input', {
        ref: input, class: 'search-input', type: 'text', enterkeyhint: 'search', value: text, maxLength: 500,
        placeholder: 'Search messages', 'aria-label': 'Search messages', autocomplete: 'off', spellcheck: false,
        role: 'combobox', 'aria-expanded': String(!!hints?.items.length),
        'aria-controls': hints?.items.length ? listId : undefined,
        'aria-autocomplete': 'list', 'aria-activedescendant': selected,
        onInput: event => {
          setText(event.currentTarget.value);
          showHints(event.currentTarget.value, event.currentTarget.selectionStart);
        },
        onFocus: event => showHints(event.currentTarget.value, event.currentTarget.selectionStart),
        onClick: event => showHints(event.currentTarget.value, event.currentTarget.selectionStart),
        onBlur: () => setTimeout(() => setHints(null), 150),
        onKeyDown,
      }),
      h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close search', title: 'Close (Esc)',
        onClick: client.search.hide }, h(Icon, { name: 'close' })),
      hints && (hints.items.length > 0 || hints.syntax) && h(Hints, { hints, listId, onChoose: choose })),
    h('div', { class: 'search-results' }, h(Results, { state })));
}

/** The search panel while it is open; nothing at all (no subscription but this one) while it is closed. */
export function SearchPanel() {
  const open = useSlice(client.search.slice, state => state.open);
  return open ? h(SearchOpen) : null;
}

/** The header's way into search (also Ctrl/Cmd+F and `/`). */
export function SearchButton() {
  return h('button', {
    class: 'search-trigger', onClick: client.search.show, title: 'Search (Ctrl+F or /)',
    'aria-label': 'Search messages', 'aria-keyshortcuts': 'Control+F Meta+F /',
  }, h(Icon, { name: 'search' }), h('span', { class: 'search-trigger-label' }, 'Search'));
}
