package dev.ocomms.search;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;

/**
 * A chat whose messages the caller may read now, as messaging answers {@code messaging.chat.readable}: one they are a
 * member of, or a public channel of the workspace ({@code member} false). Search passes these ids into its query.
 */
record ReadableChat(UUID id, boolean dm, String name, String topic, boolean isPrivate, boolean member,
                    int memberCount, List<UUID> memberIds) {

  static ReadableChat of(JsonObject chat) {
    JsonArray members = chat.getJsonArray("memberIds", new JsonArray());
    return new ReadableChat(UUID.fromString(chat.getString("id")), "dm".equals(chat.getString("kind")),
        chat.getString("name"), chat.getString("topic", ""), chat.getBoolean("private", false),
        chat.getBoolean("member", false), chat.getInteger("memberCount", 0),
        members.stream().map(id -> UUID.fromString((String) id)).toList());
  }

  /** How a message result names its chat. */
  JsonObject summary() {
    JsonObject json = new JsonObject()
        .put("id", id.toString())
        .put("kind", dm ? "dm" : "channel")
        .put("name", name)
        .put("private", isPrivate)
        .put("joined", member);
    if (dm) {
      json.put("memberIds", new JsonArray(memberIds.stream().map(UUID::toString).toList()));
    }
    return json;
  }

  /** How a channel result describes it. */
  JsonObject channel() {
    return new JsonObject()
        .put("id", id.toString())
        .put("name", name)
        .put("topic", topic)
        .put("private", isPrivate)
        .put("joined", member)
        .put("memberCount", memberCount);
  }
}
