package dev.ocomms.shared.events;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One event a client can receive: one record per {@link EventType}, each knowing its audience (the chat or user it
 * goes to) and, when sequenced, its chat {@code seq}. {@link #toJson()} is its wire shape ({@code type} first);
 * {@link Events#publish} serializes it once for every node and socket. Message and chat payloads are the owners'
 * JSON shapes (see docs/protocol.md), carried as they are.
 */
public sealed interface Event {
  EventType type();

  /** The chat or user id the event is published to (see {@link EventType#audience()}). */
  String audienceId();

  /** The chat seq of a sequenced event; -1 otherwise. */
  default long seq() {
    return -1;
  }

  /** The wire shape, {@code type} first. */
  JsonObject toJson();

  private static JsonObject start(EventType type) {
    return new JsonObject().put("type", type.wireName());
  }

  // Sequenced chat events: a change to a message, numbered by the chat's seq.

  /** A new message; {@code message} is messaging's message JSON. */
  record MessageNew(String chatId, long seq, JsonObject message) implements Event {
    public EventType type() {
      return EventType.MESSAGE_NEW;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("seq", seq).put("message", message);
    }
  }

  /** A message's content (and mentions) changed; the message as it is now. */
  record MessageUpdated(String chatId, long seq, String messageId, JsonObject message) implements Event {
    public EventType type() {
      return EventType.MESSAGE_UPDATED;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("seq", seq).put("messageId", messageId).put("message", message);
    }
  }

  /** A message was deleted; the tombstone as it is now. */
  record MessageDeleted(String chatId, long seq, String messageId, JsonObject message) implements Event {
    public EventType type() {
      return EventType.MESSAGE_DELETED;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("seq", seq).put("messageId", messageId).put("message", message);
    }
  }

  /** A reaction was added or removed ({@code action}); {@code reactions} is the message's reactions now. */
  record MessageReaction(String chatId, long seq, String messageId, String emoji, String userId, String action,
                         JsonArray reactions, JsonObject message) implements Event {
    public EventType type() {
      return EventType.MESSAGE_REACTION;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("seq", seq).put("messageId", messageId).put("emoji", emoji)
          .put("userId", userId).put("action", action).put("reactions", reactions).put("message", message);
    }
  }

  /** A message was pinned to its chat by {@code userId} at {@code pinnedAt}; the message as it is now. */
  record MessagePinned(String chatId, long seq, String messageId, String userId, String pinnedAt, JsonObject message)
      implements Event {
    public EventType type() {
      return EventType.MESSAGE_PINNED;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("seq", seq).put("messageId", messageId).put("userId", userId)
          .put("pinnedAt", pinnedAt).put("message", message);
    }
  }

  /** A message's pin was removed by {@code userId}; {@code pinnedAt} is when the pin had been made. */
  record MessageUnpinned(String chatId, long seq, String messageId, String userId, String pinnedAt, JsonObject message)
      implements Event {
    public EventType type() {
      return EventType.MESSAGE_UNPINNED;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("seq", seq).put("messageId", messageId).put("userId", userId)
          .put("pinnedAt", pinnedAt).put("message", message);
    }
  }

  // Unsequenced chat events.


  record MemberJoined(String chatId, String userId, String by, int memberCount) implements Event {
    public EventType type() {
      return EventType.MEMBER_JOINED;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("userId", userId).put("by", by).put("memberCount", memberCount);
    }
  }

  /** {@code reason}: "left" or "removed". */
  record MemberLeft(String chatId, String userId, String by, String reason, int memberCount) implements Event {
    public EventType type() {
      return EventType.MEMBER_LEFT;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("userId", userId).put("by", by).put("reason", reason)
          .put("memberCount", memberCount);
    }
  }

  record ChatUpdated(String chatId, JsonObject chat) implements Event {
    public EventType type() {
      return EventType.CHAT_UPDATED;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("chat", chat);
    }
  }

  /** A member's read watermark moved to {@code seq}: a watermark, not the event's position (not sequenced). */
  record ReadReceipt(String chatId, String userId, long readSeq) implements Event {
    public EventType type() {
      return EventType.READ_RECEIPT;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("userId", userId).put("seq", readSeq);
    }
  }

  record TypingIndicator(String chatId, String userId, String displayName, boolean active) implements Event {
    public EventType type() {
      return EventType.TYPING_INDICATOR;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("userId", userId).put("displayName", displayName)
          .put("active", active);
    }
  }

  /** A chat's note was saved: open clients fetch it again (the text is not carried). */
  record NoteUpdated(String chatId, int version, String editedBy, String updatedAt) implements Event {
    public EventType type() {
      return EventType.NOTE_UPDATED;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("version", version).put("editedBy", editedBy)
          .put("updatedAt", updatedAt);
    }
  }

  /**
   * A member has a chat's note open for editing ({@code active}) or closed it; shown for {@code expiresInMs} unless
   * repeated, so that a client that vanished stops showing as editing.
   */
  record NoteEditing(String chatId, String userId, boolean active, long expiresInMs) implements Event {
    public EventType type() {
      return EventType.NOTE_EDITING;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("userId", userId).put("active", active)
          .put("expiresInMs", expiresInMs);
    }
  }

  /** The user's personal note of a workspace was saved (on another device, maybe): to that user's sessions. */
  record PersonalNoteUpdated(String userId, String workspaceId, int version, String updatedAt) implements Event {
    public EventType type() {
      return EventType.PERSONAL_NOTE_UPDATED;
    }

    public String audienceId() {
      return userId;
    }

    public JsonObject toJson() {
      return start(type()).put("workspaceId", workspaceId).put("version", version).put("updatedAt", updatedAt);
    }
  }

  /** Written by the bridge to one connection only (never published). */
  record SyncRequired(String chatId) implements Event {
    public EventType type() {
      return EventType.SYNC_REQUIRED;
    }

    public String audienceId() {
      return chatId;
    }

    public JsonObject toJson() {
      JsonObject json = start(type());
      return chatId == null ? json : json.put("chatId", chatId);
    }
  }

  // User events.

  record ChatAdded(String userId, JsonObject chat) implements Event {
    public EventType type() {
      return EventType.CHAT_ADDED;
    }

    public String audienceId() {
      return userId;
    }

    public JsonObject toJson() {
      return start(type()).put("chat", chat);
    }
  }

  /** {@code reason}: "left" or "removed". */
  record ChatRemoved(String userId, String chatId, String reason) implements Event {
    public EventType type() {
      return EventType.CHAT_REMOVED;
    }

    public String audienceId() {
      return userId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("reason", reason);
    }
  }

  record NotificationBadge(String userId, String chatId, long unreadCount, long mentionCount) implements Event {
    public EventType type() {
      return EventType.NOTIFICATION_BADGE;
    }

    public String audienceId() {
      return userId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("unreadCount", unreadCount).put("mentionCount", mentionCount);
    }
  }

  /** {@code lastSeen}: ISO time or null. */
  record PresenceChanged(String subscriberId, String userId, String status, String lastSeen) implements Event {
    public EventType type() {
      return EventType.PRESENCE_CHANGED;
    }

    public String audienceId() {
      return subscriberId;
    }

    public JsonObject toJson() {
      JsonObject json = start(type()).put("userId", userId).put("status", status);
      return lastSeen == null ? json : json.put("lastSeen", lastSeen);
    }
  }

  /** A public profile as it is now ({@code user}), for each workspace mate of its user (published per audience). */
  record UserUpdated(String audienceUserId, JsonObject user) implements Event {
    public EventType type() {
      return EventType.USER_UPDATED;
    }

    public String audienceId() {
      return audienceUserId;
    }

    public JsonObject toJson() {
      return start(type()).put("user", user);
    }
  }

  /** A slash command's answer for its invoker's eyes only: {id, chatId, threadRootId?, command, text, ...}. */
  record CommandEphemeral(String userId, JsonObject body) implements Event {
    public EventType type() {
      return EventType.COMMAND_EPHEMERAL;
    }

    public String audienceId() {
      return userId;
    }

    public JsonObject toJson() {
      return start(type()).mergeIn(body);
    }
  }

  /**
   * Tells a user of a message worth their attention: {@code toast} is {title, body, chatId, messageId, priority,
   * count} as the notifications verticle made it (see docs/protocol.md).
   */
  record NotificationToast(String userId, JsonObject toast) implements Event {
    public EventType type() {
      return EventType.NOTIFICATION_TOAST;
    }

    public String audienceId() {
      return userId;
    }

    public JsonObject toJson() {
      return start(type()).mergeIn(toast);
    }
  }

  /**
   * A user's notification settings changed (on one of their devices): the global ones ({@code chatId} null) or
   * those of one chat, as they are now.
   */
  record NotificationSettings(String userId, String chatId, JsonObject settings) implements Event {
    public EventType type() {
      return EventType.NOTIFICATION_SETTINGS;
    }

    public String audienceId() {
      return userId;
    }

    public JsonObject toJson() {
      JsonObject json = start(type());
      if (chatId != null) {
        json.put("chatId", chatId);
      }
      return json.put("settings", settings);
    }
  }

  /** {@code userId} acknowledged the urgent message {@code messageId}: to the sender and to that user's devices. */
  record NotificationAcked(String audienceUserId, String chatId, String messageId, String userId,
                           String acknowledgedAt) implements Event {
    public EventType type() {
      return EventType.NOTIFICATION_ACKED;
    }

    public String audienceId() {
      return audienceUserId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("messageId", messageId).put("userId", userId)
          .put("acknowledgedAt", acknowledgedAt);
    }
  }

  /** To the user's own sessions (their other devices): a message was added to or removed from their saved items. */
  record MessageSaved(String userId, String chatId, String messageId, boolean saved, String savedAt) implements Event {
    public EventType type() {
      return EventType.MESSAGE_SAVED;
    }

    public String audienceId() {
      return userId;
    }

    public JsonObject toJson() {
      return start(type()).put("chatId", chatId).put("messageId", messageId).put("saved", saved)
          .put("savedAt", savedAt);
    }
  }
}
