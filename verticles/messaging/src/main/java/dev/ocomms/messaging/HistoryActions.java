package dev.ocomms.messaging;

import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Reading what a chat holds: history pages (top-level messages or one thread's replies). Members only. Catching up
 * after a gap is {@link SyncActions}.
 *
 * <p>Pages of older messages ({@code beforeSeq}: scrolling back) are read from the read replica when there is one
 * ({@code OCOMMS_PG_REPLICA_URL}): the client already holds everything newer, and a replica a moment behind has what
 * is older. What a client relies on seeing its own writes in (the newest page after a send or a reload,
 * {@code afterSeq} and {@code aroundSeq} pages, sync) and membership checks read the primary.
 */
final class HistoryActions {
  static final int MAX_HISTORY = 100;
  static final int DEFAULT_HISTORY = 50;

  private final MessageStore store;
  private final MessageStore olderPages;

  HistoryActions(MessageStore store, MessageStore olderPages) {
    this.store = store;
    this.olderPages = olderPages;
  }

  /**
   * {@code chat.history {chatId, beforeSeq? | afterSeq? | aroundSeq?, limit?, rootId?}}: newest first, except after
   * {@code afterSeq} (oldest first). {@code aroundSeq} (to show a message in its context, as a search result does):
   * the message at that seq with up to half the limit of older ones and the rest newer, newest first; the answer
   * then also says {@code hasNewer}.
   */
  Single<JsonObject> history(BusRequest request) {
    UUID caller = request.caller();
    Input body = request.body();
    UUID chatId = body.id("chatId");
    Long beforeSeq = body.optionalLong("beforeSeq", 0, Long.MAX_VALUE).orElse(null);
    Long afterSeq = body.optionalLong("afterSeq", 0, Long.MAX_VALUE).orElse(null);
    Long aroundSeq = body.optionalLong("aroundSeq", 0, Long.MAX_VALUE - 1).orElse(null);
    if (beforeSeq != null && afterSeq != null) {
      throw Input.invalid("afterSeq", "give beforeSeq or afterSeq, not both");
    }
    if (aroundSeq != null && (beforeSeq != null || afterSeq != null)) {
      throw Input.invalid("aroundSeq", "give one of beforeSeq, afterSeq and aroundSeq");
    }
    int limit = body.optionalInt("limit", 1, MAX_HISTORY).orElse(DEFAULT_HISTORY);
    UUID rootId = body.has("rootId") ? body.id("rootId") : null;
    return store.standing(chatId, caller)
        .filter(MessageStore.Standing::member)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such chat")))
        .flatMap(standing -> aroundSeq != null
            ? around(chatId, rootId, aroundSeq, limit)
            : (beforeSeq != null ? olderPages : store).history(chatId, rootId, beforeSeq, afterSeq, limit + 1)
                .map(messages -> {
                  boolean hasMore = messages.size() > limit;
                  return page(chatId, hasMore ? messages.subList(0, limit) : messages).put("hasMore", hasMore);
                }));
  }

  /** The page around a seq: the older half (with the seq itself) and the newer half, read as two ordinary pages. */
  private Single<JsonObject> around(UUID chatId, UUID rootId, long seq, int limit) {
    int newerWanted = limit / 2;
    int olderWanted = limit - newerWanted;
    return store.history(chatId, rootId, seq + 1, null, olderWanted + 1)
        .zipWith(store.history(chatId, rootId, null, seq, newerWanted + 1), (older, newer) -> {
          boolean hasMore = older.size() > olderWanted;
          boolean hasNewer = newer.size() > newerWanted;
          List<Message> shown = new ArrayList<>(hasNewer ? newer.subList(0, newerWanted) : newer);
          Collections.reverse(shown); // newest first, as every page but an afterSeq one
          shown.addAll(hasMore ? older.subList(0, olderWanted) : older);
          return page(chatId, shown).put("hasMore", hasMore).put("hasNewer", hasNewer);
        });
  }

  private static JsonObject page(UUID chatId, List<Message> messages) {
    return new JsonObject()
        .put("chatId", chatId.toString())
        .put("messages", new JsonArray(messages.stream().map(Message::toJson).toList()));
  }
}
