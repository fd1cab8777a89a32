// The notes slice: what the client knows of notes without opening them: each chat note's latest version (for the
// "changed since you read it" dot), who is editing it now ("Alice is editing"), and the personal note's version per
// workspace (saved on another device). The notes panel reads and saves notes through the API.

import { EVENT, SCOPE } from '../protocol.js';
import { createTable } from './slice.js';

/** The last version of each chat's note this user has read, kept across reloads (per user, in storage). */
const SEEN_KEY = userId => `ocomms.notes.seen.${userId}`;

/**
 * @param deps.router where this slice claims note.updated, note.editing and note.personal.updated
 * @param deps.session whose client this is (one's own edits are not news, nor one's own editing)
 * @param deps.people names of those editing
 * @param deps.storage where read versions are kept
 * @param deps.now the clock
 */
export function createNotes({ router, session, people, storage, now = Date.now }) {
  const table = createTable('notes'); // chatId | `workspace ${workspaceId}` -> {version, seenVersion, editors}
  const expiries = new Map(); // `${chatId} ${userId}` -> timer

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
  }

  return { table, markRead, changedSinceRead, editingText, clear };
}
