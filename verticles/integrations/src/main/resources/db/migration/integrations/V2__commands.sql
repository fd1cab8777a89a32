-- Slash commands and outgoing webhooks (docs/protocol.md, "Slash commands", "Outgoing webhooks"). Their signing
-- secrets are kept so that calls can be signed: sealed with OCOMMS_SECRETS_MASTER_KEY when it is set.
CREATE TABLE commands (
  id             uuid PRIMARY KEY,
  workspace_id   uuid NOT NULL,
  command        text NOT NULL,
  url            text NOT NULL,
  description    text NOT NULL,
  usage_hint     text NOT NULL,
  creator_id     uuid NOT NULL,
  signing_secret text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, command)
);

CREATE TABLE outgoing_webhooks (
  id             uuid PRIMARY KEY,
  chat_id        uuid NOT NULL,
  workspace_id   uuid NOT NULL,
  creator_id     uuid NOT NULL,
  name           text NOT NULL,
  url            text NOT NULL,
  trigger_words  text[] NOT NULL,
  signing_secret text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outgoing_webhooks_chat ON outgoing_webhooks (chat_id);

-- Each call's attempts, the last 50 per command or outgoing webhook (older ones are trimmed as new ones come).
-- Never the text sent or received, never a secret.
CREATE TABLE deliveries (
  id          uuid PRIMARY KEY,
  owner_id    uuid NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  status      text NOT NULL CHECK (status IN ('ok', 'failed', 'refused')),
  http_status int NULL,
  error       text NULL,
  duration_ms int NOT NULL,
  attempt     int NOT NULL
);
CREATE INDEX deliveries_owner ON deliveries (owner_id, at DESC);

-- A command run's response_url: 30 minutes, 5 uses. Only the SHA-256 of its token is kept.
CREATE TABLE response_urls (
  token_hash     bytea PRIMARY KEY,
  command_id     uuid NOT NULL,
  command        text NOT NULL,
  chat_id        uuid NOT NULL,
  user_id        uuid NOT NULL,
  thread_root_id uuid NULL,
  expires_at     timestamptz NOT NULL,
  uses           int NOT NULL DEFAULT 0
);
CREATE INDEX response_urls_expiry ON response_urls (expires_at);

-- Where the outgoing webhooks' follower stands in messaging's event stream (moved with what a page queued).
CREATE TABLE outgoing_cursor (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  tx       bigint  NOT NULL,
  position bigint  NOT NULL
);
INSERT INTO outgoing_cursor (tx, position) VALUES (0, 0);

-- Calls a page of the stream decided on, stored with the cursor; each is removed once delivered or given up, so a
-- restart sends what was queued and nothing twice (a call in flight when a node dies is sent again).
CREATE TABLE outgoing_calls (
  id          uuid PRIMARY KEY,
  webhook_id  uuid NOT NULL,
  chat_id     uuid NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz NULL
);
