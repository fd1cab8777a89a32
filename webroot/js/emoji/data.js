// The emoji table, fetched the first time it is needed (the picker opens, a `:` is typed): the first paint never
// pays for it. The skin tone and recently used emoji are remembered in localStorage.
import { MAX_RECENT, TONES, pushRecent, readTable } from './emoji.js';

// Relative to this module, so it carries the client's version like the modules do (webroot/README.md).
const URL_OF_TABLE = new URL('../../vendor/emojibase/emoji.json', import.meta.url);
const TONE_KEY = 'ocomms.emoji.tone';
const RECENT_KEY = 'ocomms.emoji.recent';

let loading = null;
let loaded = null;

/** The table (a promise); one fetch at a time, tried again after a failure. */
export function loadEmoji() {
  if (!loading) {
    loading = fetch(URL_OF_TABLE).then(response => {
      if (!response.ok) throw new Error(`emoji table: HTTP ${response.status}`);
      return response.json();
    }).then(json => (loaded = readTable(json))).catch(error => {
      loading = null;
      throw error;
    });
  }
  return loading;
}

/** The table if it has been loaded, else null. */
export function emojiTable() {
  return loaded;
}

function read(key, fallback) {
  try {
    const value = JSON.parse(localStorage.getItem(key));
    return value ?? fallback;
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or refused: remembered for this page only
  }
}

export function skinTone() {
  const tone = read(TONE_KEY, 0);
  return Number.isInteger(tone) && tone >= 0 && tone < TONES.length ? tone : 0;
}

export function setSkinTone(tone) {
  write(TONE_KEY, tone);
}

export function recentEmoji() {
  const recent = read(RECENT_KEY, []);
  return Array.isArray(recent) ? recent.filter(e => typeof e === 'string').slice(0, MAX_RECENT) : [];
}

/** Remembers an emoji as just used. */
export function used(emoji) {
  write(RECENT_KEY, pushRecent(recentEmoji(), emoji));
}
