-- A channel's purpose (what it is for), beside its topic (what is going on now); edited by the same people.
ALTER TABLE chats ADD COLUMN purpose text NOT NULL DEFAULT '';

-- System messages: what happened to the chat (a join, a leave, an add, a removal, a rename, a topic or purpose change,
-- an archive), stored in its history under its seq like any message so that history, sync and the event stream keep
-- them in order. {"action", "actorId", "userIds", ...}; NULL for the messages people write. Their content is empty:
-- clients render the text from this object. They are never unread, never mention anyone and cannot be edited.
ALTER TABLE messages ADD COLUMN system jsonb NULL;
