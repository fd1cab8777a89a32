package dev.ocomms.shared.events;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every event a client can receive, by its wire name (the {@code type} field), with its audience (the address it is
 * published on: {@code chat.<chatId>} or {@code user.<userId>}) and whether it is <em>sequenced</em>: numbered by the
 * chat's {@code seq}, delivered in that order, replayed by {@code chat.sync}. Only sequenced events are ordered by the
 * bridge; another event's {@code seq} field (a read receipt's watermark) means something else. docs/protocol.md gives
 * each shape; {@link Event} has one record per type.
 */
public enum EventType {
  MEMBER_JOINED("member.joined", Audience.CHAT, false),
  MEMBER_LEFT("member.left", Audience.CHAT, false),
  CHAT_ADDED("chat.added", Audience.USER, false),
  CHAT_REMOVED("chat.removed", Audience.USER, false),
  CHAT_UPDATED("chat.updated", Audience.CHAT, false),
  MESSAGE_NEW("message.new", Audience.CHAT, true),
  MESSAGE_UPDATED("message.updated", Audience.CHAT, true),
  MESSAGE_DELETED("message.deleted", Audience.CHAT, true),
  MESSAGE_REACTION("message.reaction", Audience.CHAT, true),
  MESSAGE_PINNED("message.pinned", Audience.CHAT, true),
  MESSAGE_UNPINNED("message.unpinned", Audience.CHAT, true),
  /** To the user's own sessions: a message was saved or removed from their saved items. */
  MESSAGE_SAVED("message.saved", Audience.USER, false),
  READ_RECEIPT("read.receipt", Audience.CHAT, false),
  NOTIFICATION_BADGE("notification.badge", Audience.USER, false),
  PRESENCE_CHANGED("presence.changed", Audience.USER, false),
  NOTIFICATION_TOAST("notification.toast", Audience.USER, false),
  /** What a slash command shows its invoker only (docs/protocol.md, "Slash commands"); never stored. */
  COMMAND_EPHEMERAL("command.ephemeral", Audience.USER, false),
  NOTIFICATION_SETTINGS("notification.settings", Audience.USER, false),
  NOTIFICATION_ACKED("notification.acked", Audience.USER, false),
  TYPING_INDICATOR("typing.indicator", Audience.CHAT, false),
  NOTE_UPDATED("note.updated", Audience.CHAT, false),
  NOTE_EDITING("note.editing", Audience.CHAT, false),
  PERSONAL_NOTE_UPDATED("note.personal.updated", Audience.USER, false),
  /** A workspace mate's (or one's own) public profile changed: name, status, time zone, avatar. */
  USER_UPDATED("user.updated", Audience.USER, false),
  /** To one connection whose outbound queue overflowed: it missed events of this chat and must call chat.sync. */
  SYNC_REQUIRED("sync.required", Audience.CHAT, false);

  /** Who hears an event: the members of one chat, or the sessions of one user. */
  public enum Audience { CHAT, USER }

  private static final Map<String, EventType> BY_WIRE = new HashMap<>();

  static {
    for (EventType type : values()) {
      BY_WIRE.put(type.wireName, type);
    }
  }

  private final String wireName;
  private final Audience audience;
  private final boolean sequenced;

  EventType(String wireName, Audience audience, boolean sequenced) {
    this.wireName = wireName;
    this.audience = audience;
    this.sequenced = sequenced;
  }

  public String wireName() {
    return wireName;
  }

  public Audience audience() {
    return audience;
  }

  public boolean sequenced() {
    return sequenced;
  }

  /** The type of this wire name; empty for a type this node does not know (a newer node's): skip it, never throw. */
  public static Optional<EventType> find(String wireName) {
    return Optional.ofNullable(wireName == null ? null : BY_WIRE.get(wireName));
  }

  /** Whether events of this wire name are sequenced; unknown types are not. */
  public static boolean isSequenced(String wireName) {
    return find(wireName).map(EventType::sequenced).orElse(false);
  }
}
