-- Bots (docs/protocol.md, "Bots"): a bot is a user of kind 'bot', owned by a workspace. It has no email and no
-- password (it cannot log in); it proves itself with a token (ocb_...), of which only the SHA-256 is stored. The
-- token's id stands for a session of the bot's: deleting the bot or rotating its token revokes that id as a logout
-- revokes a session (Revocations), so every gateway stops the token at once.
ALTER TABLE users ADD COLUMN kind text NOT NULL DEFAULT 'user' CHECK (kind IN ('user', 'bot'));
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ALTER COLUMN email_key DROP NOT NULL;
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;

CREATE TABLE bots (
  user_id          uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  workspace_id     uuid NOT NULL,              -- messaging's workspace (not a foreign key: another schema's)
  created_by       uuid NOT NULL,
  description      text,
  token_id         uuid NOT NULL UNIQUE,
  token_hash       bytea NOT NULL UNIQUE,
  token_created_at timestamptz NOT NULL DEFAULT now(),
  created_at       timestamptz NOT NULL DEFAULT now(),
  deleted_at       timestamptz                 -- the user row stays, so that the bot's messages keep their author
);
CREATE INDEX bots_by_workspace ON bots (workspace_id) WHERE deleted_at IS NULL;
