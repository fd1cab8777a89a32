-- The durable event stream: every committed change to a chat's messages (chat_events) gets a global position, written
-- by the same statement that records the event. Positions are handed out at insert time, so concurrent transactions
-- can commit them out of order; the transaction id says which ones may still commit. A reader takes only events of
-- transactions older than every transaction still running (pg_snapshot_xmin), in (tx, position) order: once read,
-- nothing can commit before them any more, so a cursor (tx, position) never skips an event.
ALTER TABLE chat_events
  ADD COLUMN position bigint GENERATED ALWAYS AS IDENTITY,
  ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();

CREATE UNIQUE INDEX chat_events_stream ON chat_events (tx, position);
