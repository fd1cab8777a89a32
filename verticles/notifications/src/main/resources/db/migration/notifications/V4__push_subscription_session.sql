-- The session that registered a push subscription: when that session is revoked (logout, "sign out everywhere",
-- refresh-token reuse), its browser stops getting pushes, which carry message text.
ALTER TABLE push_subscriptions ADD COLUMN session_id uuid;
CREATE INDEX push_subscriptions_session ON push_subscriptions (session_id);
