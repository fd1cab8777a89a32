package dev.ocomms.messaging;

import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.UUID;

/**
 * A member's unread and mention counts, as PostgreSQL counts them, sent to their sessions
 * ({@code notification.badge}). Clients count new messages themselves; the server sends counts only where a client
 * cannot count: after a read, and after a change that is hard to count (a delete, an edit of mentions).
 */
final class UnreadBadges {
  private static final Logger LOG = LoggerFactory.getLogger(UnreadBadges.class);

  private final Vertx vertx;
  private final MessageStore store;

  UnreadBadges(Vertx vertx, MessageStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  /** A member's counts in a chat, to their sessions. */
  void send(UUID userId, UUID chatId, MessageStore.MemberCounts counts) {
    Events.publish(vertx.eventBus(), new Event.NotificationBadge(userId.toString(), chatId.toString(),
        counts.unread(), counts.mentions()));
  }

  /**
   * After a committed change to {@code message} (as it was before the change): the members for whom it was unread
   * (everyone but its sender whose watermark is below it) hear their counts, recounted, before the reply, so that the
   * caller's next chat list agrees. Never fails the change.
   */
  Completable recount(Message message) {
    return store.unreadOfMembers(message.chatId(), Optional.empty())
        .doOnSuccess(counts -> counts.forEach((userId, member) -> {
          if (!userId.equals(message.senderId()) && member.readSeq() < message.seq()) {
            send(userId, message.chatId(), member);
          }
        }))
        .ignoreElement()
        .onErrorComplete(failure -> {
          LOG.warn("unread counts not recounted: chatId={} reason={}", message.chatId(), failure.toString());
          return true;
        });
  }
}
