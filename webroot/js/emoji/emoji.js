// The emoji data's pure logic: read the vendored table (vendor/emojibase/emoji.json, made by
// bin/trim-emojibase.mjs), search it, skin tones, recently used, `:shortcode:` completion and conversion.

/** Skin tones: 0 is none (the yellow default), 1–5 light to dark. */
export const TONES = ['default', 'light', 'medium-light', 'medium', 'medium-dark', 'dark'];
/** How many recently used emoji are kept. */
export const MAX_RECENT = 24;

/** The vendored JSON read into entries {emoji, name, group, keywords, shortcodes, skins?} and a shortcode index. */
export function readTable(json) {
  const emoji = json.emoji.map(([char, name, group, tags, shortcodes, skins]) => ({
    emoji: char, name, group,
    keywords: tags ? tags.split(' ') : [],
    shortcodes: shortcodes ? shortcodes.split(' ') : [],
    skins: skins || null,
  }));
  const byShortcode = new Map();
  const byEmoji = new Map();
  for (const entry of emoji) {
    byEmoji.set(entry.emoji, entry);
    for (const code of entry.shortcodes) {
      if (!byShortcode.has(code)) byShortcode.set(code, entry);
    }
  }
  return { groups: json.groups, emoji, byShortcode, byEmoji };
}

/** The entry's emoji in skin tone `tone` (0–5) when it has tones, else the entry's own. */
export function withTone(entry, tone) {
  return tone > 0 && entry.skins ? entry.skins[tone - 1] : entry.emoji;
}

/**
 * Entries matching `query` (words of a name, keywords, shortcodes; case-insensitive), best first: a shortcode equal
 * to it, a shortcode or name starting with it, a word of the name or a keyword starting with it, then any containing
 * it. Every word of a query of several words must match.
 */
export function search(table, query, limit = 64) {
  const words = query.toLowerCase().replace(/^:|:$/g, '').split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const scored = [];
  for (const entry of table.emoji) {
    let total = 0;
    for (const word of words) {
      const score = scoreWord(entry, word);
      if (score === 0) { total = 0; break; }
      total += score;
    }
    if (total > 0) scored.push([total, entry]);
  }
  // Stable: equal scores keep the table's order (emojibase's, the usual one).
  return scored.sort((a, b) => b[0] - a[0]).slice(0, limit).map(([, entry]) => entry);
}

function scoreWord(entry, word) {
  const name = entry.name.toLowerCase();
  if (entry.shortcodes.includes(word)) return 6;
  if (entry.shortcodes.some(code => code.startsWith(word))) return 5;
  if (name.startsWith(word)) return 4;
  if (name.split(/[\s:,-]+/).some(part => part.startsWith(word))) return 3;
  if (entry.keywords.some(keyword => keyword.startsWith(word))) return 2;
  if (name.includes(word) || entry.shortcodes.some(code => code.includes(word))) return 1;
  return 0;
}

/** The shortcode being typed just before the caret (`:` then at least two letters), or null. */
export function shortcodeAt(before) {
  const match = /(^|[\s(])(:([a-z0-9_+-]{2,}))$/i.exec(before);
  return match ? { start: before.length - match[2].length, query: match[3].toLowerCase() } : null;
}

/** Entries whose shortcodes start with `query` (shortcode matches first), for `:` completion. */
export function completions(table, query, limit = 8) {
  const lower = query.toLowerCase();
  const starting = table.emoji.filter(entry => entry.shortcodes.some(code => code.startsWith(lower)));
  const exact = starting.filter(entry => entry.shortcodes.includes(lower));
  const rest = starting.filter(entry => !exact.includes(entry));
  const found = [...exact, ...rest];
  if (found.length < limit) {
    for (const entry of search(table, lower, limit)) {
      if (!found.includes(entry)) found.push(entry);
    }
  }
  return found.slice(0, limit);
}

/** The shortcode a completion shows for an entry: the first one starting with what was typed. */
export function shortcodeFor(entry, query) {
  return entry.shortcodes.find(code => code.startsWith(query)) || entry.shortcodes[0] || '';
}

/** Whether the text may hold a complete `:shortcode:` (cheap: no table needed). */
export function mayHaveShortcodes(text) {
  return /:[a-z0-9_+-]+:/i.test(text);
}

/**
 * The text with every known complete `:shortcode:` replaced by its emoji (in skin tone `tone` where it has tones);
 * unknown ones, and any in code (`inline` or fenced blocks), are left as typed.
 */
export function convertShortcodes(table, text, tone = 0) {
  return text.split(/(```[\s\S]*?(?:```|$)|`[^`\n]*`)/).map((part, i) => (i % 2 === 1 ? part
    : part.replace(/:([a-z0-9_+-]+):/gi, (whole, code) => {
      const entry = table.byShortcode.get(code.toLowerCase());
      return entry ? withTone(entry, tone) : whole;
    }))).join('');
}

/** The recently used list with `emoji` put first (once), at most MAX_RECENT long. */
export function pushRecent(recent, emoji) {
  return [emoji, ...recent.filter(e => e !== emoji)].slice(0, MAX_RECENT);
}

/**
 * Where a keyboard arrow moves in the picker's sections (arrays of lengths), `columns` emoji a row. The position is
 * {section, index}; left and right run through sections, up and down keep the column where the next row has it.
 */
export function move(lengths, position, key, columns) {
  const { section, index } = position;
  const column = index % columns;
  if (key === 'ArrowRight') {
    if (index + 1 < lengths[section]) return { section, index: index + 1 };
    const next = nextSection(lengths, section, 1);
    return next === -1 ? position : { section: next, index: 0 };
  }
  if (key === 'ArrowLeft') {
    if (index > 0) return { section, index: index - 1 };
    const previous = nextSection(lengths, section, -1);
    return previous === -1 ? position : { section: previous, index: lengths[previous] - 1 };
  }
  if (key === 'ArrowDown') {
    if (index + columns < lengths[section]) return { section, index: index + columns };
    const rowStart = index - column;
    if (rowStart + columns < lengths[section]) return { section, index: lengths[section] - 1 }; // a shorter last row
    const next = nextSection(lengths, section, 1);
    return next === -1 ? position : { section: next, index: Math.min(column, lengths[next] - 1) };
  }
  if (key === 'ArrowUp') {
    if (index - columns >= 0) return { section, index: index - columns };
    const previous = nextSection(lengths, section, -1);
    if (previous === -1) return position;
    const lastRowStart = Math.floor((lengths[previous] - 1) / columns) * columns;
    return { section: previous, index: Math.min(lastRowStart + column, lengths[previous] - 1) };
  }
  return position;
}

function nextSection(lengths, section, step) {
  for (let s = section + step; s >= 0 && s < lengths.length; s += step) {
    if (lengths[s] > 0) return s;
  }
  return -1;
}
