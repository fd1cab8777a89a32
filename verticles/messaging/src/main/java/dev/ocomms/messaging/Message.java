package dev.ocomms.messaging;

import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.EventType;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Row;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A message in its current state, as every member sees it (so one serialization serves every audience). A deleted
 * message stays as a tombstone: its place in the chat, no content. Its files are described as uploads described them
 * when it was sent ({@code attachments}). A system message ({@code system} set: a join, a leave, a rename...) says what
 * happened to the chat; its sender is who did it, its content is empty, and clients render its text.
 */
record Message(UUID id, UUID chatId, long seq, UUID clientId, UUID senderId, String content, UUID replyTo,
               int replyCount, OffsetDateTime lastReplyAt, JsonObject mentions, String priority, JsonArray attachments,
               OffsetDateTime createdAt, OffsetDateTime editedAt, OffsetDateTime deletedAt, JsonArray reactions,
               JsonObject system, JsonObject integration, OffsetDateTime pinnedAt) {

  /** The select list that {@link #of(Row)} reads; alias the message {@code m}. */
  static final String COLUMNS = """
      m.id, m.chat_id, m.seq, m.client_id, m.sender_id, m.content, m.reply_to, m.reply_count, m.last_reply_at,
      m.mentions, m.priority, m.attachments, m.created_at, m.edited_at, m.deleted_at, m.system, m.integration,
      COALESCE((SELECT json_agg(json_build_object('emoji', r.emoji, 'count', r.n, 'userIds', r.users) ORDER BY r.first)
                FROM (SELECT emoji, count(*) AS n, array_agg(user_id::text ORDER BY created_at) AS users,
                             min(created_at) AS first
                      FROM messaging.reactions WHERE message_id = m.id GROUP BY emoji) r), '[]'::json) AS reactions,
      (SELECT p.pinned_at FROM messaging.pins p WHERE p.message_id = m.id) AS pinned_at""";

  static Message of(Row row) {
    Object mentions = row.getValue("mentions");
    Object files = row.getValue("attachments");
    Object reactions = row.getValue("reactions");
    Object system = row.getValue("system");
    Object integration = row.getValue("integration");
    return new Message(row.getUUID("id"), row.getUUID("chat_id"), row.getLong("seq"), row.getUUID("client_id"),
        row.getUUID("sender_id"), row.getString("content"), row.getUUID("reply_to"), row.getInteger("reply_count"),
        row.getOffsetDateTime("last_reply_at"),
        mentions instanceof JsonObject json ? json : new JsonObject(),
        row.getString("priority"),
        files instanceof JsonArray array ? array : new JsonArray(),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("edited_at"), row.getOffsetDateTime("deleted_at"),
        reactions instanceof JsonArray array ? array : new JsonArray(),
        system instanceof JsonObject json ? json : null,
        integration instanceof JsonObject json ? json : null, row.getOffsetDateTime("pinned_at"));
  }

  /** What happened to the chat, not something someone wrote: never unread, never notifying, never edited. */
  boolean isSystem() {
    return system != null;
  }

  /** The ids of the message's files, in their order (the attachments' ids). */
  JsonArray fileIds() {
    return new JsonArray(attachments.stream().map(file -> ((JsonObject) file).getString("id")).toList());
  }

  boolean deleted() {
    return deletedAt != null;
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id.toString())
        .put("chatId", chatId.toString())
        .put("seq", seq)
        .put("clientId", clientId.toString())
        .put("senderId", senderId.toString())
        .put("content", deleted() ? "" : content)
        .put("createdAt", Timestamps.iso(createdAt))
        .put("editedAt", editedAt == null ? null : Timestamps.iso(editedAt))
        .put("deleted", deleted())
        .put("deletedAt", deletedAt == null ? null : Timestamps.iso(deletedAt))
        .put("replyTo", replyTo == null ? null : replyTo.toString())
        .put("replyCount", replyCount)
        .put("lastReplyAt", lastReplyAt == null ? null : Timestamps.iso(lastReplyAt))
        .put("mentions", deleted() ? emptyMentions() : mentions)
        .put("priority", priority)
        .put("fileIds", deleted() ? new JsonArray() : fileIds())
        .put("attachments", deleted() ? new JsonArray() : attachments)
        .put("reactions", reactions)
        .put("pinned", pinnedAt != null);
    if (pinnedAt != null) {
      json.put("pinnedAt", Timestamps.iso(pinnedAt));
    }
    // Only system messages carry these: the messages people write keep the JSON (and the cost) they always had.
    if (isSystem()) {
      json.put("kind", "system").put("system", system);
    }
    // Only webhook posts carry these (docs/protocol.md, "Incoming webhooks"): who posted it, and its Slack
    // attachments and blocks, sanitized by the integrations verticle and checked again here.
    if (integration != null) {
      json.put("via", integration.getJsonObject("via"));
      if (!deleted()) {
        json.put("rich", new JsonObject()
            .put("attachments", integration.getJsonArray("attachments", new JsonArray()))
            .put("blocks", integration.getJsonArray("blocks", new JsonArray())));
      }
    }
    return json;
  }

  /**
   * A change to this message as its sequenced event, live or replayed (sync, the event stream), with the message as it
   * is now. {@code detail} is what the change recorded beside it (a reaction's emoji, user and action), else null.
   */
  Event asEvent(EventType type, long seq, JsonObject detail) {
    String chat = chatId.toString();
    String message = id.toString();
    JsonObject json = toJson();
    return switch (type) {
      case MESSAGE_NEW -> new Event.MessageNew(chat, seq, json);
      case MESSAGE_UPDATED -> new Event.MessageUpdated(chat, seq, message, json);
      case MESSAGE_DELETED -> new Event.MessageDeleted(chat, seq, message, json);
      case MESSAGE_REACTION -> new Event.MessageReaction(chat, seq, message, detail.getString("emoji"),
          detail.getString("userId"), detail.getString("action"), reactions, json);
      case MESSAGE_PINNED -> new Event.MessagePinned(chat, seq, message, detail.getString("userId"),
          detail.getString("pinnedAt"), json);
      case MESSAGE_UNPINNED -> new Event.MessageUnpinned(chat, seq, message, detail.getString("userId"),
          detail.getString("pinnedAt"), json);
      default -> throw new IllegalArgumentException("not a message event: " + type);
    };
  }

  static JsonObject emptyMentions() {
    return new JsonObject().put("users", new JsonArray()).put("channel", false).put("here", false);
  }
}
