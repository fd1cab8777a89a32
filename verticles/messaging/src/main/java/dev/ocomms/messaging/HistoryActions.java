package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.EventType;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reading what a chat holds: history pages (top-level messages or one thread's replies) and sync after a gap (every
 * event after the client's last seq, per chat, with the messages in their current state). Members only.
 */
final class HistoryActions {
  static final int MAX_HISTORY = 100;
  static final int DEFAULT_HISTORY = 50;
  static final int MAX_SYNC_EVENTS = 500;
  static final int MAX_SYNC_CHATS = 500;

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

  /** {@code chat.sync {chats: {chatId: lastSeq}}}: for each chat, every event after that seq, or why not. */
  Single<JsonObject> sync(BusRequest request) {
    UUID caller = request.caller();
    JsonObject chats = request.body().object("chats");
    if (chats.size() > MAX_SYNC_CHATS) {
      throw Input.invalid("chats", "at most " + MAX_SYNC_CHATS + " chats per sync");
    }
    JsonObject result = new JsonObject();
    return Observable.fromIterable(chats.fieldNames())
        .concatMapSingle(chatKey -> {
          Object last = chats.getValue(chatKey);
          if (!(last instanceof Number number) || number.longValue() < 0) {
            return Single.just(Map.entry(chatKey, new JsonObject().put("error", ErrorCode.VALIDATION_FAILED.wireName())
                .put("detail", "lastSeq must be a whole number ≥ 0")));
          }
          Optional<UUID> chatId = Ids.parse(chatKey);
          if (chatId.isEmpty()) {
            return Single.just(Map.entry(chatKey, notFoundEntry()));
          }
          return syncChat(chatId.get(), caller, number.longValue())
              .defaultIfEmpty(notFoundEntry())
              .map(entry -> Map.entry(chatKey, entry));
        })
        .doOnNext(entry -> result.put(entry.getKey(), entry.getValue()))
        .ignoreElements()
        .andThen(Single.fromCallable(() -> new JsonObject().put("chats", result)));
  }

  private Maybe<JsonObject> syncChat(UUID chatId, UUID caller, long lastSeq) {
    return store.standing(chatId, caller)
        .filter(MessageStore.Standing::member)
        .flatMapSingle(standing -> store.eventsAfter(chatId, lastSeq, MAX_SYNC_EVENTS + 1).map(events -> {
          JsonObject entry = new JsonObject().put("lastSeq", standing.lastSeq());
          if (events.size() > MAX_SYNC_EVENTS) {
            return entry.put("tooLarge", true).put("events", new JsonArray());
          }
          JsonArray list = new JsonArray();
          events.forEach(stored -> EventType.find(stored.type())
              .ifPresent(type -> list.add(stored.message().asEvent(type, stored.seq(), stored.detail()).toJson())));
          return entry.put("tooLarge", false).put("events", list);
        }));
  }

  private static JsonObject notFoundEntry() {
    return new JsonObject().put("error", ErrorCode.NOT_FOUND.wireName());
  }
}
