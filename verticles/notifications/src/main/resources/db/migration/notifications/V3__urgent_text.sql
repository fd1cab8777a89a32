-- An urgent message's banner text (the toast's title and body), so that a recipient who reloads sees it again, and
-- an index for a sender's own urgent messages with their acknowledgements.
ALTER TABLE urgent ADD COLUMN title text, ADD COLUMN body text;
CREATE INDEX urgent_sender ON urgent (sender_id, created_at DESC);
