package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import io.reactivex.rxjava3.core.Observable;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static dev.ocomms.messaging.MessagingApi.badge;
import static dev.ocomms.messaging.MessagingApi.message;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Message-driven badges are coalesced per member and chat; the last one carries the current counts")
class BadgeCoalescingTest {
  /** One messaging instance: the throttle is per instance, so all of a chat's badges pass through this one. */
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  /** Sends {@code count} messages at once, round-robin over {@code senders} (each within its burst allowance). */
  private static List<JsonObject> burst(List<UUID> senders, String chatId, int count) {
    return Observable.range(0, count)
        .flatMapSingle(i -> api.request(1, senders.get(i % senders.size()), Addresses.CHAT_MESSAGE_SEND,
            message(chatId, "burst " + i)))
        .toList().blockingGet();
  }

  private static long millisSince(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
  }

  /** A chat of {@code owner}, bob and ten senders; its id. */
  private static String chat(UUID owner, UUID bob, List<UUID> team) {
    UUID[] members = java.util.stream.Stream.concat(java.util.stream.Stream.of(bob), team.stream())
        .toArray(UUID[]::new);
    api.workspace(owner, members);
    return api.chatNamed(owner, "general").getString("id");
  }

  private static List<UUID> team() {
    return IntStream.range(0, 10).mapToObj(i -> newUser()).toList();
  }

  @Test
  @DisplayName("20 messages one after another (each its own batch) give a member a leading badge and at most one per window after it, the last with unread 20")
  void streamIsCoalesced() {
    UUID owner = newUser();
    UUID bob = newUser();
    List<UUID> team = team();
    String chatId = chat(owner, bob, team);
    int count = 20;
    try (EventProbe bobs = api.listenToUser(bob)) {
      long start = System.nanoTime();
      // Sequential sends: every message commits alone, so batching alone would badge bob 20 times.
      api.sendMany(team, chatId, count / team.size());
      bobs.awaitMatching("notification.badge", badge(chatId, count, 0)::equals);
      long elapsedMs = millisSince(start);

      assertThat(bobs.settledBadges()).as("badges of %s messages over %s ms", count, elapsedMs)
          .endsWith(badge(chatId, count, 0))
          // Consecutive badges of one instance are a window apart: the leading one, then at most one per window.
          .hasSizeLessThanOrEqualTo(2 + (int) (elapsedMs / BadgeThrottle.WINDOW_MS))
          .hasSizeLessThan(count);
      assertThat(api.listed(bob, chatId).getLong("unreadCount")).isEqualTo(count);
    }
  }

  @Test
  @DisplayName("a member who reads during a burst ends with a badge of the counts after the read, not a stale one")
  void readDuringBurstEndsWithFreshCounts() {
    UUID owner = newUser();
    UUID bob = newUser();
    List<UUID> team = team();
    String chatId = chat(owner, bob, team);
    try (EventProbe bobs = api.listenToUser(bob)) {
      api.send(owner, chatId, "first");
      bobs.awaitMatching("notification.badge", badge(chatId, 1, 0)::equals);
      // Within the window of that leading badge: these are counted as pending, then bob reads them all.
      long lastSeq = burst(team, chatId, 19).stream().mapToLong(ack -> ack.getLong("seq")).max().orElseThrow();

      JsonObject read = api.read(bob, chatId, lastSeq);

      assertThat(read.getLong("unreadCount")).isZero();
      bobs.awaitMatching("notification.badge", badge(chatId, 0, 0)::equals);
      // Past the window, so that any trailing badge has gone out.
      try {
        Thread.sleep(2 * BadgeThrottle.WINDOW_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      assertThat(bobs.settledBadges()).as("the last badge bob's devices show").last().isEqualTo(badge(chatId, 0, 0));
      assertThat(api.listed(bob, chatId).getLong("unreadCount")).isZero();
    }
  }

  @Test
  @DisplayName("in a chat that has been quiet for a window, a new message badges at once")
  void idleChatBadgesAtOnce() {
    UUID owner = newUser();
    UUID bob = newUser();
    String chatId = chat(owner, bob, List.of());
    try (EventProbe bobs = api.listenToUser(bob)) {
      api.send(owner, chatId, "hello");
      bobs.awaitMatching("notification.badge", badge(chatId, 1, 0)::equals);
      try {
        Thread.sleep(2 * BadgeThrottle.WINDOW_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }

      api.send(owner, chatId, "again");
      long acked = System.nanoTime();
      bobs.awaitMatching("notification.badge", badge(chatId, 2, 0)::equals);

      assertThat(millisSince(acked)).as("the badge is not held until the window ends")
          .isLessThan(BadgeThrottle.WINDOW_MS);
      assertThat(bobs.settledBadges()).containsExactly(badge(chatId, 1, 0), badge(chatId, 2, 0));
    }
  }
}
