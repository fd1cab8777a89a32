-- Messages, reactions, the per-chat event stream, and read watermarks.

CREATE TABLE messages (
  id            uuid        PRIMARY KEY,
  chat_id       uuid        NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  -- The seq of the event that created the message; edits, deletes and reactions take later seqs.
  seq           bigint      NOT NULL,
  client_id     uuid        NOT NULL,
  sender_id     uuid        NOT NULL,
  content       text        NOT NULL,
  reply_to      uuid        NULL REFERENCES messages (id),
  reply_count   integer     NOT NULL DEFAULT 0,
  last_reply_at timestamptz NULL,
  -- {"users": [ids], "channel": bool, "here": bool}
  mentions      jsonb       NOT NULL DEFAULT '{"users":[],"channel":false,"here":false}',
  priority      text        NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
  file_ids      jsonb       NOT NULL DEFAULT '[]',
  created_at    timestamptz NOT NULL DEFAULT now(),
  edited_at     timestamptz NULL,
  deleted_at    timestamptz NULL,
  deleted_by    uuid        NULL,
  -- Idempotency: a client's retry of the same message finds the first one, also under concurrency.
  CONSTRAINT messages_client_id_unique UNIQUE (chat_id, client_id),
  CONSTRAINT messages_seq_unique UNIQUE (chat_id, seq)
);
CREATE INDEX messages_thread ON messages (reply_to, seq) WHERE reply_to IS NOT NULL;

CREATE TABLE reactions (
  message_id uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  emoji      text        NOT NULL,
  user_id    uuid        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, emoji, user_id)
);

-- Every change to a chat's messages, in seq order: what chat.sync replays to a client that missed them.
CREATE TABLE chat_events (
  chat_id    uuid        NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  seq        bigint      NOT NULL,
  type       text        NOT NULL CHECK (type IN ('message.new', 'message.updated', 'message.deleted',
                                                  'message.reaction')),
  message_id uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  -- For reactions: {"emoji", "userId", "action"}.
  detail     jsonb       NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (chat_id, seq)
);

-- The user's read watermark: every message with a seq up to it has been seen. Never moves backwards.
ALTER TABLE chat_members ADD COLUMN last_read_seq bigint NOT NULL DEFAULT 0;
