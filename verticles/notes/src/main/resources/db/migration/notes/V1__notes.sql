-- Notes, owned by the notes verticle (schema notes): one markdown note per chat, and one personal note per user and
-- workspace. The current text is kept on the note; every version (the current one too) in note_revisions, the last
-- 100 per note, so that a save based on an older version can be merged and any kept version restored.
CREATE TABLE notes (
  id             uuid        PRIMARY KEY,
  chat_id        uuid        UNIQUE,             -- a chat's note
  workspace_id   uuid,                           -- a personal note: its workspace and its owner
  owner_id       uuid,
  content        text        NOT NULL,
  version        integer     NOT NULL,
  last_edited_by uuid        NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((chat_id IS NULL) = (owner_id IS NOT NULL) AND (owner_id IS NULL) = (workspace_id IS NULL)),
  UNIQUE (workspace_id, owner_id)
);

CREATE TABLE note_revisions (
  note_id       uuid        NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
  version       integer     NOT NULL,
  content       text        NOT NULL,
  edited_by     uuid        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  kind          text        NOT NULL CHECK (kind IN ('edit', 'merge', 'restore')),
  restored_from integer,                         -- a restore: the version it brought back
  PRIMARY KEY (note_id, version)
);
