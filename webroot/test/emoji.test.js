import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  completions, convertShortcodes, move, pushRecent, readTable, search, shortcodeAt, withTone, MAX_RECENT,
} from '../js/emoji/emoji.js';

const table = readTable(JSON.parse(readFileSync(new URL('../vendor/emojibase/emoji.json', import.meta.url), 'utf8')));

test('the vendored table knows the common shortcodes', () => {
  assert.equal(table.byShortcode.get('thumbsup').emoji, '👍');
  assert.equal(table.byShortcode.get('+1').emoji, '👍');
  assert.equal(table.byShortcode.get('tada').emoji, '🎉');
  assert.equal(table.byShortcode.get('heart').emoji, '❤️');
});

test('search finds by name, keyword and shortcode, best match first', () => {
  assert.equal(search(table, 'tada')[0].emoji, '🎉');
  assert.equal(search(table, 'thumbs up')[0].emoji, '👍');
  assert.ok(search(table, 'party').some(entry => entry.emoji === '🎉'));
  assert.deepEqual(search(table, '   '), []);
  assert.deepEqual(search(table, 'zzzqqq'), []);
});

test('a skin tone applies only to emoji that have tones', () => {
  const thumbs = table.byShortcode.get('thumbsup');
  assert.equal(withTone(thumbs, 0), '👍');
  assert.equal(withTone(thumbs, 3), '👍🏽');
  assert.equal(withTone(table.byShortcode.get('tada'), 3), '🎉');
});

test('a shortcode is completed after a colon and two letters', () => {
  assert.equal(shortcodeAt('hi :t'), null);
  assert.deepEqual(shortcodeAt('hi :thu'), { start: 3, query: 'thu' });
  assert.deepEqual(shortcodeAt(':th'), { start: 0, query: 'th' });
  assert.equal(shortcodeAt('at 10:30'), null);
  assert.equal(completions(table, 'thu')[0].emoji, '👍');
});

test('complete shortcodes are converted, unknown ones and those in code are not', () => {
  assert.equal(convertShortcodes(table, 'yay :tada: :nope_nope: at 10:30:00'), 'yay 🎉 :nope_nope: at 10:30:00');
  assert.equal(convertShortcodes(table, 'use `:tada:` for 🎉 :tada:'), 'use `:tada:` for 🎉 🎉');
  assert.equal(convertShortcodes(table, '```\n:tada:\n```'), '```\n:tada:\n```');
  assert.equal(convertShortcodes(table, ':+1:', 5), '👍🏿');
});

test('recently used: the last first, once, and bounded', () => {
  assert.deepEqual(pushRecent(['🎉', '👍'], '👍'), ['👍', '🎉']);
  let recent = [];
  for (let i = 0; i < MAX_RECENT + 5; i++) recent = pushRecent(recent, String(i));
  assert.equal(recent.length, MAX_RECENT);
  assert.equal(recent[0], String(MAX_RECENT + 4));
});

test('arrows move through rows and between sections', () => {
  const lengths = [3, 0, 10];
  assert.deepEqual(move(lengths, { section: 0, index: 2 }, 'ArrowRight', 8), { section: 2, index: 0 });
  assert.deepEqual(move(lengths, { section: 2, index: 0 }, 'ArrowLeft', 8), { section: 0, index: 2 });
  assert.deepEqual(move(lengths, { section: 0, index: 1 }, 'ArrowDown', 8), { section: 2, index: 1 });
  assert.deepEqual(move(lengths, { section: 2, index: 1 }, 'ArrowDown', 8), { section: 2, index: 9 });
  assert.deepEqual(move(lengths, { section: 2, index: 9 }, 'ArrowUp', 8), { section: 2, index: 1 });
  assert.deepEqual(move(lengths, { section: 2, index: 4 }, 'ArrowUp', 8), { section: 0, index: 2 });
  assert.deepEqual(move(lengths, { section: 0, index: 0 }, 'ArrowUp', 8), { section: 0, index: 0 });
});
