-- The documents, one partition per month of the messages' time (UTC). The newest matches of a query are what a search
-- ranks: read month by month from the newest, a word found in a few thousand documents of the year costs the GIN
-- lookup and heap reads of one month's share of them, instead of all of them or a walk through tens of thousands of
-- newer documents that do not have it. Partitions are made by the indexer as it meets a new month
-- (make_month_partitions); the index is rebuilt from the event stream.
DROP TABLE documents;

CREATE TABLE documents (
  message_id  uuid        NOT NULL,
  chat_id     uuid        NOT NULL,
  seq         bigint      NOT NULL,
  sender_id   uuid        NOT NULL,
  -- The thread root when the message is a reply.
  root_id     uuid        NULL,
  -- A reply, or a root that has replies (is:thread).
  in_thread   boolean     NOT NULL,
  created_at  timestamptz NOT NULL,
  edited_at   timestamptz NULL,
  has_file    boolean     NOT NULL,
  has_image   boolean     NOT NULL,
  has_link    boolean     NOT NULL,
  -- The users mentioned by name (mentions:@me).
  mentions    uuid[]      NOT NULL,
  -- The text as sent, with control characters replaced by spaces and < > held as two of them (Document.indexable).
  content     text        NOT NULL,
  -- words || exact: one GIN index serves both kinds of lexeme.
  lexemes     tsvector    NOT NULL,
  -- A message keeps its creation time through edits, so its month never changes.
  PRIMARY KEY (message_id, created_at)
) PARTITION BY RANGE (created_at);

-- Without the pending list: every search that reads the index would scan it (up to 4 MB) while messages keep
-- arriving; each document goes into the index as it is stored instead.
CREATE INDEX documents_lexemes ON documents USING gin (lexemes) WITH (fastupdate = off);
-- Newest first within the readable chats (sort:recent, and the newest matches of a common word).
CREATE INDEX documents_recent ON documents (created_at DESC, message_id DESC);
CREATE INDEX documents_chat_recent ON documents (chat_id, created_at DESC);
-- from:@user.
CREATE INDEX documents_sender_recent ON documents (sender_id, created_at DESC);
-- mentions:@user.
CREATE INDEX documents_mentions ON documents USING gin (mentions);
-- is:thread replies by root (a root is marked when its first reply is indexed).
CREATE INDEX documents_root ON documents (root_id) WHERE root_id IS NOT NULL;

-- Each month as a partition, made when the first document of that month is stored. The caller holds the stream
-- cursor's row lock (every page is stored after moving it), so two indexers never make the same one at once.
-- chat_id keeps no statistics: a search names up to a few hundred readable chats, and estimating them one by one
-- against the column's most common values cost more planning time (0.5 ms a partition) than the estimate was worth.
CREATE FUNCTION make_month_partitions(months date[]) RETURNS void
  LANGUAGE plpgsql AS $$
    DECLARE
      month date;
      name text;
    BEGIN
      FOREACH month IN ARRAY months LOOP
        name := 'documents_' || to_char(month, 'YYYY_MM');
        IF to_regclass('search.' || name) IS NULL THEN
          EXECUTE format('CREATE TABLE search.%I PARTITION OF search.documents FOR VALUES FROM (%L) TO (%L)',
                         name, month::timestamp AT TIME ZONE 'UTC',
                         (month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
          EXECUTE format('ALTER TABLE search.%I ALTER COLUMN chat_id SET STATISTICS 0', name);
        END IF;
      END LOOP;
    END
  $$;

-- The index starts over from the first event.
UPDATE stream_cursor SET tx = 0, position = 0;
