// The notes slice: what the client knows of notes without opening them: each chat note's latest version (for the
// "changed since you read it" dot), who is editing it now ("Alice is editing"), and the personal note's version per
// workspace (saved on another device); and the editor of the note open in the notes panel (`open`): its text,
// autosaved after a pause, merges and conflicts, "is editing" sent while it is edited, and its revisions.

import { ERROR, EVENT, REASON, REQUEST, SCOPE } from '../protocol.js';
import { createSlice, createTable } from './slice.js';

/** How long the user stops typing before the note is saved. */
export const AUTOSAVE_IDLE_MS = 1_500;
/** How often "is editing" is repeated while the note is open for editing (the server forgets it after a while). */
export const EDITING_REPEAT_MS = 10_000;

/** The last version of each chat's note this user has read, kept across reloads (per user, in storage). */
const SEEN_KEY = userId => `ocomms.notes.seen.${userId}`;

/**
 * @param deps.router where this slice claims note.updated, note.editing and note.personal.updated
 * @param deps.session whose client this is (one's own edits are not news, nor one's own editing)
 * @param deps.people names of those editing
 * @param deps.storage where read versions are kept
 * @param deps.now the clock
 */
export function createNotes({ api, bus, router, session, people, connection, storage, clock = globalThis,
  now = Date.now }) {
  const table = createTable('notes'); // chatId | `workspace ${workspaceId}` -> {version, seenVersion, editors}
  // The note shown in the notes panel: `{chatId}`, `{workspaceId}` (the personal note), or null.
  const panel = createSlice('notesPanel', { target: null });
  const expiries = new Map(); // `${chatId} ${userId}` -> timer
  // Text a closed editor could not save (a conflict, a failure): the note's next editor starts from it.
  const drafts = new Map(); // key -> {text, basedOn}

  function seenVersions() {
    try {
      return JSON.parse(storage?.getItem(SEEN_KEY(session.me())) || '{}');
    } catch {
      return {};
    }
  }

  function row(key) {
    return table.get(key) || { version: 0, seenVersion: seenVersions()[key] || 0, editors: [] };
  }

  function heardVersion(key, version, byMe) {
    const current = row(key);
    if (version > current.version) {
      table.put(key, { ...current, version, seenVersion: byMe ? version : current.seenVersion });
    }
  }

  function stopEditing(chatId, userId) {
    clearTimeout(expiries.get(`${chatId} ${userId}`));
    expiries.delete(`${chatId} ${userId}`);
    table.update(chatId, current => (current.editors.some(editor => editor.userId === userId)
      ? { ...current, editors: current.editors.filter(editor => editor.userId !== userId) } : current));
  }

  router.own(SCOPE.CHAT, EVENT.NOTE_UPDATED, 'notes', (event, chatId) => {
    heardVersion(chatId, event.version, event.editedBy === session.me());
  });
  router.own(SCOPE.CHAT, EVENT.NOTE_EDITING, 'notes', (event, chatId) => {
    if (event.userId === session.me()) {
      return;
    }
    if (!event.active) {
      stopEditing(chatId, event.userId);
      return;
    }
    const current = row(chatId);
    const editors = current.editors.filter(editor => editor.userId !== event.userId);
    table.put(chatId, { ...current, editors: [...editors, { userId: event.userId, until: now() + event.expiresInMs }] });
    const key = `${chatId} ${event.userId}`;
    clearTimeout(expiries.get(key));
    expiries.set(key, setTimeout(() => stopEditing(chatId, event.userId), event.expiresInMs));
  });
  router.own(SCOPE.USER, EVENT.PERSONAL_NOTE_UPDATED, 'notes', event => {
    heardVersion(`workspace ${event.workspaceId}`, event.version, false);
  });

  /** The user read the note at `version` (opened it, or saved it): no dot until a newer one. */
  function markRead(chatId, version) {
    const current = row(chatId);
    if (version > current.seenVersion || version > current.version) {
      table.put(chatId, { ...current, version: Math.max(version, current.version), seenVersion: version });
      const seen = seenVersions();
      seen[chatId] = version;
      storage?.setItem(SEEN_KEY(session.me()), JSON.stringify(seen));
    }
  }

  /** Whether the chat's note changed since the user last read it (a version they have not seen). */
  function changedSinceRead(chatId) {
    const current = table.get(chatId);
    return Boolean(current && current.version > current.seenVersion);
  }

  /** "Alice is editing", "Alice and Bob are editing", or ''. */
  function editingText(chatId) {
    const names = (table.get(chatId)?.editors || []).filter(editor => editor.until > now())
      .map(editor => people.displayName(editor.userId));
    if (names.length === 0) {
      return '';
    }
    return names.length === 1 ? `${names[0]} is editing` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are editing`;
  }

  function clear() {
    expiries.forEach(timer => clearTimeout(timer));
    expiries.clear();
    table.clear();
    drafts.clear();
    panel.set({ target: null });
  }

  /** The key of a note in the table: its chat, or `workspace <id>` for the personal note. */
  const keyOf = target => (target.chatId ? target.chatId : `workspace ${target.workspaceId}`);

  /** The editor of one note (`{chatId}` or `{workspaceId}`): see createNoteEditor. */
  function open(target) {
    return createNoteEditor({
      target, api, bus, connection, clock,
      markRead: version => markRead(keyOf(target), version),
      drafts: {
        take: () => {
          const draft = drafts.get(keyOf(target));
          drafts.delete(keyOf(target));
          return draft;
        },
        keep: draft => drafts.set(keyOf(target), draft),
      },
      // A newer version saved by someone else (or this user elsewhere): `listener(version)`.
      onNewVersion: listener => table.subscribeKey(keyOf(target),
        () => listener(table.get(keyOf(target))?.version || 0)),
    });
  }

  /**
   * Where the notes of these chats stand (`notes.versions`), so that a note saved while the user was away shows its
   * dot too; one's own last save is not news. Asked once the chat list is loaded.
   */
  async function loadVersions(chatIds) {
    if (chatIds.length === 0 || !connection?.isOpen()) {
      return;
    }
    const answer = await bus.request(REQUEST.NOTES_VERSIONS, { chatIds });
    Object.entries(answer?.notes || {}).forEach(([chatId, note]) => {
      heardVersion(chatId, note.version, note.lastEditedBy === session.me());
    });
  }

  return {
    table, panel, markRead, changedSinceRead, editingText, clear, open, keyOf, loadVersions,
    showPanel: target => panel.set({ target }),
    hidePanel: () => panel.set({ target: null }),
  };
}

/** The note of an answer: the server answers with the note's fields (`{note}` in docs/protocol.md's table). */
const noteOf = answer => answer?.note || answer;

/**
 * Where the caret goes when the text under it is replaced (a merge, a reload): where it was if the text before it did
 * not change; the same distance from the end if only text before it changed; else the end of the common beginning.
 */
export function caretAfterReplace(before, after, caret) {
  let prefix = 0;
  const shortest = Math.min(before.length, after.length);
  while (prefix < shortest && before[prefix] === after[prefix]) {
    prefix += 1;
  }
  if (caret <= prefix) {
    return caret;
  }
  let suffix = 0;
  while (suffix < shortest - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) {
    suffix += 1;
  }
  if (caret >= before.length - suffix) {
    return after.length - (before.length - caret);
  }
  return prefix;
}

/**
 * One open note. `slice.state`:
 * - `status`: `loading`, `ready` or `failed` (`loadError`);
 * - `note`: the note as last read or saved (`content`, `version`, `lastEditedBy`, `updatedAt`);
 * - `text`: what the editor shows; `basedOn`: the version it was written from (what a save names);
 * - `save`: `idle` (nothing to save), `unsaved` (waiting for a pause), `saving`, `saved`, `failed` (`saveError`);
 * - `merged`: the version a save of the user's was merged into, with someone else's changes (until dismissed);
 * - `conflict`: `{theirs, mine}` when a save overlapped someone else's: nothing is saved until the user chooses;
 * - `readOnly`: the chat is archived;
 * - `revisions`, `viewing` (`{revision, diff}`): the history, when asked for.
 *
 * An edit is saved after AUTOSAVE_IDLE_MS without another, and on `close`. One save at a time: edits made while one is
 * on its way are saved after it. A newer version heard while there is nothing to save is read in; with edits, the
 * next save merges them with it on the server.
 */
export function createNoteEditor({ target, api, bus, connection, clock = globalThis, markRead = () => {},
  onNewVersion = () => () => {}, drafts = { take: () => undefined, keep: () => {} } }) {
  const slice = createSlice('note', {
    status: 'loading', loadError: null, note: null, text: '', basedOn: 0, save: 'idle', saveError: null,
    merged: false, conflict: null, readOnly: false, revisions: null, viewing: null,
  });
  let autosave = null;
  let inFlight = null; // the save on its way
  let editingTimer = null;
  let editing = false;
  let closed = false;

  const state = () => slice.state;
  const dirty = () => state().note !== null && state().text !== state().note.content;

  function cancelAutosave() {
    if (autosave !== null) {
      clock.clearTimeout(autosave);
      autosave = null;
    }
  }

  function saveAfterPause() {
    cancelAutosave();
    autosave = clock.setTimeout(() => {
      autosave = null;
      save();
    }, AUTOSAVE_IDLE_MS);
  }

  /** Reads the note (again): the editor shows it, unless the user has edits (then the next save merges them). */
  async function load() {
    try {
      const note = noteOf(await api.rest.note(target));
      if (closed || dirty() || inFlight) {
        return;
      }
      slice.set({ status: 'ready', loadError: null, note, text: note.content, basedOn: note.version,
        save: 'idle' });
      markRead(note.version);
      const draft = drafts.take();
      if (draft && draft.text !== note.content) {
        // Left unsaved by the last editor of this note: saved again from where it was written (merged, or the
        // conflict shown again).
        slice.set({ text: draft.text, basedOn: draft.basedOn, save: 'unsaved' });
        saveAfterPause();
      }
    } catch (error) {
      if (state().status === 'loading') {
        slice.set({ status: 'failed', loadError: error.message });
      }
    }
  }

  /** The user changed the text: saved after a pause. */
  function edit(text) {
    if (state().status !== 'ready' || state().readOnly || state().conflict || text === state().text) {
      return;
    }
    slice.set({ text, save: text === state().note.content && !inFlight ? 'idle' : 'unsaved', saveError: null });
    saveAfterPause();
  }

  /** Saves the text now if it has changes (after the save on its way, if there is one). */
  async function save() {
    cancelAutosave();
    if (inFlight) {
      await inFlight.catch(() => {});
      return dirty() && !state().conflict ? save() : undefined;
    }
    if (!dirty() || state().conflict || state().readOnly) {
      return undefined;
    }
    inFlight = send(state().text, state().basedOn);
    try {
      await inFlight;
    } finally {
      inFlight = null;
    }
    // Edits made meanwhile wait for their own pause, unless the editor was closed (then they go now).
    if (closed && dirty() && !state().conflict) {
      return save();
    }
    return undefined;
  }

  async function send(text, basedOn) {
    slice.set({ save: 'saving', saveError: null });
    try {
      const answer = await api.rest.saveNote(target, text, basedOn);
      const note = noteOf(answer);
      const typedMeanwhile = state().text !== text;
      slice.set({
        note,
        // Someone else's changes came in with the merge: the editor shows them (unless the user typed meanwhile:
        // then their text, still written from `basedOn`, is merged with this version by the next save).
        text: typedMeanwhile ? state().text : note.content,
        basedOn: typedMeanwhile && answer.merged ? basedOn : note.version,
        save: typedMeanwhile ? 'unsaved' : 'saved',
        merged: answer.merged ? note.version : state().merged,
      });
      markRead(note.version);
    } catch (error) {
      if (error.code === ERROR.CONFLICT && error.problem?.note) {
        slice.set({ save: 'idle', conflict: { theirs: error.problem.note, mine: state().text } });
      } else if (error.code === ERROR.FORBIDDEN && error.problem?.reason === REASON.CHAT_ARCHIVED) {
        slice.set({ save: 'failed', readOnly: true,
          saveError: 'This chat is archived: its note can no longer be changed.' });
      } else {
        slice.set({ save: 'failed', saveError: error.message });
      }
    }
  }

  /** The conflict: my text goes in on top of theirs, as a new revision (theirs stays in the history). */
  function keepMine() {
    const { conflict } = state();
    if (!conflict) {
      return Promise.resolve();
    }
    slice.set({ conflict: null, note: conflict.theirs, basedOn: conflict.theirs.version, text: conflict.mine });
    return save();
  }

  /** The conflict: their note replaces my text (mine can be copied first: `conflict.mine`). */
  function takeTheirs() {
    const { conflict } = state();
    if (!conflict) {
      return;
    }
    slice.set({ conflict: null, note: conflict.theirs, basedOn: conflict.theirs.version, text: conflict.theirs.content,
      save: 'idle' });
    markRead(conflict.theirs.version);
  }

  function sendEditing(active) {
    if (target.chatId && connection.isOpen()) {
      bus.request(REQUEST.NOTES_EDITING, { chatId: target.chatId, active }).catch(() => {});
    }
  }

  /** While the note is open for editing, the chat hears that the user edits it (a personal note has no one to tell). */
  function setEditing(active) {
    if (active === editing || (active && closed)) {
      return;
    }
    editing = active;
    clock.clearTimeout(editingTimer);
    editingTimer = null;
    if (active) {
      const repeat = () => {
        sendEditing(true);
        editingTimer = clock.setTimeout(repeat, EDITING_REPEAT_MS);
      };
      repeat();
    } else {
      sendEditing(false);
    }
  }

  async function loadRevisions() {
    const { revisions } = await api.rest.noteRevisions(target);
    slice.set({ revisions });
    return revisions;
  }

  async function viewRevision(version) {
    const { revision, diff } = await api.rest.noteRevision(target, version);
    slice.set({ viewing: { revision, diff } });
  }

  /** A revision's text becomes the note's next version; the user's edits are saved first (they stay in the history). */
  async function restore(version) {
    await save();
    if (state().conflict) {
      return; // the edits overlap someone else's: the user chooses first (the conflict view), nothing is replaced
    }
    const note = noteOf(await api.rest.restoreNote(target, version));
    cancelAutosave();
    slice.set({ note, text: note.content, basedOn: note.version, save: 'saved', viewing: null, conflict: null });
    markRead(note.version);
    await loadRevisions();
  }

  const unsubscribe = onNewVersion(version => {
    if (state().note && version > state().note.version && !dirty() && !inFlight && !state().conflict) {
      load();
    }
  });

  /**
   * The panel closes: edits not saved yet are saved now, and the chat hears that the user stopped editing. Text that
   * cannot be saved (a conflict, a failure) is kept for the note's next editor: closing the panel loses nothing.
   */
  async function close() {
    setEditing(false);
    closed = true;
    unsubscribe();
    await save();
    if (dirty()) {
      drafts.keep({ text: state().text, basedOn: state().basedOn });
    }
  }

  return {
    slice, load, edit, save, keepMine, takeTheirs, setEditing, loadRevisions, viewRevision, restore, close,
    dismissMerged: () => slice.set({ merged: false }),
    closeRevision: () => slice.set({ viewing: null }),
    isDirty: dirty,
  };
}
