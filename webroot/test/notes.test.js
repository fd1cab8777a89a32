import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALICE, BOB, channel, connectedClient, fakeClock, settle } from '../testing/fakes.js';
import { AUTOSAVE_IDLE_MS, EDITING_REPEAT_MS, caretAfterReplace } from '../js/store/notes.js';

const GENERAL = 'c-general';
const updated = (version, editedBy) => ({ type: 'note.updated', chatId: GENERAL, version, editedBy,
  updatedAt: '2026-12-07T10:00:00.000Z' });
const editing = (userId, active) => ({ type: 'note.editing', chatId: GENERAL, userId, active, expiresInMs: 15_000 });

describe('notes', () => {
  test('a note saved by someone else is marked changed until the user reads that version', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, updated(3, ALICE.id));
    assert.equal(client.notes.changedSinceRead(GENERAL), true);
    client.notes.markRead(GENERAL, 3);
    assert.equal(client.notes.changedSinceRead(GENERAL), false);
    bus.publish(`chat.${GENERAL}`, updated(4, BOB.id));
    assert.equal(client.notes.changedSinceRead(GENERAL), true);
  });

  test('the user\'s own save is not news, and a version read is remembered across a reload', async t => {
    const { client, bus, storage } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, updated(2, 'u-me'));
    assert.equal(client.notes.changedSinceRead(GENERAL), false);
    client.notes.markRead(GENERAL, 5);

    const again = await connectedClient(t, { chats: [channel(GENERAL, 'general')], storage });
    again.bus.publish(`chat.${GENERAL}`, updated(5, ALICE.id));
    assert.equal(again.client.notes.changedSinceRead(GENERAL), false);
  });

  test('a note saved while the user was away shows its dot once the chat list is loaded; one\'s own save does not', async t => {
    const chats = [channel(GENERAL, 'general'), channel('c-random', 'random')];
    const { client, bus } = await connectedClient(t, { chats, connect: false });
    bus.answer('notes.versions', () => ({ notes: {
      [GENERAL]: { version: 3, lastEditedBy: ALICE.id },
      'c-random': { version: 2, lastEditedBy: 'u-me' },
    } }));
    bus.open();
    await settle();

    assert.deepEqual([...bus.sent('notes.versions')[0].chatIds].sort(), ['c-general', 'c-random']);
    assert.equal(client.notes.changedSinceRead(GENERAL), true);
    assert.equal(client.notes.changedSinceRead('c-random'), false);
  });

  test('shows who is editing, and stops when they close the note', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, editing(ALICE.id, true));
    assert.equal(client.notes.editingText(GENERAL), 'Alice is editing');
    bus.publish(`chat.${GENERAL}`, editing(BOB.id, true));
    assert.equal(client.notes.editingText(GENERAL), 'Alice and Bob are editing');
    bus.publish(`chat.${GENERAL}`, editing(ALICE.id, false));
    bus.publish(`chat.${GENERAL}`, editing(BOB.id, false));
    assert.equal(client.notes.editingText(GENERAL), '');
  });

  test('the user\'s own editing is not shown to them', async t => {
    const { client, bus } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    bus.publish(`chat.${GENERAL}`, editing('u-me', true));
    assert.equal(client.notes.editingText(GENERAL), '');
  });
});

/** The notes REST API as the server answers it, played by the test: answers `saveNote` with `onSave(body)`. */
function noteServer(api, { content = 'first line\nsecond line\n', version = 3 } = {}) {
  const server = {
    note: { chatId: GENERAL, content, version, lastEditedBy: ALICE.id, updatedAt: '2026-12-07T10:00:00.000Z' },
    saves: [],
    reads: 0,
    onSave: null,
  };
  const stored = text => {
    server.note = { ...server.note, content: text, version: server.note.version + 1, lastEditedBy: 'u-me' };
    return server.note;
  };
  api.rest.note = async () => {
    server.reads += 1;
    return server.note;
  };
  api.rest.saveNote = async (target, text, expectedVersion) => {
    server.saves.push({ target, content: text, expectedVersion });
    if (server.onSave) {
      return server.onSave({ content: text, expectedVersion }, stored);
    }
    return { ...stored(text), merged: false };
  };
  return server;
}

/** A 409 as api.js throws it: the problem document carries the current note. */
function conflictWith(note) {
  return Object.assign(new Error('the note was changed on the same lines'), {
    status: 409, code: 'conflict', problem: { code: 'conflict', note },
  });
}

async function openEditor(t, options) {
  const clock = fakeClock();
  const connected = await connectedClient(t, { chats: [channel(GENERAL, 'general')], clock });
  const server = noteServer(connected.api, options);
  const editor = connected.client.notes.open({ chatId: GENERAL });
  t.after(() => editor.close());
  await editor.load();
  return { ...connected, clock, server, editor, state: () => editor.slice.state };
}

describe('the note editor', () => {
  test('saves once after a pause in typing, naming the version the text was written from', async t => {
    const { editor, server, clock, state } = await openEditor(t);
    editor.edit('first line!\nsecond line\n');
    await clock.advance(500);
    editor.edit('first line!!\nsecond line\n');
    await clock.advance(AUTOSAVE_IDLE_MS - 1);
    assert.equal(server.saves.length, 0);
    assert.equal(state().save, 'unsaved');

    await clock.advance(1);
    assert.deepEqual(server.saves, [{ target: { chatId: GENERAL }, content: 'first line!!\nsecond line\n',
      expectedVersion: 3 }]);
    assert.equal(state().save, 'saved');
    assert.equal(state().basedOn, 4);
  });

  test('a save merged with someone else\'s changes shows the merged text and says so', async t => {
    const { editor, server, clock, state } = await openEditor(t);
    server.onSave = (body, stored) => ({ ...stored('first line (me)\nsecond line (Alice)\n'), merged: true });
    editor.edit('first line (me)\nsecond line\n');
    await clock.advance(AUTOSAVE_IDLE_MS);
    assert.equal(state().text, 'first line (me)\nsecond line (Alice)\n');
    assert.equal(state().merged, 4, 'merged into version 4');
    assert.equal(state().basedOn, 4);
    assert.equal(state().conflict, null);
  });

  test('an overlapping save shows both texts and saves nothing more until the user chooses', async t => {
    const { editor, server, clock, state } = await openEditor(t);
    const theirs = { ...server.note, content: 'first line (Alice)\nsecond line\n', version: 4, lastEditedBy: ALICE.id };
    server.onSave = () => {
      throw conflictWith(theirs);
    };
    editor.edit('first line (me)\nsecond line\n');
    await clock.advance(AUTOSAVE_IDLE_MS);
    assert.deepEqual(state().conflict, { theirs, mine: 'first line (me)\nsecond line\n' });

    editor.edit('typed over the conflict');
    await clock.advance(AUTOSAVE_IDLE_MS * 3);
    assert.equal(server.saves.length, 1);
    assert.equal(state().text, 'first line (me)\nsecond line\n');
  });

  test('"keep mine" saves my text on top of their version, as a new revision', async t => {
    const { editor, server, clock, state } = await openEditor(t);
    const theirs = { ...server.note, content: 'first line (Alice)\nsecond line\n', version: 4 };
    server.onSave = () => {
      throw conflictWith(theirs);
    };
    editor.edit('first line (me)\nsecond line\n');
    await clock.advance(AUTOSAVE_IDLE_MS);
    server.note = theirs;
    server.onSave = null;

    await editor.keepMine();
    assert.deepEqual(server.saves.at(-1), { target: { chatId: GENERAL }, content: 'first line (me)\nsecond line\n',
      expectedVersion: 4 });
    assert.equal(state().conflict, null);
    assert.equal(state().note.version, 5);
    assert.equal(state().save, 'saved');
  });

  test('"take theirs" puts their note in the editor and saves nothing', async t => {
    const { editor, server, clock, state } = await openEditor(t);
    const theirs = { ...server.note, content: 'first line (Alice)\nsecond line\n', version: 4 };
    server.onSave = () => {
      throw conflictWith(theirs);
    };
    editor.edit('first line (me)\nsecond line\n');
    await clock.advance(AUTOSAVE_IDLE_MS);

    editor.takeTheirs();
    await clock.advance(AUTOSAVE_IDLE_MS);
    assert.equal(state().text, theirs.content);
    assert.equal(state().basedOn, 4);
    assert.equal(state().conflict, null);
    assert.equal(server.saves.length, 1);
  });

  test('edits typed while a save is on its way are saved after it, from the version it stored', async t => {
    const { editor, server, clock, state } = await openEditor(t);
    let answer;
    server.onSave = (body, stored) => new Promise(resolve => {
      answer = () => resolve({ ...stored(body.content), merged: false });
    });
    editor.edit('one\n');
    await clock.advance(AUTOSAVE_IDLE_MS);
    editor.edit('one two\n');
    await clock.advance(AUTOSAVE_IDLE_MS);
    assert.equal(server.saves.length, 1, 'one save at a time');

    server.onSave = null;
    answer();
    await clock.advance(AUTOSAVE_IDLE_MS);
    assert.deepEqual(server.saves.map(save => [save.content, save.expectedVersion]), [['one\n', 3], ['one two\n', 4]]);
    assert.equal(state().text, 'one two\n');
    assert.equal(state().save, 'saved');
  });

  test('text that could not be saved when the panel closed comes back in the note\'s next editor', async t => {
    const { client, editor, server, clock, state } = await openEditor(t);
    const theirs = { ...server.note, content: 'first line (Alice)\nsecond line\n', version: 4 };
    server.onSave = () => {
      throw conflictWith(theirs);
    };
    editor.edit('first line (me)\nsecond line\n');
    await clock.advance(AUTOSAVE_IDLE_MS);
    assert.notEqual(state().conflict, null);
    await editor.close();

    const again = client.notes.open({ chatId: GENERAL });
    t.after(() => again.close());
    await again.load();
    assert.equal(again.slice.state.text, 'first line (me)\nsecond line\n');
    await clock.advance(AUTOSAVE_IDLE_MS);
    assert.deepEqual(server.saves.at(-1), { target: { chatId: GENERAL }, content: 'first line (me)\nsecond line\n',
      expectedVersion: 3 });
    assert.deepEqual(again.slice.state.conflict, { theirs, mine: 'first line (me)\nsecond line\n' });
  });

  test('closing saves the edits at once, without waiting for the pause', async t => {
    const { editor, server } = await openEditor(t);
    editor.edit('closing soon\n');
    await editor.close();
    assert.deepEqual(server.saves.map(save => save.content), ['closing soon\n']);
  });

  test('a failed save is shown, and the next edit tries again', async t => {
    const { editor, server, clock, state } = await openEditor(t);
    server.onSave = () => {
      throw Object.assign(new Error('The server cannot be reached'), { status: 0, code: 'network', problem: {} });
    };
    editor.edit('offline edit\n');
    await clock.advance(AUTOSAVE_IDLE_MS);
    assert.equal(state().save, 'failed');
    assert.equal(state().saveError, 'The server cannot be reached');

    server.onSave = null;
    editor.edit('offline edit, again\n');
    await clock.advance(AUTOSAVE_IDLE_MS);
    assert.equal(state().save, 'saved');
    assert.equal(server.note.content, 'offline edit, again\n');
  });

  test('a version saved elsewhere is read in when there is nothing to save, and merged by the next save when there is',
    async t => {
      const { editor, server, bus, clock, state } = await openEditor(t);
      server.note = { ...server.note, content: 'from Alice\n', version: 4 };
      bus.publish(`chat.${GENERAL}`, updated(4, ALICE.id));
      await settle();
      assert.equal(state().text, 'from Alice\n');
      assert.equal(state().basedOn, 4);

      editor.edit('from Alice, and me\n');
      server.note = { ...server.note, content: 'from Alice, twice\n', version: 5 };
      bus.publish(`chat.${GENERAL}`, updated(5, ALICE.id));
      await settle();
      assert.equal(state().text, 'from Alice, and me\n', 'the user\'s edits stay');
      await clock.advance(AUTOSAVE_IDLE_MS);
      assert.equal(server.saves.at(-1).expectedVersion, 4);
    });

  test('a restore saves the user\'s edits first, and replaces nothing when they conflict', async t => {
    const { editor, server, api, state } = await openEditor(t);
    const restores = [];
    api.rest.restoreNote = async (target, version) => {
      restores.push(version);
      return { ...server.note, content: 'restored\n', version: server.note.version + 1 };
    };
    api.rest.noteRevisions = async () => ({ revisions: [] });
    editor.edit('kept in the history\n');
    await editor.restore(1);
    assert.deepEqual(server.saves.map(save => save.content), ['kept in the history\n']);
    assert.deepEqual(restores, [1]);
    assert.equal(state().text, 'restored\n');

    server.onSave = () => {
      throw conflictWith({ ...server.note, content: 'theirs\n', version: 9 });
    };
    editor.edit('mine, overlapping\n');
    await editor.restore(1);
    assert.deepEqual(restores, [1], 'no second restore');
    assert.equal(state().conflict.mine, 'mine, overlapping\n');
  });

  test('opening a note reads it: no changed dot for that version', async t => {
    const { client, bus, api } = await connectedClient(t, { chats: [channel(GENERAL, 'general')] });
    noteServer(api, { version: 3 });
    bus.publish(`chat.${GENERAL}`, updated(3, ALICE.id));
    assert.equal(client.notes.changedSinceRead(GENERAL), true);
    const editor = client.notes.open({ chatId: GENERAL });
    t.after(() => editor.close());
    await editor.load();
    assert.equal(client.notes.changedSinceRead(GENERAL), false);
  });

  test('while edited, the chat hears so every 10 seconds, and that it stopped when it stops', async t => {
    const { editor, bus, clock } = await openEditor(t);
    bus.answer('notes.editing', () => ({}));
    bus.forget();
    editor.setEditing(true);
    await clock.advance(EDITING_REPEAT_MS * 2);
    editor.setEditing(false);
    await clock.advance(EDITING_REPEAT_MS * 2);
    assert.deepEqual(bus.sent('notes.editing'), [
      { chatId: GENERAL, active: true }, { chatId: GENERAL, active: true }, { chatId: GENERAL, active: true },
      { chatId: GENERAL, active: false }]);
  });
});

describe('the caret after the text under it is replaced', () => {
  test('stays where it is when the change is after it', () => {
    assert.equal(caretAfterReplace('abc\ndef\n', 'abc\ndef\nghi\n', 2), 2);
  });
  test('keeps its distance from the end when the change is before it', () => {
    assert.equal(caretAfterReplace('abc\ndef\n', 'xyz abc\ndef\n', 6), 10);
  });
  test('goes to the start of the change when the change is around it', () => {
    assert.equal(caretAfterReplace('abc\ndef\nghi', 'abc\nXYZ\nghi', 5), 4);
  });
});
