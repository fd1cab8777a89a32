package dev.ocomms.shared.events;

import io.vertx.core.json.JsonObject;

/**
 * One event read from the durable stream: where it stands ({@link #cursor}) and its wire JSON (the same shape clients
 * receive live, with the message as it is now). {@link #type} is empty for a type this node does not know (written by
 * a newer node): a consumer skips it and moves on.
 */
public record StreamEvent(StreamCursor cursor, java.util.Optional<EventType> type, JsonObject json) {

  public static StreamEvent of(JsonObject json) {
    StreamCursor cursor = StreamCursor.parse(json.getString("position"))
        .orElseThrow(() -> new IllegalArgumentException("a stream event without a position"));
    return new StreamEvent(cursor, EventType.find(json.getString("type")), json);
  }

  public String chatId() {
    return json.getString("chatId");
  }

  public long seq() {
    return json.getLong("seq", -1L);
  }
}
