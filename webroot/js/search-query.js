// The search query language as the search box helps with it (docs/protocol.md, "Search"): the operators with a line
// each, which of them fit what is being typed, and what choosing one puts in the box. The server parses the query;
// this only reads the word under the caret.

/**
 * The operators, in the order hints list them. `insert` is what choosing one puts in place of the word being typed;
 * `value` says what comes after it (a person, a channel, a day) when it takes one.
 */
export const OPERATORS = Object.freeze([
  { insert: 'from:@', label: 'from:@username', text: 'sent by this person (@me: by you)', value: 'people' },
  { insert: 'in:#', label: 'in:#channel', text: 'in this channel', value: 'channels' },
  { insert: 'in:@', label: 'in:@username', text: 'in your direct messages with this person', value: 'people' },
  { insert: 'mentions:@', label: 'mentions:@me', text: 'mentioning you (or @username)', value: 'people' },
  { insert: 'before:', label: 'before:YYYY-MM-DD', text: 'sent before this day', value: 'day' },
  { insert: 'after:', label: 'after:YYYY-MM-DD', text: 'sent after this day', value: 'day' },
  { insert: 'on:', label: 'on:YYYY-MM-DD', text: 'sent on this day', value: 'day' },
  { insert: 'has:file', label: 'has:file', text: 'with files' },
  { insert: 'has:image', label: 'has:image', text: 'with an image (a link to one, or a file)' },
  { insert: 'has:link', label: 'has:link', text: 'with a link' },
  { insert: 'is:thread', label: 'is:thread', text: 'in threads: replies, and messages with replies' },
  { insert: 'sort:recent', label: 'sort:recent', text: 'newest first' },
  { insert: 'sort:relevance', label: 'sort:relevance', text: 'best matches first (the default)' },
]);

/** What else a query can say, listed under the operators while the box is empty. */
export const SYNTAX = Object.freeze([
  { label: '"exact phrase"', text: 'these words in this order' },
  { label: '-word', text: 'without this word' },
  { label: 'word*', text: 'words starting with this' },
]);

/** Operators whose value names a person (`@username`), a channel (`#name`), or a day. */
const VALUE_KINDS = {
  from: { '@': 'people' },
  in: { '#': 'channels', '@': 'people' },
  mentions: { '@': 'people' },
  before: { '': 'day' },
  after: { '': 'day' },
  on: { '': 'day' },
};

/**
 * The word the caret is in (or just after): from the whitespace before it to the whitespace after it. Inside an
 * open quote (a phrase being typed) there is none: a phrase holds words, not operators.
 */
export function tokenAt(query, caret = query.length) {
  let start = caret;
  while (start > 0 && !/\s/.test(query[start - 1])) {
    start -= 1;
  }
  let end = caret;
  while (end < query.length && !/\s/.test(query[end])) {
    end += 1;
  }
  const quotesBefore = (query.slice(0, start).match(/"/g) || []).length;
  if (quotesBefore % 2 === 1) {
    return null;
  }
  return { start, end, text: query.slice(start, caret) };
}

/** A day as the operators take it: YYYY-MM-DD in local time. */
export function isoDay(date) {
  const pad = n => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * What to offer for the word under the caret:
 * - `{kind: 'operators', token, items}`: operators starting with what is typed (all of them, and the syntax, while
 *   the box is empty);
 * - `{kind: 'people' | 'channels', token, operator, prefix}`: a person or channel to complete `from:@`, `in:#`, …;
 * - `{kind: 'days', token, items}`: today and yesterday for `before:`, `after:`, `on:`;
 * - null: nothing (a plain word, a phrase, an exclusion, an operator already complete).
 */
export function hintsFor(query, caret = query.length, today = new Date()) {
  const token = tokenAt(query, caret);
  if (!token) {
    return null;
  }
  const typed = token.text.toLowerCase();
  if (typed === '') {
    return query.trim() === '' ? { kind: 'operators', token, items: OPERATORS, syntax: SYNTAX } : null;
  }
  if (typed.startsWith('-') || typed.startsWith('"')) {
    return null;
  }
  const colon = typed.indexOf(':');
  if (colon >= 0) {
    const name = typed.slice(0, colon);
    const value = token.text.slice(colon + 1);
    const kinds = VALUE_KINDS[name];
    if (kinds) {
      const sigil = value[0] === '@' || value[0] === '#' ? value[0] : '';
      const kind = kinds[sigil];
      if (kind === 'day') {
        const days = [['today', today], ['yesterday', new Date(today.getTime() - 86_400_000)]]
          .map(([label, day]) => ({ insert: `${name}:${isoDay(day)}`, label: `${name}:${isoDay(day)}`, text: label }))
          .filter(item => item.insert.startsWith(typed) && item.insert !== typed);
        return days.length > 0 ? { kind: 'days', token, items: days } : null;
      }
      if (kind) {
        return { kind, token, operator: `${name}:${sigil}`, prefix: value.slice(1) };
      }
    }
  }
  const items = OPERATORS.filter(item => item.insert.startsWith(typed) && item.insert !== typed);
  return items.length > 0 ? { kind: 'operators', token, items } : null;
}

/**
 * The query with the word under the caret replaced by `insert`, and where the caret goes: after it, and after a
 * space when the term is complete (an operator that takes a value is not: its value is typed next).
 */
export function applyHint(query, token, insert, { complete = true } = {}) {
  const rest = query.slice(token.end);
  const space = complete && !/^\s/.test(rest) ? ' ' : '';
  const value = query.slice(0, token.start) + insert + space + rest;
  return { value, caret: token.start + insert.length + (complete ? 1 : 0) };
}
