-- Workspaces, invites, chats (channels and DMs) and who belongs to them. User ids are the gateway's: messaging
-- stores them as opaque uuids and never checks that a user exists, only the memberships it owns.

CREATE TABLE workspaces (
  id              uuid        PRIMARY KEY,
  name            text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  -- The channel every member joins with the workspace (created as #general; renaming it keeps the role).
  general_chat_id uuid        NULL,
  created_by      uuid        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workspace_members (
  workspace_id uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  user_id      uuid        NOT NULL,
  role         text        NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id)
);
-- "My workspaces".
CREATE INDEX workspace_members_by_user ON workspace_members (user_id);

CREATE TABLE invites (
  code         text        PRIMARY KEY,
  workspace_id uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  created_by   uuid        NOT NULL,
  expires_at   timestamptz NOT NULL,
  max_uses     integer     NULL CHECK (max_uses IS NULL OR max_uses > 0),
  uses         integer     NOT NULL DEFAULT 0 CHECK (uses >= 0),
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chats (
  id           uuid        PRIMARY KEY,
  workspace_id uuid        NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind         text        NOT NULL CHECK (kind IN ('channel', 'dm')),
  name         text        NULL,
  name_key     text        NULL,
  topic        text        NOT NULL DEFAULT '',
  private      boolean     NOT NULL DEFAULT false,
  archived     boolean     NOT NULL DEFAULT false,
  -- The DM's member set: its sorted user ids joined by ','. One DM per member set and workspace.
  dm_key       text        NULL,
  created_by   uuid        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- The sequence number of the chat's last message (messages arrive with the next migration).
  last_seq     bigint      NOT NULL DEFAULT 0,
  CONSTRAINT chats_kind_fields CHECK (
    (kind = 'channel' AND name IS NOT NULL AND name_key = lower(name) AND dm_key IS NULL)
    OR (kind = 'dm' AND name IS NULL AND name_key IS NULL AND dm_key IS NOT NULL)),
  -- NULLs are distinct, so DMs (no name_key) and channels (no dm_key) never collide here.
  CONSTRAINT chats_channel_name_unique UNIQUE (workspace_id, name_key),
  CONSTRAINT chats_dm_key_unique UNIQUE (workspace_id, dm_key)
);

ALTER TABLE workspaces
  ADD CONSTRAINT workspaces_general_chat_fk FOREIGN KEY (general_chat_id) REFERENCES chats (id)
  DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE chat_members (
  chat_id   uuid        NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  user_id   uuid        NOT NULL,
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chat_id, user_id)
);
-- "My chats".
CREATE INDEX chat_members_by_user ON chat_members (user_id);
