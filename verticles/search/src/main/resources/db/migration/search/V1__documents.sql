-- The search index: one document per live message, fed from messaging's event stream (never from its tables). The
-- verticle's queries name everything with the schema, since their connections do not have it on the search path.

-- Accents are ignored through PostgreSQL's unaccent dictionary (a trusted extension: the database owner may add it).
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA search;

-- "words": English stems, accents folded, stop words dropped. "exact": every word as written, accents folded and
-- lower-cased; it keeps what the English dictionary drops ("the", "to be or not to be") findable, and prefixes
-- match the words as written rather than their stems.
CREATE TEXT SEARCH CONFIGURATION words (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION words
  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION exact (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION exact
  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

CREATE TABLE documents (
  message_id  uuid        PRIMARY KEY,
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
  lexemes     tsvector    NOT NULL
);

-- Without the pending list: every search that reads the index would scan it (up to 4 MB) while messages keep
-- arriving; each document goes into the index as it is stored instead.
CREATE INDEX documents_lexemes ON documents USING gin (lexemes) WITH (fastupdate = off);
-- Newest first within the readable chats (sort:recent, and the window of newest matches that relevance ranks).
CREATE INDEX documents_recent ON documents (created_at DESC, message_id DESC);
CREATE INDEX documents_chat_recent ON documents (chat_id, created_at DESC);
-- from:@user.
CREATE INDEX documents_sender_recent ON documents (sender_id, created_at DESC);
-- mentions:@user.
CREATE INDEX documents_mentions ON documents USING gin (mentions);
-- is:thread replies by root (a root is marked when its first reply is indexed).
CREATE INDEX documents_root ON documents (root_id) WHERE root_id IS NOT NULL;

-- Where the index stands in the event stream: stored with each page's documents, in the same transaction.
CREATE TABLE stream_cursor (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  tx       bigint  NOT NULL,
  position bigint  NOT NULL
);
INSERT INTO stream_cursor (tx, position) VALUES (0, 0);

-- The query functions are single expressions, so PostgreSQL inlines them and folds a query's terms into a constant
-- while planning: the planner then knows from the column's statistics how common each word is, and walks the newest
-- documents for a common word but looks a rare one up in the GIN index.

-- A query's word: its English stem, or the word as written when the dictionary drops it (a stop word).
CREATE FUNCTION word_query(word text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN numnode(plainto_tsquery('search.words', word)) > 0 THEN plainto_tsquery('search.words', word)
                ELSE plainto_tsquery('search.exact', word) END
  $$;

-- A quoted phrase: the stems in order, or the words as written when the phrase is all stop words.
CREATE FUNCTION phrase_query(phrase text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN numnode(phraseto_tsquery('search.words', phrase)) > 0
                THEN phraseto_tsquery('search.words', phrase)
                ELSE phraseto_tsquery('search.exact', phrase) END
  $$;

-- prefix*: words as written that start with it (the caller passes letters and digits only).
CREATE FUNCTION prefix_query(prefix text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_tsquery('search.exact', quote_literal(prefix) || ':*')
  $$;
