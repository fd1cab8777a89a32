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
  SESSION_EXPIRED("session.expired");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
