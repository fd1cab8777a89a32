-- The gateway's schema as deployments before the accounts verticle have it (its last migration, kept as it was),
-- for SchemaUpgradeTest. Accounts and sessions, owned by the gateway.
CREATE TABLE users (
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
CREATE TABLE sessions (
  id                uuid PRIMARY KEY,
  user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at        timestamptz NOT NULL DEFAULT now(),
  last_refreshed_at timestamptz NOT NULL DEFAULT now(),
  revoked_at        timestamptz,
  revoked_reason    text
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Only a hash of each refresh token is stored; a used token stays (used_at set) so that its reuse is detected.
CREATE TABLE refresh_tokens (
  token_hash bytea PRIMARY KEY,
  session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
