-- Uploaded files, owned by the uploads verticle (schema uploads). Their bytes live in the file storage (a local
-- directory or S3) under storage_key; what the file is and who may read it lives here.
CREATE TABLE files (
  id             uuid        PRIMARY KEY,
  uploader_id    uuid        NOT NULL,
  name           text        NOT NULL,          -- the client's name, sanitized: metadata only, never a path
  media_type     text        NOT NULL,          -- detected from the bytes
  size           bigint      NOT NULL,
  width          integer,                       -- images shown inline: as shown (EXIF orientation applied)
  height         integer,
  storage_key    text        NOT NULL,
  thumbnail_key  text,                          -- images shown inline: a preview at most 400 px
  thumbnail_type text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  -- When the last message carrying it was deleted; the orphan sweep counts its grace from then (or from created_at
  -- for a file never attached).
  detached_at    timestamptz
);
-- The uploader's quota: the sum of their files' sizes.
CREATE INDEX files_uploader ON files (uploader_id);

-- Which messages carry which files: who may download a file (the members of those chats) and each chat's file list.
-- A row is written when messaging asks to attach the file (before the message is stored, so that its readers can
-- download at once) and confirmed when the message's message.new comes by on the event stream; a row never confirmed
-- (the send failed after the claim) is dropped by the sweep.
CREATE TABLE message_attachments (
  file_id     uuid        NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  message_id  uuid        NOT NULL,
  chat_id     uuid        NOT NULL,
  sender_id   uuid        NOT NULL,
  position    integer     NOT NULL,
  attached_at timestamptz NOT NULL DEFAULT now(),
  confirmed   boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (file_id, message_id)
);
CREATE INDEX message_attachments_chat ON message_attachments (chat_id, attached_at DESC, file_id DESC);
CREATE INDEX message_attachments_message ON message_attachments (message_id);

-- Avatars: square images served without a token at an unguessable URL (accounts keeps the user's current one).
CREATE TABLE avatars (
  id          uuid        PRIMARY KEY,
  user_id     uuid        NOT NULL,
  storage_key text        NOT NULL,
  media_type  text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX avatars_user ON avatars (user_id);

-- Where the attachment follower stands in messaging's event stream: stored with each page's effects.
CREATE TABLE stream_cursor (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  tx       bigint  NOT NULL,
  position bigint  NOT NULL,
  -- When the follower last reached the stream's end: a claimed attachment older than that by minutes whose
  -- message.new never came belongs to a send that failed.
  caught_up_at timestamptz
);
INSERT INTO stream_cursor (tx, position) VALUES (0, 0);
