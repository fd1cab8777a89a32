package dev.ocomms.shared.events;

/**
 * Every event a client can receive, by its wire name (the {@code type} field). Each is published once on its
 * audience's address ({@code chat.<chatId>} or {@code user.<userId>}); docs/protocol.md gives each shape.
 */
public enum EventType {
  MEMBER_JOINED("member.joined"),
  MEMBER_LEFT("member.left"),
  CHAT_ADDED("chat.added"),
  CHAT_REMOVED("chat.removed"),
  CHAT_UPDATED("chat.updated"),
  MESSAGE_NEW("message.new"),
  MESSAGE_UPDATED("message.updated"),
  MESSAGE_DELETED("message.deleted"),
  MESSAGE_REACTION("message.reaction"),
  READ_RECEIPT("read.receipt"),
  NOTIFICATION_BADGE("notification.badge"),
  PRESENCE_CHANGED("presence.changed"),
  TYPING_INDICATOR("typing.indicator"),
  /** To one connection whose outbound queue overflowed: it missed events of this chat and must call chat.sync. */
  SYNC_REQUIRED("sync.required");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static EventType byWire(String wireName) {
    for (EventType type : values()) {
      if (type.wireName.equals(wireName)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown event type " + wireName);
  }
}
