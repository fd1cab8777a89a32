-- A message's files as uploads described them when the message was sent (id, name, type, size, width, height, url,
-- thumbnailUrl), so that history, sync and events show them without asking uploads. Before uploads existed a message
-- kept the ids it was given, unchecked: none of them named a file, so they are dropped.
ALTER TABLE messages RENAME COLUMN file_ids TO attachments;
UPDATE messages SET attachments = '[]' WHERE attachments <> '[]';
