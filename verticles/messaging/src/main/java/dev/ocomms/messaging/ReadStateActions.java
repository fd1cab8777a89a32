package dev.ocomms.messaging;

import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.Optional;
import java.util.UUID;

/**
 * Read state: a member's read watermark per chat, which only moves forward. A read that moves it answers the
 * member's counts, sends them to all of the member's sessions ({@code notification.badge}) and tells the chat
 * ({@code read.receipt}).
 */
final class ReadStateActions {
  private final Vertx vertx;
  private final MessageStore store;
  private final UnreadBadges badges;

  ReadStateActions(Vertx vertx, MessageStore store, UnreadBadges badges) {
    this.vertx = vertx;
    this.store = store;
    this.badges = badges;
  }

  /** A member's read watermark after a read, and whether that read moved it. */
  private record Watermark(long seq, boolean moved) {
  }

  /** {@code chat.read {chatId, seq}}: up to the chat's last seq; the answer's seq is the watermark as it now is. */
  Single<JsonObject> markRead(BusRequest request) {
    UUID caller = request.caller();
    UUID chatId = request.body().id("chatId");
    long seq = request.body().optionalLong("seq", 0, Long.MAX_VALUE)
        .orElseThrow(() -> Input.invalid("seq", "seq is required"));
    return store.standing(chatId, caller)
        .filter(MessageStore.Standing::member)
        .switchIfEmpty(Single.error(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such chat")))
        .flatMap(standing -> {
          long target = Math.min(seq, standing.lastSeq());
          // Not moved (an older seq, or a race with another device): answer with the watermark as it is.
          return store.advanceRead(chatId, caller, target)
              .map(moved -> new Watermark(moved, true))
              .switchIfEmpty(store.readWatermark(chatId, caller).map(current -> new Watermark(current, false))
                  .toSingle())
              .flatMap(watermark -> store.unreadOfMembers(chatId, Optional.of(caller)).map(all -> {
                MessageStore.MemberCounts counts = all.getOrDefault(caller, new MessageStore.MemberCounts(0, 0, 0));
                long readSeq = watermark.seq();
                if (watermark.moved()) {
                  badges.send(caller, chatId, counts);
                  Events.publish(vertx.eventBus(),
                      new Event.ReadReceipt(chatId.toString(), caller.toString(), readSeq));
                }
                return new JsonObject().put("chatId", chatId.toString()).put("seq", readSeq)
                    .put("unreadCount", counts.unread()).put("mentionCount", counts.mentions());
              }));
        });
  }
}
