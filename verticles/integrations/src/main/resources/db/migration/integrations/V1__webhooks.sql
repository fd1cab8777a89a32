-- Incoming webhooks (docs/protocol.md, "Incoming webhooks"). A webhook posts into one chat as its creator; its URL's
-- secret is never stored, only its SHA-256. A deleted webhook's row is gone, so its URL answers 404.
CREATE TABLE webhooks (
  id           uuid PRIMARY KEY,
  chat_id      uuid NOT NULL,
  workspace_id uuid NOT NULL,
  creator_id   uuid NOT NULL,
  name         text NOT NULL,
  icon_url     text NULL,
  secret_hash  bytea NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_chat ON webhooks (chat_id, created_at);
