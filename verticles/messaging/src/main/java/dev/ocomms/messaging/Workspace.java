package dev.ocomms.messaging;

import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A workspace as one member sees it: {@code role} is that member's. */
record Workspace(UUID id, String name, String role, int memberCount, OffsetDateTime createdAt) {
  JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("role", role)
        .put("memberCount", memberCount)
        .put("createdAt", Timestamps.iso(createdAt));
  }
}
