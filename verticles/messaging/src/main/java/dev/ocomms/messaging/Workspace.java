package dev.ocomms.messaging;

import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A workspace as one member sees it: {@code role} is that member's; {@code generalChatId} its default channel (the
 * #general every member joins), which clients do not offer to leave.
 */
record Workspace(UUID id, String name, String role, int memberCount, OffsetDateTime createdAt, UUID generalChatId) {
  JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("role", role)
        .put("memberCount", memberCount)
        .put("createdAt", Timestamps.iso(createdAt))
        .put("generalChatId", generalChatId == null ? null : generalChatId.toString());
  }
}
