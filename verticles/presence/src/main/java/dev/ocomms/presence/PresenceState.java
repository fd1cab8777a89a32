package dev.ocomms.presence;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Set;

/**
 * What others see of a user: {@code available}, {@code away}, {@code dnd}, {@code brb} while any of their sessions is
 * connected, {@code offline} (with {@code lastSeen}) when none is, {@code unknown} when presence cannot be read.
 * An available user who is idle shows as away.
 */
record PresenceState(String userId, String status, Long lastSeenMillis) {
  static final Set<String> CHOSEN = Set.of("available", "away", "dnd", "brb");

  static PresenceState of(String userId, boolean online, String chosen, boolean idle, Long lastSeen) {
    if (!online) {
      return new PresenceState(userId, "offline", lastSeen);
    }
    String status = chosen == null || !CHOSEN.contains(chosen) ? "available" : chosen;
    return new PresenceState(userId, idle && status.equals("available") ? "away" : status, null);
  }

  static PresenceState unknown(String userId) {
    return new PresenceState(userId, "unknown", null);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("userId", userId).put("status", status);
    if (lastSeenMillis != null) {
      json.put("lastSeen", Instant.ofEpochMilli(lastSeenMillis).toString());
    }
    return json;
  }
}
