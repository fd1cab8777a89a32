// The notes panel: a chat's note (from the chat header) or the user's personal note (from the user menu), edited as
// markdown with a preview rendered and sanitized as messages are (js/markdown.js); autosaved, with merges and
// conflicts shown plainly, and its revisions with their diffs. The editing itself is the notes slice's
// (store/notes.js).

import { h, Fragment } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { client } from '../store.js';
import { renderMarkdown } from '../markdown.js';
import { caretAfterReplace } from '../store/notes.js';
import { askConfirm } from './Confirm.js';
import { Icon } from './icons.js';
import { useChatTitle, useMe, useRow, useSlice } from './hooks.js';

const MODES = [['edit', 'Edit'], ['split', 'Split'], ['preview', 'Preview']];
const MODE_KEY = 'ocomms.notes.mode';
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** Narrower than this, split view has no room: the panel opens in edit view. */
const SPLIT_MIN_PX = 900;

const when = iso => (iso ? timeFormat.format(new Date(iso)) : '');
const KIND = { edit: 'edited', merge: 'merged', restore: 'restored' };

function initialMode() {
  const chosen = localStorage.getItem(MODE_KEY);
  if (MODES.some(([mode]) => mode === chosen)) {
    return chosen;
  }
  return window.innerWidth >= SPLIT_MIN_PX ? 'split' : 'edit';
}

/** The chat header's button: opens (or closes) the chat's note; a dot while it changed since the user last read it. */
export function NotesButton({ chatId }) {
  useRow(client.notes.table, chatId);
  const open = useSlice(client.notes.panel, state => state.target?.chatId === chatId);
  const changed = client.notes.changedSinceRead(chatId);
  return h('button', {
    class: `notes-button${open ? ' active' : ''}`, 'aria-pressed': String(open),
    'aria-label': changed ? 'Notes, changed since you last read them' : 'Notes', title: 'Notes',
    'data-changed': String(changed),
    onClick: () => (open ? client.notes.hidePanel() : client.notes.showPanel({ chatId })),
  },
  h(Icon, { name: 'note' }), h('span', { class: 'notes-button-label' }, 'Notes'),
  changed && h('span', { class: 'notes-dot', 'aria-hidden': 'true' }));
}

/** The notes panel of whatever note is shown: the open chat's (closed when another chat opens) or the personal one. */
export function NotesPanelHost() {
  const target = useSlice(client.notes.panel, state => state.target);
  const activeChatId = useSlice(client.chats.selection, state => state.activeChatId);
  const workspaceId = useSlice(client.session.slice, state => state.workspaceId);
  const shown = !!target
    && (target.chatId ? target.chatId === activeChatId : !!workspaceId && target.workspaceId === workspaceId);
  useEffect(() => {
    if (target && !shown) {
      client.notes.hidePanel(); // another chat or workspace was opened
    }
  }, [target, shown]);
  if (!shown) {
    return null;
  }
  return h(NotesPanel, { key: client.notes.keyOf(target), target });
}

function ChatNoteTitle({ chatId }) {
  const chat = useRow(client.chats.table, chatId);
  const title = useChatTitle(chat);
  return h(Fragment, null, 'Notes · ', chat?.kind === 'channel' ? `#${title}` : title);
}

function EditingLine({ chatId }) {
  useRow(client.notes.table, chatId);
  const [, tick] = useState(0);
  const text = client.notes.editingText(chatId);
  useEffect(() => {
    if (!text) return undefined;
    const timer = setInterval(() => tick(n => n + 1), 5_000); // an editor whose repeats stopped drops out
    return () => clearInterval(timer);
  }, [text]);
  return h('p', { class: 'notes-editing', 'aria-live': 'polite' }, text);
}

function SaveState({ state }) {
  const text = {
    idle: state.note?.version ? `Version ${state.note.version}` : 'Not saved yet',
    unsaved: 'Unsaved changes',
    saving: 'Saving…',
    saved: 'Saved',
    failed: 'Not saved',
  }[state.save];
  return h('span', { class: `notes-save ${state.save}`, role: 'status', 'data-save': state.save }, text);
}

/** Puts text on the clipboard; where the Clipboard API is not allowed, through a selected text area. */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}

/** A text's lines, those not in the other text marked by a sign and a word (not by colour alone). */
function MarkedLines({ text, other }) {
  const others = new Set(other.split('\n'));
  return h('pre', { tabindex: 0 }, text.split('\n').map((line, i) => {
    const differs = !others.has(line);
    return h('div', { key: i, class: `conflict-line${differs ? ' differs' : ''}` },
      h('span', { class: 'diff-sign', 'aria-hidden': 'true' }, differs ? '▸' : ' '),
      differs && h('span', { class: 'visually-hidden' }, 'differs: '),
      line || '\u00a0');
  }));
}

/** Someone else changed the same lines: their note beside my text, and the three ways out, none of which loses text. */
function ConflictView({ editor, conflict }) {
  const [copied, setCopied] = useState(null);
  const [busy, setBusy] = useState(false);
  const who = client.people.displayName(conflict.theirs.lastEditedBy);
  const heading = useRef(null);
  useEffect(() => heading.current?.focus(), []);
  const keepMine = async () => {
    setBusy(true);
    try {
      await editor.keepMine();
    } finally {
      setBusy(false);
    }
  };
  return h('section', { class: 'notes-conflict', 'aria-labelledby': 'notes-conflict-title' },
    h('h3', { id: 'notes-conflict-title', tabindex: -1, ref: heading }, 'Your changes overlap someone else\'s'),
    h('p', null, `${who} saved version ${conflict.theirs.version} with changes to the same lines while you were `
      + 'editing. Nothing was overwritten. Choose what to keep:'),
    h('div', { class: 'notes-conflict-texts' },
      h('figure', { class: 'notes-conflict-text theirs' },
        h('figcaption', null, `Their version (${conflict.theirs.version}, by ${who})`),
        h(MarkedLines, { text: conflict.theirs.content, other: conflict.mine })),
      h('figure', { class: 'notes-conflict-text mine' },
        h('figcaption', null, 'Your text (not saved)'),
        h(MarkedLines, { text: conflict.mine, other: conflict.theirs.content }))),
    h('p', { class: 'muted small' }, '▸ marks the lines that differ between the two.'),
    h('div', { class: 'notes-conflict-actions' },
      h('button', { class: 'primary', disabled: busy, onClick: keepMine, 'data-choice': 'keep-mine' },
        'Keep mine (as a new version)'),
      h('button', { class: 'secondary', disabled: busy, onClick: editor.takeTheirs, 'data-choice': 'take-theirs' },
        'Take theirs'),
      h('button', {
        class: 'secondary', 'data-choice': 'copy-mine',
        onClick: async () => setCopied(await copyText(conflict.mine) ? 'Your text is on the clipboard.'
          : 'Copying was not allowed: select your text above and copy it.'),
      }, 'Copy my text')),
    h('p', { class: 'muted small', role: 'status' },
      copied || 'Keeping yours stores it on top of theirs: their version stays in the history.'));
}

const lineRange = (first, count) => (count > 1 ? `${first}–${first + count - 1}` : `${first}`);

/** One revision's changes up to the current text: every line marked by a sign and a word, not by colour alone. */
function DiffView({ diff, version }) {
  if (!diff.hunks.length) {
    return h('p', { class: 'muted' }, `Version ${version} has the same text as the current note.`);
  }
  const sign = { added: '+', removed: '−', context: ' ' };
  const word = { added: 'added: ', removed: 'removed: ', context: '' };
  const label = `Changes from version ${version} to the current note`;
  return h('div', { class: 'notes-diff', role: 'region', 'aria-label': label },
    h('p', { class: 'muted small' }, `− lines are in version ${version} only; + lines are in the current note only.`),
    diff.hunks.map((hunk, i) => h('div', { class: 'notes-hunk', key: i },
      h('div', { class: 'notes-hunk-head' },
        `Lines ${lineRange(hunk.fromLine, hunk.fromCount)} of version ${version}, `
        + `${lineRange(hunk.toLine, hunk.toCount)} now`),
      h('pre', null, hunk.lines.map((line, j) => h('div', { class: `diff-line ${line.op}`, key: j, 'data-op': line.op },
        h('span', { class: 'diff-sign', 'aria-hidden': 'true' }, sign[line.op]),
        h('span', { class: 'visually-hidden' }, word[line.op]),
        line.text || '\u00a0'))))));
}

/** The history: every kept version (who, when, how), one of them with its diff to now, and a restore (confirmed). */
function RevisionsView({ editor, state, readOnly }) {
  const [error, setError] = useState(null);
  useEffect(() => {
    editor.loadRevisions().catch(failure => setError(failure.message));
  }, []);
  const view = version => editor.viewRevision(version).catch(failure => setError(failure.message));
  // The app's confirmation dialog runs the restore and shows a failure in place (Esc closes it, not the panel).
  const restore = version => askConfirm({
    title: `Restore version ${version}?`, confirm: 'Restore',
    text: `The text of version ${version} becomes the note's newest version. The current text stays in the history, `
      + 'so this can be undone by restoring it.',
    run: () => editor.restore(version),
  });
  const viewing = state.viewing;
  const current = state.note?.version;
  return h('section', { class: 'notes-revisions', 'aria-label': 'Revisions' },
    error && h('p', { class: 'form-error', role: 'alert' }, error),
    !state.revisions && !error && h('p', { class: 'muted', role: 'status' }, 'Loading revisions…'),
    state.revisions && state.revisions.length === 0 && h('p', { class: 'muted' }, 'No one has saved this note yet.'),
    state.revisions && h('ol', { class: 'notes-revision-list' }, state.revisions.map(revision => h('li', {
      key: revision.version,
    },
      h('button', {
        class: `notes-revision${viewing?.revision.version === revision.version ? ' selected' : ''}`,
        'aria-current': viewing?.revision.version === revision.version ? 'true' : undefined,
        'data-version': revision.version,
        onClick: () => view(revision.version),
      },
      h('span', { class: 'notes-revision-version' }, `v${revision.version}`),
      h('span', { class: 'notes-revision-who' }, client.people.displayName(revision.editedBy)),
      h('time', { datetime: revision.createdAt }, when(revision.createdAt)),
      h('span', { class: `notes-revision-kind ${revision.kind}` },
        revision.kind === 'restore' && revision.restoredFrom ? `restored v${revision.restoredFrom}`
          : KIND[revision.kind] || revision.kind),
      revision.version === current && h('span', { class: 'notes-revision-current' }, 'current'))))),
    viewing && h('div', { class: 'notes-revision-view' },
      h('div', { class: 'notes-revision-view-head' },
        h('h3', null, `Version ${viewing.revision.version}`),
        !readOnly && viewing.revision.version !== current && h('button', {
          class: 'secondary', onClick: () => restore(viewing.revision.version), 'data-action': 'restore',
        }, 'Restore this version'),
        h('button', { class: 'link', onClick: editor.closeRevision }, 'Close')),
      h(DiffView, { diff: viewing.diff, version: viewing.revision.version })));
}

/** The text area: the editor's text, the caret kept where it was when the text is replaced (a merge, a reload). */
function NoteTextarea({ editor, text, readOnly, label }) {
  const area = useRef(null);
  const shown = useRef(text); // what the area showed before this render
  const caret = useRef(0);
  useLayoutEffect(() => {
    const el = area.current;
    if (el && shown.current !== text && document.activeElement === el) {
      const at = caretAfterReplace(shown.current, text, caret.current);
      el.setSelectionRange(at, at);
    }
    shown.current = text;
  }, [text]);
  const remember = event => {
    caret.current = event.currentTarget.selectionStart;
  };
  return h('textarea', {
    ref: area, class: 'notes-textarea', value: text, readOnly, spellcheck: true, 'aria-label': label,
    placeholder: readOnly ? '' : 'Write in markdown: # headings, **bold**, lists, [links](https://…)',
    onInput: event => {
      remember(event);
      shown.current = event.currentTarget.value;
      editor.edit(event.currentTarget.value);
    },
    onSelect: remember, onKeyUp: remember, onClick: remember,
  });
}

/** One note in the panel: its editor made when the panel opens, closed (saving what is left) when it closes. */
function NotesPanel({ target }) {
  const editor = useMemo(() => client.notes.open(target), []);
  const state = useSlice(editor.slice, s => s);
  const me = useMe();
  const chatReadOnly = useSlice(client.chats.table, rows => !!(target.chatId && rows.get(target.chatId)?.archived));
  const readOnly = chatReadOnly || state.readOnly;
  const [mode, setMode] = useState(initialMode);
  const [history, setHistory] = useState(false);
  const panel = useRef(null);

  useEffect(() => {
    const before = document.activeElement;
    editor.load();
    return () => {
      editor.close().catch(error => client.notices.fail(error));
      if (before?.isConnected) before.focus();
    };
  }, []);
  useEffect(() => {
    editor.setEditing(state.status === 'ready' && !readOnly && !history && mode !== 'preview' && !state.conflict);
  }, [state.status, readOnly, history, mode, state.conflict]);
  useEffect(() => {
    // Leaving the page with edits not saved yet: they are sent at once, and the browser asks to stay meanwhile.
    const onLeave = event => {
      if (editor.isDirty()) {
        editor.save();
        event.preventDefault();
      }
    };
    window.addEventListener('beforeunload', onLeave);
    return () => window.removeEventListener('beforeunload', onLeave);
  }, []);
  useEffect(() => {
    if (state.status === 'ready') {
      panel.current?.querySelector('.notes-textarea, .notes-preview')?.focus();
    }
  }, [state.status]);

  const chooseMode = next => {
    setMode(next);
    localStorage.setItem(MODE_KEY, next);
  };
  const onKeyDown = event => {
    if (event.key === 'Escape' && !event.defaultPrevented && !panel.current.querySelector('.modal')) {
      event.preventDefault();
      client.notes.hidePanel();
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault(); // the browser's "save page": saves the note now instead
      editor.save();
    }
  };

  const title = target.chatId ? h(ChatNoteTitle, { chatId: target.chatId }) : 'Personal note';
  const who = state.note?.lastEditedBy ? client.people.displayName(state.note.lastEditedBy) : null;
  let body;
  if (state.status === 'loading') {
    body = h('p', { class: 'muted notes-loading', role: 'status' }, 'Loading the note…');
  } else if (state.status === 'failed') {
    body = h('div', { class: 'notes-failed', role: 'alert' },
      h('p', null, `The note could not be read: ${state.loadError}`),
      h('button', { class: 'secondary', onClick: editor.load }, 'Try again'));
  } else if (state.conflict) {
    body = h(ConflictView, { editor, conflict: state.conflict });
  } else if (history) {
    body = h(RevisionsView, { editor, state, readOnly });
  } else {
    const label = target.chatId ? 'Note text (markdown)' : 'Personal note text (markdown)';
    body = h('div', { class: `notes-body ${mode}` },
      mode !== 'preview' && h(NoteTextarea, { editor, text: state.text, readOnly, label }),
      mode !== 'edit' && h('div', {
        class: 'notes-preview content', tabindex: 0, role: 'document', 'aria-label': 'Preview',
        dangerouslySetInnerHTML: { __html: renderMarkdown(state.text, me?.username) },
      }));
  }

  return h('aside', {
    class: 'notes-panel', ref: panel, 'aria-label': target.chatId ? 'Chat notes' : 'Personal note', onKeyDown,
    'data-note': target.chatId ? 'chat' : 'personal',
  },
  h('header', { class: 'notes-header' },
    h('h2', null, title),
    h('button', {
      class: 'icon-button', 'aria-label': 'Close notes', title: 'Close (Esc)', onClick: client.notes.hidePanel,
    }, h(Icon, { name: 'close' }))),
  h('div', { class: 'notes-toolbar' },
    h('div', { class: 'notes-modes', role: 'group', 'aria-label': 'View' },
      MODES.map(([value, text]) => h('button', {
        class: `notes-mode${!history && mode === value ? ' active' : ''}`,
        'aria-pressed': String(!history && mode === value),
        'data-mode': value, onClick: () => {
          setHistory(false);
          chooseMode(value);
        },
      }, text)),
      h('button', {
        class: `notes-mode${history ? ' active' : ''}`, 'aria-pressed': String(history), 'data-mode': 'history',
        onClick: () => setHistory(!history),
      }, 'History')),
    state.status === 'ready' && h(SaveState, { state })),
  h('div', { class: 'notes-meta' },
    target.chatId && h(EditingLine, { chatId: target.chatId }),
    who && h('p', { class: 'muted small' }, `Last edited by ${who}, ${when(state.note.updatedAt)}`),
    readOnly && h('p', { class: 'notes-readonly' }, 'Read only: this chat is archived.')),
  state.save === 'failed' && state.saveError && h('div', { class: 'notes-error', role: 'alert' },
    `Your changes were not saved: ${state.saveError}`,
    !readOnly && h('button', { class: 'link', onClick: editor.save }, 'Try again')),
  state.merged && !state.conflict && h('div', { class: 'notes-merged', role: 'status' },
    h('span', null, h('strong', null, 'Merged: '),
      'someone else changed other lines of this note while you were editing. Their changes and yours are both in '
      + `the text now (version ${state.merged}).`),
    h('button', { class: 'icon-button small', 'aria-label': 'Dismiss', onClick: editor.dismissMerged },
      h(Icon, { name: 'close', size: 14 }))),
  body);
}
