-- The notifications verticle's own tables (schema notifications). It reads messaging's event stream, never its tables.

-- Where this verticle stands in messaging's event stream; moved in the same transaction as what a page decided.
CREATE TABLE stream_cursor (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  tx       bigint  NOT NULL,
  position bigint  NOT NULL
);
INSERT INTO stream_cursor (tx, position) VALUES (0, 0);

-- A user's global settings; a user without a row has the defaults (desktop and sound on, no DND).
CREATE TABLE user_settings (
  user_id      uuid PRIMARY KEY,
  desktop      boolean     NOT NULL DEFAULT true,
  sound        boolean     NOT NULL DEFAULT true,
  -- DND set by hand: on while dnd_on, until dnd_until when that is set.
  dnd_on       boolean     NOT NULL DEFAULT false,
  dnd_until    timestamptz,
  -- The DND schedule: {days: ["mon", ..], start: "22:00", end: "07:00", timeZone: "Europe/Berlin"}, or null.
  dnd_schedule jsonb,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- A user's settings for one chat; without a row: level mentions, not muted.
CREATE TABLE chat_settings (
  user_id    uuid        NOT NULL,
  chat_id    uuid        NOT NULL,
  level      text        NOT NULL CHECK (level IN ('all', 'mentions', 'nothing')),
  muted      boolean     NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, chat_id)
);

-- The mentions of a message already notified, so that an edit notifies only the mentions it added.
CREATE TABLE message_mentions (
  message_id uuid        PRIMARY KEY,
  users      uuid[]      NOT NULL,
  channel    boolean     NOT NULL,
  here       boolean     NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Toasts decided but not yet published: written with the cursor, published and deleted right after the commit.
CREATE TABLE outbox (
  id      bigserial PRIMARY KEY,
  user_id uuid      NOT NULL,
  toast   jsonb     NOT NULL
);

-- Notifications due to users who were offline: the Web Push sender takes them from here.
CREATE TABLE push_due (
  id         bigserial   PRIMARY KEY,
  user_id    uuid        NOT NULL,
  chat_id    uuid        NOT NULL,
  message_id uuid        NOT NULL,
  payload    jsonb       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_due_user ON push_due (user_id, id);

-- Each user's current run of toasts from one chat: 3 or more within 10 s become one grouped toast.
CREATE TABLE bursts (
  user_id    uuid        NOT NULL,
  chat_id    uuid        NOT NULL,
  started_at timestamptz NOT NULL,
  count      integer     NOT NULL,
  PRIMARY KEY (user_id, chat_id)
);

-- Urgent messages to each recipient, shown until acknowledged; the sender sees each acknowledgement.
CREATE TABLE urgent (
  message_id      uuid        NOT NULL,
  user_id         uuid        NOT NULL,
  chat_id         uuid        NOT NULL,
  sender_id       uuid        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  PRIMARY KEY (message_id, user_id)
);
