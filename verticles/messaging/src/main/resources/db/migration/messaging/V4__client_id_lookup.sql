-- A send's clientId is looked up by client_id first. With (chat_id, client_id), a plan made while messages was still
-- empty could take messages_seq_unique (chat_id, seq) for the lookup as well (both looked equally cheap then) and keep
-- it: every send then read all of its chat's messages. No index but this one can serve a lookup led by client_id.
ALTER TABLE messages DROP CONSTRAINT messages_client_id_unique;
ALTER TABLE messages ADD CONSTRAINT messages_client_id_unique UNIQUE (client_id, chat_id);
