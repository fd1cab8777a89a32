package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.events.EventStream;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.StreamCursor;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The durable event stream, read by other verticles ({@code messaging.events.read}): every committed change to a
 * chat's messages, in stream order, after a cursor, a bounded page at a time. Internal: browsers cannot reach it
 * (not a bridge address), and it serves no user, so it needs no caller.
 */
final class EventStreamActions {
  private final MessageStore store;

  EventStreamActions(MessageStore store) {
    this.store = store;
  }

  /** {@code messaging.events.read {after?, limit?}}: the next page of events after the cursor. */
  Single<JsonObject> readEvents(Input body) {
    StreamCursor after = body.has("after")
        ? StreamCursor.parse(body.string("after"))
            .orElseThrow(() -> Input.invalid("after", "after must be a cursor given by this stream"))
        : StreamCursor.START;
    int limit = body.optionalInt("limit", 1, EventStream.MAX_PAGE).orElse(100);
    return store.streamAfter(after.tx(), after.position(), limit + 1).map(rows -> {
      boolean hasMore = rows.size() > limit;
      List<MessageStore.StreamRow> page = hasMore ? rows.subList(0, limit) : rows;
      JsonArray events = new JsonArray();
      StreamCursor next = after;
      for (MessageStore.StreamRow row : page) {
        next = new StreamCursor(row.tx(), row.position());
        JsonObject json = EventType.find(row.type())
            .map(type -> row.message().asEvent(type, row.seq(), row.detail()).toJson())
            // A type this node does not know (a newer node wrote it): passed on as it is, for newer readers.
            .orElseGet(() -> new JsonObject().put("type", row.type()).put("chatId", row.chatId().toString())
                .put("seq", row.seq()));
        events.add(json.put("position", next.wire()));
      }
      return new JsonObject().put("events", events).put("next", next.wire()).put("hasMore", hasMore);
    });
  }
}
