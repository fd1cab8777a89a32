package dev.ocomms.notifications;

import io.vertx.core.json.JsonObject;

import java.util.Optional;

/** A user's settings for one chat: what notifies ({@link Level}) and whether the chat is muted. */
record ChatSettings(Level level, boolean muted) {
  /** Without settings of one's own: mentions (and, in DMs, every message), not muted. */
  static final ChatSettings DEFAULTS = new ChatSettings(Level.MENTIONS, false);

  enum Level {
    ALL("all"), MENTIONS("mentions"), NOTHING("nothing");

    final String wireName;

    Level(String wireName) {
      this.wireName = wireName;
    }

    static Optional<Level> find(String wireName) {
      for (Level level : values()) {
        if (level.wireName.equals(wireName)) {
          return Optional.of(level);
        }
      }
      return Optional.empty();
    }
  }

  JsonObject toJson(String chatId) {
    return new JsonObject().put("chatId", chatId).put("level", level.wireName).put("muted", muted);
  }
}
