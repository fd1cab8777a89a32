package dev.ocomms.messaging;

import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Coalesces one messaging instance's message-driven badges per (user, chat): the first change after a quiet window
 * goes out at once (an idle chat's badge is as quick as without throttling); further changes within the window mark
 * the pair pending, and one badge goes out when the window ends, with the counts read from Redis at that moment
 * (another instance may have handled a read in the meantime: a stale count must never overwrite a newer one). Badges
 * that are not message-driven (a read, a recount) go out at once and open a window too.
 *
 * <p>Runs on its instance's event loop only: plain maps, one timer.
 */
final class BadgeThrottle {
  private static final Logger LOG = LoggerFactory.getLogger(BadgeThrottle.class);

  /**
   * At most one message-driven badge per (user, chat) per window: a busy chat of 1,000 members otherwise sends one
   * event per member per message batch, more than the gateways can write; a quarter second still looks live.
   */
  static final long WINDOW_MS = 250;
  private static final int MAX_CONCURRENT_READS = 64;

  /** Publishes one badge on {@code user.<userId>}. */
  @FunctionalInterface
  interface Publisher {
    void publish(UUID userId, UUID chatId, UnreadCounters.Counts counts);
  }

  private record Key(UUID userId, UUID chatId) {
  }

  /** When the last badge of a pair went out, and a stamp that changes with every badge of the pair. */
  private record Sent(long atMs, long stamp) {
  }

  private final Vertx vertx;
  private final Publisher publisher;
  private final BiFunction<UUID, List<UUID>, Single<Map<UUID, UnreadCounters.Counts>>> freshCounts;
  private final long windowMs;
  // Ordered by the time of the last badge (a new badge moves its pair to the end): the head is the oldest.
  private final LinkedHashMap<Key, Sent> sent = new LinkedHashMap<>();
  private final Set<Key> pending = new HashSet<>();
  private long stamps;
  private long timerId = -1;
  private long timerAtMs;
  private boolean closed;

  BadgeThrottle(Vertx vertx, Publisher publisher,
                BiFunction<UUID, List<UUID>, Single<Map<UUID, UnreadCounters.Counts>>> freshCounts) {
    this(vertx, publisher, freshCounts, WINDOW_MS);
  }

  BadgeThrottle(Vertx vertx, Publisher publisher,
                BiFunction<UUID, List<UUID>, Single<Map<UUID, UnreadCounters.Counts>>> freshCounts, long windowMs) {
    this.vertx = vertx;
    this.publisher = publisher;
    this.freshCounts = freshCounts;
    this.windowMs = windowMs;
  }

  /** A new message changed the member's counts to {@code counts}: badge now, or once at the end of the window. */
  void messageChanged(UUID userId, UUID chatId, UnreadCounters.Counts counts) {
    long now = nowMs();
    forgetExpired(now);
    Key key = new Key(userId, chatId);
    Sent last = sent.get(key);
    if (last == null || now - last.atMs() >= windowMs) {
      publish(key, counts, now);
      return;
    }
    if (pending.add(key)) {
      flushAt(last.atMs() + windowMs, now);
    }
  }

  /** Counts that changed for another reason than a new message (a read, a recount): badge now. */
  void changed(UUID userId, UUID chatId, UnreadCounters.Counts counts) {
    long now = nowMs();
    forgetExpired(now);
    publish(new Key(userId, chatId), counts, now);
  }

  /** Pairs remembered (sent within the window, or pending): for tests. */
  int remembered() {
    return sent.size();
  }

  /** Stops the timer; pending badges are dropped (clients reload the chat list when they reconnect). */
  void close() {
    closed = true;
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    pending.clear();
    sent.clear();
  }

  private void publish(Key key, UnreadCounters.Counts counts, long now) {
    markSent(key, now);
    publisher.publish(key.userId(), key.chatId(), counts);
  }

  private void markSent(Key key, long now) {
    sent.remove(key);
    sent.put(key, new Sent(now, ++stamps));
  }

  /** Drops pairs whose window has ended with nothing pending, from the head (the oldest) on. */
  private void forgetExpired(long now) {
    Iterator<Map.Entry<Key, Sent>> entries = sent.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<Key, Sent> entry = entries.next();
      if (now - entry.getValue().atMs() < windowMs) {
        return;
      }
      if (!pending.contains(entry.getKey())) {
        entries.remove();
      }
    }
  }

  /** Makes sure the timer fires by {@code dueMs}. */
  private void flushAt(long dueMs, long now) {
    if (closed || (timerId != -1 && timerAtMs <= dueMs)) {
      return;
    }
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
    }
    timerAtMs = dueMs;
    timerId = vertx.setTimer(Math.max(1, dueMs - now), id -> {
      timerId = -1;
      flushDue();
    });
  }

  /** Sends the trailing badge of every pending pair whose window has ended, with the counts Redis holds now. */
  private void flushDue() {
    long now = nowMs();
    Map<UUID, List<UUID>> chatsByUser = new LinkedHashMap<>();
    Map<Key, Long> stampsAtRead = new LinkedHashMap<>();
    List<Key> due = new ArrayList<>();
    Iterator<Map.Entry<Key, Sent>> entries = sent.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<Key, Sent> entry = entries.next();
      if (now - entry.getValue().atMs() < windowMs) {
        break;
      }
      entries.remove();
      if (pending.remove(entry.getKey())) {
        due.add(entry.getKey());
      }
    }
    // The trailing badge opens the next window, so that a steady stream gives one badge per window.
    due.forEach(key -> {
      markSent(key, now);
      stampsAtRead.put(key, stamps);
      chatsByUser.computeIfAbsent(key.userId(), user -> new ArrayList<>()).add(key.chatId());
    });
    scheduleEarliestPending(now);
    // A bounded number of reads at a time: a flush of a busy chat holds one per member.
    Observable.fromIterable(chatsByUser.entrySet())
        .flatMap(entry -> freshCounts.apply(entry.getKey(), entry.getValue())
                .map(counts -> Map.entry(entry, counts))
                .toObservable()
                .onErrorResumeNext(failure -> {
                  LOG.warn("badges not sent: userId={} chats={} reason={}", entry.getKey(), entry.getValue().size(),
                      failure.toString());
                  return Observable.empty();
                }),
            MAX_CONCURRENT_READS)
        .subscribe(read -> read.getKey().getValue().forEach(chatId ->
            deliver(new Key(read.getKey().getKey(), chatId), read.getValue().get(chatId), stampsAtRead)),
            failure -> LOG.warn("badges not sent: reason={}", failure.toString()));
  }

  /** The trailing badge of one pair with the counts just read, unless another badge of the pair went out meanwhile. */
  private void deliver(Key key, UnreadCounters.Counts current, Map<Key, Long> stampsAtRead) {
    if (closed || current == null) {
      return;
    }
    Sent last = sent.get(key);
    if (last != null && last.stamp() == stampsAtRead.get(key)) {
      publisher.publish(key.userId(), key.chatId(), current);
      return;
    }
    // Another badge of this pair went out while Redis was being read: which of the two is newer is not known, so
    // read again at the end of this window rather than risk overwriting it.
    long now = nowMs();
    if (last == null) {
      markSent(key, now);
      last = sent.get(key);
    }
    pending.add(key);
    flushAt(last.atMs() + windowMs, now);
  }

  private void scheduleEarliestPending(long now) {
    long earliest = Long.MAX_VALUE;
    for (Key key : pending) {
      earliest = Math.min(earliest, sent.get(key).atMs() + windowMs);
    }
    if (earliest != Long.MAX_VALUE) {
      flushAt(earliest, now);
    }
  }

  private static long nowMs() {
    return System.nanoTime() / 1_000_000;
  }
}
