package dev.ocomms.messaging;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A channel or a DM as everyone sees it (nothing in it depends on who asks, so one serialization serves every
 * audience of an event). {@code memberIds} is set for DMs only, whose member set is fixed and small.
 */
record Chat(UUID id, UUID workspaceId, Kind kind, String name, String topic, String purpose, boolean isPrivate,
            boolean archived,
            int memberCount, long lastSeq, UUID createdBy, OffsetDateTime createdAt, List<UUID> memberIds) {

  enum Kind {
    CHANNEL("channel"), DM("dm");

    final String wireName;

    Kind(String wireName) {
      this.wireName = wireName;
    }

    static Kind of(String wireName) {
      return wireName.equals(DM.wireName) ? DM : CHANNEL;
    }
  }

  boolean isDm() {
    return kind == Kind.DM;
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id.toString())
        .put("workspaceId", workspaceId.toString())
        .put("kind", kind.wireName)
        .put("name", name)
        .put("topic", topic)
        .put("purpose", purpose)
        .put("private", isPrivate)
        .put("archived", archived)
        .put("memberCount", memberCount)
        .put("lastSeq", lastSeq)
        .put("createdBy", createdBy.toString())
        .put("createdAt", Timestamps.iso(createdAt));
    if (isDm()) {
      json.put("memberIds", new JsonArray(memberIds.stream().map(UUID::toString).toList()));
    }
    return json;
  }
}
