package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
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
 * {@code chat.sync}: the events a client missed in its chats since the last seq it saw of each, bounded by bytes.
 *
 * <p>Each message appears once per reply, in its current state, in its chat's {@code messages}; the events refer to it
 * by {@code messageId} (a chat whose message had 300 reactions replayed that message 300 times, with all its
 * reactions). The events and messages of one reply come to at most {@link #MAX_REPLY_BYTES} of JSON: the reply stops
 * at the first event that would pass it and says, per chat, {@code hasMore} and the {@code syncedSeq} to ask from
 * next; the chats after it are answered without events the same way. The database stops there too (see
 * {@link MessageStore#eventsToSync}), so one request cannot make this node load more than about one reply.
 */
final class SyncActions {
  static final int MAX_SYNC_CHATS = 500;
  /** A gap of more events than this is not replayed ({@code tooLarge}): the client reloads the chat from history. */
  static final int MAX_SYNC_EVENTS = 500;
  /**
   * The events and messages of one reply, as JSON, come to at most this (at least one event always goes out): well
   * inside a bridge connection's byte bound and the 256 KiB a WebSocket client library accepts by default, so a
   * sync never costs a client its connection.
   */
  static final int MAX_REPLY_BYTES = 128 * 1024;

  private final MessageStore store;

  SyncActions(MessageStore store) {
    this.store = store;
  }

  /** {@code chat.sync {chats: {chatId: lastSeq}}}: for each chat, the events after that seq, or why not. */
  Single<JsonObject> sync(BusRequest request) {
    UUID caller = request.caller();
    JsonObject chats = request.body().object("chats");
    if (chats.size() > MAX_SYNC_CHATS) {
      throw Input.invalid("chats", "at most " + MAX_SYNC_CHATS + " chats per sync");
    }
    Budget budget = new Budget();
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
          return syncChat(chatId.get(), caller, number.longValue(), budget)
              .defaultIfEmpty(notFoundEntry())
              .map(entry -> Map.entry(chatKey, entry));
        })
        .doOnNext(entry -> result.put(entry.getKey(), entry.getValue()))
        .ignoreElements()
        .andThen(Single.fromCallable(() -> new JsonObject().put("chats", result)));
  }

  private Maybe<JsonObject> syncChat(UUID chatId, UUID caller, long lastSeq, Budget budget) {
    return store.standing(chatId, caller)
        .filter(MessageStore.Standing::member)
        .flatMapSingle(standing -> {
          // Seqs are gap-free, so the gap's size is known without reading it.
          if (standing.lastSeq() - lastSeq > MAX_SYNC_EVENTS) {
            return Single.just(entry(standing, true, lastSeq, new JsonArray(), new JsonObject()));
          }
          if (standing.lastSeq() <= lastSeq || budget.full) {
            return Single.just(entry(standing, false, lastSeq, new JsonArray(), new JsonObject()));
          }
          return store.eventsToSync(chatId, lastSeq, MAX_SYNC_EVENTS, budget.left(), budget.empty())
              .map(events -> fill(standing, lastSeq, events, budget));
        });
  }

  /** The chat's entry with as many of {@code events} as the budget takes. */
  private static JsonObject fill(MessageStore.Standing standing, long lastSeq, List<MessageStore.SyncEvent> events,
                                 Budget budget) {
    String chat = standing.chatId().toString();
    JsonArray list = new JsonArray();
    JsonObject messages = new JsonObject();
    long syncedSeq = lastSeq;
    for (MessageStore.SyncEvent stored : events) {
      JsonObject event = EventType.find(stored.type()).map(type -> event(chat, type, stored)).orElse(null);
      JsonObject message = stored.message() == null ? null : stored.message().toJson();
      // Quotes, colon and commas around each value in the reply, besides the values themselves.
      long bytes = (event == null ? 0 : event.toBuffer().length() + 1)
          + (message == null ? 0 : message.toBuffer().length() + stored.messageId().toString().length() + 4);
      if (!budget.take(bytes)) {
        break;
      }
      if (event != null) {
        list.add(event);
      }
      if (message != null) {
        messages.put(stored.messageId().toString(), message);
      }
      syncedSeq = stored.seq();
    }
    JsonObject entry = entry(standing, false, syncedSeq, list, messages);
    if (entry.getBoolean("hasMore")) {
      budget.full = true; // this chat was cut short: the reply ends here
    }
    return entry;
  }

  /**
   * One replayed event: the live event's fields without the message (which is in {@code messages}, as it is now) and,
   * for a reaction, without the message's reactions.
   */
  private static JsonObject event(String chat, EventType type, MessageStore.SyncEvent stored) {
    JsonObject event = new JsonObject().put("type", type.wireName()).put("chatId", chat).put("seq", stored.seq())
        .put("messageId", stored.messageId().toString());
    if (type == EventType.MESSAGE_REACTION && stored.detail() != null) {
      event.put("emoji", stored.detail().getString("emoji")).put("userId", stored.detail().getString("userId"))
          .put("action", stored.detail().getString("action"));
    }
    if ((type == EventType.MESSAGE_PINNED || type == EventType.MESSAGE_UNPINNED) && stored.detail() != null) {
      event.put("userId", stored.detail().getString("userId")).put("pinnedAt", stored.detail().getString("pinnedAt"));
    }
    return event;
  }

  private static JsonObject entry(MessageStore.Standing standing, boolean tooLarge, long syncedSeq, JsonArray events,
                                  JsonObject messages) {
    return new JsonObject()
        .put("lastSeq", standing.lastSeq())
        .put("tooLarge", tooLarge)
        .put("events", events)
        .put("messages", messages)
        .put("hasMore", !tooLarge && syncedSeq < standing.lastSeq())
        .put("syncedSeq", syncedSeq);
  }

  private static JsonObject notFoundEntry() {
    return new JsonObject().put("error", ErrorCode.NOT_FOUND.wireName());
  }

  /** What is left of one reply's bytes; the reply's first event always fits, so that every reply makes progress. */
  private static final class Budget {
    private long used;
    private boolean anything;
    private boolean full;

    long left() {
      return MAX_REPLY_BYTES - used;
    }

    boolean empty() {
      return !anything;
    }

    boolean take(long bytes) {
      if (anything && used + bytes > MAX_REPLY_BYTES) {
        full = true;
        return false;
      }
      used += bytes;
      anything = true;
      return true;
    }
  }
}
