-- Webhook posts (docs/protocol.md, "Incoming webhooks"): {"via": {webhookId, name, username?, iconUrl?},
-- "attachments": [...], "blocks": [...]} (Slack's, sanitized). NULL for every other message, which so keeps its cost.
ALTER TABLE messages ADD COLUMN integration jsonb NULL;
