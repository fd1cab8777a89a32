import { h } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { TONES, move, search, withTone } from '../emoji/emoji.js';
import { emojiTable, loadEmoji, recentEmoji, setSkinTone, skinTone, used } from '../emoji/data.js';

/** Emoji a row: arrows up and down move by this many. */
const COLUMNS = 8;
/** The widest screen where the picker is a sheet along the bottom (as in css/emoji.css). */
const SHEET = '(max-width: 600px)';
const TONE_SAMPLE = ['✋', '✋🏻', '✋🏼', '✋🏽', '✋🏾', '✋🏿'];
let pickers = 0;

/** The sections shown: recently used then the categories, or the search's results. */
function sectionsOf(table, query, recent) {
  if (query.trim()) {
    return [{ key: 'results', name: 'Search results', entries: search(table, query, 120) }];
  }
  const recentEntries = recent.map(emoji => table.byEmoji.get(emoji) || { emoji, name: emoji, keywords: [], shortcodes: [] });
  const sections = recentEntries.length ? [{ key: 'recent', name: 'Recently used', entries: recentEntries }] : [];
  for (const group of table.groups) {
    sections.push({ key: group.key, name: group.name, entries: table.emoji.filter(entry => entry.group === group.id) });
  }
  return sections;
}

/** Where the picker goes beside the button that opened it: below it when there is room, else above; in the window. */
function placeBeside(anchor, picker) {
  const box = anchor.getBoundingClientRect();
  const around = (anchor.closest('.composer') || anchor).getBoundingClientRect(); // not over the text being written
  const width = picker.offsetWidth;
  const height = picker.offsetHeight;
  const below = window.innerHeight - around.bottom;
  const top = below >= height + 8 || below > around.top ? Math.min(around.bottom + 4, window.innerHeight - height - 8)
    : Math.max(8, around.top - height - 4);
  const left = Math.max(8, Math.min(box.right - width, window.innerWidth - width - 8));
  return { top: `${Math.max(8, top)}px`, left: `${left}px` };
}

/**
 * The emoji picker, for the composer and for reactions: a search box (names, keywords, shortcodes), the recently used
 * first, the categories, a remembered skin tone. The keyboard stays in the search box: arrows move through the emoji,
 * Enter picks, Esc closes. Beside `anchor` on wide screens, a sheet along the bottom on narrow ones. The emoji table
 * is loaded when it first opens.
 */
export function EmojiPicker({ onPick, onClose, anchor, label = 'Pick an emoji' }) {
  const [table, setTable] = useState(emojiTable);
  const [failed, setFailed] = useState(false);
  const [query, setQuery] = useState('');
  const [tone, setTone] = useState(skinTone);
  const [choosingTone, setChoosingTone] = useState(false);
  const [recent] = useState(recentEmoji);
  const [position, setPosition] = useState({ section: 0, index: 0 });
  const [place, setPlace] = useState(null);
  const [id] = useState(() => `emoji-picker-${++pickers}`);
  const root = useRef(null);
  const input = useRef(null);
  const grid = useRef(null);

  useEffect(() => {
    if (!table) loadEmoji().then(setTable, () => setFailed(true));
  }, []);

  useEffect(() => {
    input.current?.focus();
    const outside = event => {
      if (root.current && !root.current.contains(event.target) && !(anchor && anchor.contains(event.target))) {
        onClose();
      }
    };
    document.addEventListener('mousedown', outside, true);
    return () => {
      document.removeEventListener('mousedown', outside, true);
      if (anchor && document.activeElement === document.body) anchor.focus();
    };
  }, []);

  useLayoutEffect(() => {
    if (anchor && root.current && !window.matchMedia(SHEET).matches) setPlace(placeBeside(anchor, root.current));
  }, [table]);

  const sections = useMemo(() => (table ? sectionsOf(table, query, recent) : []), [table, query, recent]);
  const lengths = sections.map(section => section.entries.length);
  const active = sections[position.section]?.entries[position.index] ? position : firstOf(lengths);
  const activeId = active ? `${id}-${active.section}-${active.index}` : undefined;

  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  const pick = entry => {
    const emoji = withTone(entry, tone);
    used(entry.skins ? entry.emoji : emoji);
    onPick(emoji);
    onClose();
  };

  const chooseTone = value => {
    setTone(value);
    setSkinTone(value);
    setChoosingTone(false);
    input.current?.focus();
  };

  const onKeyDown = event => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      if (choosingTone) {
        setChoosingTone(false);
        input.current?.focus();
      } else {
        onClose();
      }
      return;
    }
    if (event.target !== input.current || !active) return;
    if (['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp'].includes(event.key)) {
      // Left and right move the caret while there is text to move it in.
      if ((event.key === 'ArrowLeft' || event.key === 'ArrowRight') && query) return;
      event.preventDefault();
      setPosition(move(lengths, active, event.key, COLUMNS));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      pick(sections[active.section].entries[active.index]);
    }
  };

  const jump = index => {
    setQuery('');
    setPosition({ section: index, index: 0 });
    requestAnimationFrame(() => grid.current?.querySelector(`[data-section="${sections[index]?.key}"]`)
      ?.scrollIntoView({ block: 'start' }));
    input.current?.focus();
  };

  const activeEntry = active && sections[active.section].entries[active.index];
  return h('div', {
    ref: root, class: 'emoji-picker', role: 'dialog', 'aria-label': label, style: place || undefined,
    'data-loaded': table ? 'true' : 'false', onKeyDown,
    // Tab out of it (or a tap on a field behind the sheet) closes it, as a click outside does.
    onFocusOut: event => {
      const to = event.relatedTarget;
      if (to && !root.current?.contains(to) && !(anchor && anchor.contains(to))) onClose();
    },
  },
  h('div', { class: 'emoji-picker-top' },
    h('input', {
      ref: input, type: 'search', class: 'emoji-search', placeholder: 'Search emoji', 'aria-label': 'Search emoji',
      role: 'combobox', 'aria-expanded': 'true', 'aria-controls': `${id}-grid`, 'aria-autocomplete': 'list',
      'aria-activedescendant': activeId, value: query, autocomplete: 'off',
      onInput: event => { setQuery(event.currentTarget.value); setPosition({ section: 0, index: 0 }); },
    }),
    h('button', {
      type: 'button', class: 'emoji-tone-button', 'aria-haspopup': 'true', 'aria-expanded': String(choosingTone),
      'aria-label': `Skin tone: ${TONES[tone]}`, title: 'Skin tone', onClick: () => setChoosingTone(!choosingTone),
    }, h('span', { 'aria-hidden': 'true' }, TONE_SAMPLE[tone]))),
  choosingTone && h('div', { class: 'emoji-tones', role: 'radiogroup', 'aria-label': 'Skin tone' },
    TONE_SAMPLE.map((sample, value) => h('button', {
      type: 'button', role: 'radio', 'aria-checked': String(value === tone), 'aria-label': TONES[value],
      'data-tone': value, class: 'emoji-tone', onClick: () => chooseTone(value),
    }, h('span', { 'aria-hidden': 'true' }, sample)))),
  table && !query.trim() && h('nav', { class: 'emoji-groups', 'aria-label': 'Emoji categories' },
    sections.map((section, index) => h('button', {
      type: 'button', tabindex: -1, class: `emoji-group${active?.section === index ? ' current' : ''}`,
      'aria-label': section.name, title: section.name, onClick: () => jump(index),
    }, h('span', { 'aria-hidden': 'true' }, section.key === 'recent' ? '🕘' : section.entries[0]?.emoji)))),
  h('div', { ref: grid, class: 'emoji-grid', id: `${id}-grid`, role: 'listbox', 'aria-label': 'Emoji' },
    !table && h('p', { class: 'emoji-status', role: 'status' }, failed ? 'Emoji could not be loaded' : 'Loading emoji…'),
    table && query.trim() && lengths[0] === 0 && h('p', { class: 'emoji-status', role: 'status' }, 'No emoji found'),
    sections.map((section, s) => section.entries.length > 0 && h('div', {
      class: 'emoji-section', role: 'group', 'aria-labelledby': `${id}-h-${s}`, 'data-section': section.key,
    },
    h('div', { class: 'emoji-section-name', id: `${id}-h-${s}` }, section.name),
    h('div', { class: 'emoji-cells' }, section.entries.map((entry, i) => {
      const selected = active && active.section === s && active.index === i;
      return h('button', {
        type: 'button', tabindex: -1, role: 'option', id: `${id}-${s}-${i}`, 'aria-selected': String(!!selected),
        class: `emoji${selected ? ' selected' : ''}`, 'aria-label': entry.name, title: shortcodeTitle(entry),
        'data-emoji': entry.emoji, onClick: () => pick(entry),
        onMouseDown: event => event.preventDefault(),
      }, withTone(entry, tone));
    }))))),
  h('div', { class: 'emoji-preview', 'aria-hidden': 'true' },
    activeEntry && h('span', { class: 'emoji-preview-char' }, withTone(activeEntry, tone)),
    activeEntry && h('span', null, activeEntry.name,
      activeEntry.shortcodes?.[0] && h('span', { class: 'emoji-preview-code' }, ` :${activeEntry.shortcodes[0]}:`))));
}

function shortcodeTitle(entry) {
  return entry.shortcodes?.length ? `${entry.name} :${entry.shortcodes[0]}:` : entry.name;
}

function firstOf(lengths) {
  const section = lengths.findIndex(length => length > 0);
  return section === -1 ? null : { section, index: 0 };
}
