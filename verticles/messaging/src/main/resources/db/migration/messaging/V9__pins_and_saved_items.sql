-- Pins (shared by a chat's members) and saved items (private to one user). Expand only: new tables, and the event
-- stream's type check widened by the two pin events (older nodes skip types they do not know).

ALTER TABLE chat_events DROP CONSTRAINT chat_events_type_check;
ALTER TABLE chat_events ADD CONSTRAINT chat_events_type_check
  CHECK (type IN ('message.new', 'message.updated', 'message.deleted', 'message.reaction',
                  'message.pinned', 'message.unpinned'));

-- A message pinned to its chat: at most one pin per message, at most 100 per chat (checked under the chat's row lock).
CREATE TABLE pins (
  message_id uuid        PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  chat_id    uuid        NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  pinned_by  uuid        NOT NULL,
  pinned_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pins_by_chat ON pins (chat_id, pinned_at DESC, message_id);

-- A message one user saved for later; at most 1,000 per user.
CREATE TABLE saved_items (
  user_id    uuid        NOT NULL,
  message_id uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  saved_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, message_id)
);
CREATE INDEX saved_items_by_user ON saved_items (user_id, saved_at DESC, message_id);
