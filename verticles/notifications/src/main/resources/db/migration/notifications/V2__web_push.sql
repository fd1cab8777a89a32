-- Web Push (RFC 8030 delivery, RFC 8291 payload encryption, RFC 8292 VAPID).

-- The VAPID key pair of the whole installation, made by the first node that starts and read by all (unless the
-- configuration gives one). Both keys are base64url: the public key the uncompressed P-256 point (65 bytes, what
-- PushManager.subscribe takes as applicationServerKey), the private key its 32-byte scalar.
CREATE TABLE vapid_keys (
  only_row    boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
  public_key  text        NOT NULL,
  private_key text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The browsers' push subscriptions (PushSubscription.toJSON()); an endpoint belongs to one user, the last to register it.
CREATE TABLE push_subscriptions (
  id              uuid        PRIMARY KEY,
  user_id         uuid        NOT NULL,
  endpoint        text        NOT NULL UNIQUE,
  p256dh          text        NOT NULL,
  auth            text        NOT NULL,
  expiration_time timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_success_at timestamptz
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id, created_at);

-- The sender's bookkeeping of each push due: a claim (so that of several nodes one sends it), the subscriptions that
-- have it already (accepted it or were removed), and the retries after a failure that may pass.
ALTER TABLE push_due
  ADD COLUMN claimed_until   timestamptz,
  ADD COLUMN sent_to         uuid[]      NOT NULL DEFAULT '{}',
  ADD COLUMN attempts        integer     NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX push_due_next ON push_due (next_attempt_at);
