package dev.ocomms.messaging;

import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.subjects.SingleSubject;
import io.vertx.rxjava3.core.Context;
import io.vertx.rxjava3.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Badge throttle: one message-driven badge per (user, chat) per window, the trailing one read fresh")
class BadgeThrottleTest {
  private static final long WINDOW_MS = 200;

  private record Badge(UUID userId, UUID chatId, long unread) {
  }

  private Vertx vertx;
  private Context context;
  private final List<Badge> published = new CopyOnWriteArrayList<>();
  /** What Redis holds now, per user and chat, as the flush reads it. */
  private final Map<List<UUID>, Long> redis = new ConcurrentHashMap<>();
  private final List<SingleSubject<Map<UUID, UnreadCounters.Counts>>> heldReads = new CopyOnWriteArrayList<>();
  private volatile boolean holdReads;
  private BadgeThrottle throttle;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    throttle = onContext(() -> new BadgeThrottle(vertx,
        (user, chat, counts) -> published.add(new Badge(user, chat, counts.unread())), this::read, WINDOW_MS));
  }

  @AfterEach
  void stop() {
    onContext(() -> {
      throttle.close();
      return null;
    });
    vertx.rxClose().blockingAwait();
  }

  private Single<Map<UUID, UnreadCounters.Counts>> read(UUID user, List<UUID> chats) {
    Map<UUID, UnreadCounters.Counts> counts = new java.util.HashMap<>();
    chats.forEach(chat -> counts.put(chat, new UnreadCounters.Counts(redis.getOrDefault(List.of(user, chat), 0L), 0)));
    if (!holdReads) {
      return Single.just(counts);
    }
    SingleSubject<Map<UUID, UnreadCounters.Counts>> held = SingleSubject.create();
    heldReads.add(held);
    return held.map(ignored -> counts);
  }

  private <T> T onContext(Supplier<T> action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(ignored -> {
      try {
        result.complete(action.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    try {
      return result.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void message(UUID user, UUID chat, long unread) {
    redis.put(List.of(user, chat), unread);
    onContext(() -> {
      throttle.messageChanged(user, chat, new UnreadCounters.Counts(unread, 0));
      return null;
    });
  }

  private void read(UUID user, UUID chat, long unread) {
    redis.put(List.of(user, chat), unread);
    onContext(() -> {
      throttle.changed(user, chat, new UnreadCounters.Counts(unread, 0));
      return null;
    });
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("the first change goes out at once, the rest of the window's as one badge at its end")
  void leadingAndTrailing() {
    UUID bob = UUID.randomUUID();
    UUID chat = UUID.randomUUID();

    message(bob, chat, 1);
    assertThat(published).as("at once").containsExactly(new Badge(bob, chat, 1));
    for (long unread = 2; unread <= 10; unread++) {
      message(bob, chat, unread);
    }
    assertThat(published).as("nothing more within the window").hasSize(1);

    pause(WINDOW_MS + 150);
    assertThat(published).containsExactly(new Badge(bob, chat, 1), new Badge(bob, chat, 10));
    pause(WINDOW_MS + 50);
    assertThat(published).as("nothing was pending any more").hasSize(2);
  }

  @Test
  @DisplayName("the trailing badge carries the counts read when the window ends, not those computed before")
  void trailingBadgeReadsFresh() {
    UUID bob = UUID.randomUUID();
    UUID chat = UUID.randomUUID();
    message(bob, chat, 1);
    message(bob, chat, 5);
    // A read on another instance: Redis says 0 now, this instance never heard of it.
    redis.put(List.of(bob, chat), 0L);

    pause(WINDOW_MS + 150);

    assertThat(published).containsExactly(new Badge(bob, chat, 1), new Badge(bob, chat, 0));
  }

  @Test
  @DisplayName("pairs are throttled separately: another member or another chat is not held back")
  void perUserAndChat() {
    UUID bob = UUID.randomUUID();
    UUID carol = UUID.randomUUID();
    UUID chat = UUID.randomUUID();
    UUID other = UUID.randomUUID();

    message(bob, chat, 1);
    message(carol, chat, 1);
    message(bob, other, 1);

    assertThat(published).containsExactly(new Badge(bob, chat, 1), new Badge(carol, chat, 1),
        new Badge(bob, other, 1));
  }

  @Test
  @DisplayName("a read goes out at once even within the window, and the pending trailing badge still follows, read fresh")
  void readsAreNotThrottled() {
    UUID bob = UUID.randomUUID();
    UUID chat = UUID.randomUUID();
    message(bob, chat, 1);
    message(bob, chat, 2);

    read(bob, chat, 0);

    assertThat(published).containsExactly(new Badge(bob, chat, 1), new Badge(bob, chat, 0));
    pause(WINDOW_MS + 150);
    assertThat(published).containsExactly(new Badge(bob, chat, 1), new Badge(bob, chat, 0), new Badge(bob, chat, 0));
    message(bob, chat, 1);
    assertThat(published).as("a read opens a window too").hasSize(3);
  }

  @Test
  @DisplayName("a badge sent while the trailing read is in flight wins: that read is dropped and Redis is read again")
  void badgeDuringTheReadWins() {
    UUID bob = UUID.randomUUID();
    UUID chat = UUID.randomUUID();
    message(bob, chat, 1);
    message(bob, chat, 5);
    holdReads = true;
    pause(WINDOW_MS + 150);
    assertThat(heldReads).as("the trailing read started").hasSize(1);

    read(bob, chat, 0);
    holdReads = false;
    heldReads.get(0).onSuccess(Map.of());

    assertThat(published).containsExactly(new Badge(bob, chat, 1), new Badge(bob, chat, 0));
    pause(WINDOW_MS + 150);
    assertThat(published).as("read again, after the window of the read's badge")
        .containsExactly(new Badge(bob, chat, 1), new Badge(bob, chat, 0), new Badge(bob, chat, 0));
  }

  @Test
  @DisplayName("pairs are forgotten once their window has passed, and close stops the pending badges")
  void boundedAndClosed() {
    List<UUID> chats = new ArrayList<>();
    UUID bob = UUID.randomUUID();
    for (int i = 0; i < 100; i++) {
      chats.add(UUID.randomUUID());
      message(bob, chats.get(i), 1);
    }
    assertThat(onContext(throttle::remembered)).isEqualTo(100);

    pause(WINDOW_MS + 50);
    message(bob, chats.get(0), 2);
    message(bob, chats.get(0), 3);
    assertThat(onContext(throttle::remembered)).as("only the pair sent within the window").isEqualTo(1);

    onContext(() -> {
      throttle.close();
      return null;
    });
    pause(WINDOW_MS + 150);
    assertThat(published).as("no trailing badge after close").hasSize(101)
        .last().isEqualTo(new Badge(bob, chats.get(0), 2));
  }
}
