package dev.ocomms.messaging;

import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;

/**
 * Reading what a chat holds: history pages (top-level messages or one thread's replies). Members only. Catching up
 * after a gap is {@link SyncActions}.
 */
final class HistoryActions {
  static final int MAX_HISTORY = 100;
  static final int DEFAULT_HISTORY = 50;

  private final MessageStore store;

  HistoryActions(MessageStore store) {
    this.store = store;
  }

  /** {@code chat.history {chatId, beforeSeq?, afterSeq?, limit?, rootId?}}. */
  Single<JsonObject> history(BusRequest request) {
    UUID caller = request.caller();
    Input body = request.body();
    UUID chatId = body.id("chatId");
    Long beforeSeq = body.optionalLong("beforeSeq", 0, Long.MAX_VALUE).orElse(null);
    Long afterSeq = body.optionalLong("afterSeq", 0, Long.MAX_VALUE).orElse(null);
    if (beforeSeq != null && afterSeq != null) {
      throw Input.invalid("afterSeq", "give beforeSeq or afterSeq, not both");
    }
    int limit = body.optionalInt("limit", 1, MAX_HISTORY).orElse(DEFAULT_HISTORY);
    UUID rootId = body.has("rootId") ? body.id("rootId") : null;
    return store.standing(chatId, caller)
        .filter(MessageStore.Standing::member)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such chat")))
        .flatMap(standing -> store.history(chatId, rootId, beforeSeq, afterSeq, limit + 1))
        .map(messages -> {
          boolean hasMore = messages.size() > limit;
          List<Message> page = hasMore ? messages.subList(0, limit) : messages;
          return new JsonObject()
              .put("chatId", chatId.toString())
              .put("messages", new JsonArray(page.stream().map(Message::toJson).toList()))
              .put("hasMore", hasMore);
        });
  }

}
