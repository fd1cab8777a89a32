// Makes webroot/vendor/emojibase/emoji.json from the npm package emojibase-data (MIT; see LICENSE beside it):
//   npm pack emojibase-data@17.0.0 && tar xzf emojibase-data-17.0.0.tgz
//   node bin/trim-emojibase.mjs package > webroot/vendor/emojibase/emoji.json
// Kept per emoji: [emoji, label, group, "tags", "shortcodes", [five skin-tone forms]?], in emojibase's order. The
// emoji is emojibase's `unicode`, less the presentation selector it adds to one emoji already shown as emoji
// (U+1F000 and up: 👍 not 👍️, as the reactions spell it); ❤️ keeps its selector. Skin-tone forms come from their
// hexcodes. Regional indicators and the skin-tone components are left out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] || 'package';
const read = file => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const compact = read('en/compact.json');
const github = read('en/shortcodes/github.json');
const emojibase = read('en/shortcodes/emojibase.json');
const messages = read('en/messages.json');

const fromHex = hex => String.fromCodePoint(...hex.split('-').map(part => parseInt(part, 16)));
const list = value => (value == null ? [] : Array.isArray(value) ? value : [value]);
const TONES = ['1F3FB', '1F3FC', '1F3FD', '1F3FE', '1F3FF'];

const emoji = compact.filter(e => e.group !== undefined && e.group !== 2).map(e => {
  const shortcodes = [...new Set([...list(github[e.hexcode]), ...list(emojibase[e.hexcode])])];
  const char = /^1F[0-9A-F]{3}$/.test(e.hexcode) ? fromHex(e.hexcode) : e.unicode;
  const row = [char, e.label, e.group, (e.tags || []).join(' '), shortcodes.join(' ')];
  // One tone throughout (two people of two tones are left to a later picker).
  const skins = TONES.map(tone => (e.skins || []).find(s => {
    const parts = s.hexcode.split('-').filter(part => TONES.includes(part));
    return parts.length > 0 && parts.every(part => part === tone);
  }));
  if (skins.every(Boolean)) row.push(skins.map(s => fromHex(s.hexcode)));
  return row;
});
const groups = messages.groups.filter(g => g.key !== 'component').map(g => ({ id: g.order, key: g.key, name: g.message }));
process.stdout.write(JSON.stringify({ source: 'emojibase-data 17.0.0 (MIT)', groups, emoji }));
