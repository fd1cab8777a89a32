-- A user's status (text and emoji, until status_expires_at; null: until cleared) and time zone (IANA, for "local
-- time"). A status past its expiry is answered as no status.
ALTER TABLE users ADD COLUMN status_text text;
ALTER TABLE users ADD COLUMN status_emoji text;
ALTER TABLE users ADD COLUMN status_expires_at timestamptz;
ALTER TABLE users ADD COLUMN time_zone text;
