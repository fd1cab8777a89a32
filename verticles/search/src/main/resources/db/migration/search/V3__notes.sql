-- Channel notes (the notes verticle's), one row per chat, searchable by the chat's members: the latest version
-- search has read, with the same lexemes as messages. Fed by NoteIndex from notes.chat.changes.
CREATE TABLE notes (
  chat_id    uuid        PRIMARY KEY,
  version    integer     NOT NULL,
  content    text        NOT NULL,             -- as Document.indexable makes it
  lexemes    tsvector    NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX notes_lexemes ON notes USING gin (lexemes);

-- Where NoteIndex stands in the notes' changes: the last (updated_at, chat_id) it stored.
CREATE TABLE notes_cursor (
  only_row   boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
  updated_at timestamptz NOT NULL,
  chat_id    uuid        NOT NULL
);
INSERT INTO notes_cursor (updated_at, chat_id) VALUES ('1970-01-01T00:00:00Z', '00000000-0000-0000-0000-000000000000');
