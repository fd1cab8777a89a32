-- Users, sessions and refresh tokens, owned by the accounts verticle (schema accounts).
--
-- Before accounts had a verticle of its own, the gateway owned these tables in schema gateway (its migration
-- V1__accounts.sql). A deployment upgraded from then has its users there: the tables move here as they are, with
-- their rows, indexes and constraints, so that nobody loses their account. A new deployment creates them.
DO $$
BEGIN
  IF to_regclass('gateway.users') IS NOT NULL THEN
    ALTER TABLE gateway.users SET SCHEMA accounts;
    ALTER TABLE gateway.sessions SET SCHEMA accounts;
    ALTER TABLE gateway.refresh_tokens SET SCHEMA accounts;
    RETURN;
  END IF;

  CREATE TABLE accounts.users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL,
    email_key     text NOT NULL UNIQUE,      -- lower(email): unique case-insensitively
    username      text NOT NULL,
    username_key  text NOT NULL UNIQUE,      -- lower(username)
    display_name  text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
  );

  -- A session is one login on one device: the family of its rotating refresh tokens.
  CREATE TABLE accounts.sessions (
    id                uuid PRIMARY KEY,
    user_id           uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_refreshed_at timestamptz NOT NULL DEFAULT now(),
    revoked_at        timestamptz,
    revoked_reason    text
  );
  CREATE INDEX sessions_by_user ON accounts.sessions (user_id);

  -- Only a hash of each refresh token is stored; a used token stays (used_at set) so that its reuse is detected.
  CREATE TABLE accounts.refresh_tokens (
    token_hash bytea PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES accounts.sessions (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX refresh_tokens_by_session ON accounts.refresh_tokens (session_id);
END $$;
