package dev.ocomms.bench;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

/**
 * The people posting while the browser watches: each sender posts over REST ({@code POST /api/v1/chats/{id}/messages},
 * as the measurement method does) on an evenly spaced schedule, open loop, the senders' schedules staggered so that
 * the total is evenly spaced too. The content carries the send time ({@code bench <clientId> sent <epoch ms>}); the
 * bench keeps the time itself, with the stored message's id and seq, to match what the page shows.
 */
final class ClientLoad {
  /** The most one sender posts per second: half the server's per-user limit of 10. */
  static final double PER_SENDER = 5;

  /** One posting account (its token is replaced when the bench renews the session). */
  static final class Sender {
    final String userId;
    volatile String token;

    Sender(String userId, String token) {
      this.userId = userId;
      this.token = token;
    }
  }

  /** A message that was posted: when (epoch ms, just before the request) and what the server stored. */
  record Sent(String chatId, String messageId, long seq, long sentAtMs, long storedAtMs) {
  }

  /** What one run of the senders did. */
  record Outcome(List<Sent> sent, Map<String, Long> errors, long lastStoredAtMs, long startedAtMs, long stoppedAtMs) {
    JsonObject toJson() {
      return new JsonObject().put("posted", sent.size()).put("refused", new JsonObject(new java.util.HashMap<>(errors)));
    }
  }

  private final Vertx vertx;
  private final Api api;
  private volatile boolean stopping;

  ClientLoad(Vertx vertx, Api api) {
    this.vertx = vertx;
    this.api = api;
  }

  /**
   * Posts {@code rate} messages per second in total for {@code seconds}, every sender at the same rate (at most
   * {@link #PER_SENDER}); sender i's k-th message goes to {@code chatOf.apply(i, k)}. Waits (up to 60 s) for every
   * answer before it returns.
   */
  Outcome run(List<Sender> senders, double rate, int seconds, BiFunction<Integer, Long, String> chatOf)
      throws Exception {
    double perSender = rate / senders.size();
    if (rate <= 0 || seconds <= 0) {
      throw new IllegalArgumentException("a load needs a positive rate and duration");
    }
    if (perSender > PER_SENDER) {
      throw new IllegalArgumentException(rate + " msg/s needs more than " + senders.size() + " senders (at most "
          + PER_SENDER + " msg/s each, half the server's per-user limit)");
    }
    stopping = false;
    long periodNanos = (long) (TimeUnit.SECONDS.toNanos(1) / perSender);
    long total = Math.round(rate * seconds);
    ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    AtomicInteger unanswered = new AtomicInteger();
    Promise<Void> allAnswered = Promise.promise();
    AtomicInteger schedulesLeft = new AtomicInteger(senders.size());
    long startNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long startedAtMs = System.currentTimeMillis() + 50;
    long[] stoppedAtMs = {startedAtMs};
    // Message n of the run (over all senders) is due at start + n / rate: sender i sends n = i, i + senders, ...
    for (int i = 0; i < senders.size(); i++) {
      int index = i;
      long firstDue = startNanos + (long) (i * TimeUnit.SECONDS.toNanos(1) / rate);
      schedule(firstDue, 0, periodNanos, index, total, senders.size(),
          k -> send(senders.get(index), chatOf.apply(index, k), sent, errors, unanswered, allAnswered, schedulesLeft),
          () -> {
        synchronized (stoppedAtMs) {
          stoppedAtMs[0] = Math.max(stoppedAtMs[0], System.currentTimeMillis());
        }
        if (schedulesLeft.decrementAndGet() == 0 && unanswered.get() == 0) {
          allAnswered.tryComplete();
        }
      });
    }
    Lanes.await(allAnswered.future(), seconds + 60);
    List<Sent> list = new ArrayList<>(sent);
    Map<String, Long> refused = new java.util.TreeMap<>();
    errors.forEach((code, count) -> refused.put(code, count.sum()));
    long lastStored = list.stream().mapToLong(Sent::storedAtMs).max().orElse(stoppedAtMs[0]);
    return new Outcome(list, refused, lastStored, startedAtMs, stoppedAtMs[0]);
  }

  /** Ends a {@link #run} before its time (from another thread): no more sends are started. */
  void stop() {
    stopping = true;
  }

  /** Sender {@code index}'s k-th send at its due time, then the next, until the run's {@code total} is reached. */
  private void schedule(long dueNanos, long k, long periodNanos, int index, long total, int senders,
                        java.util.function.LongConsumer send, Runnable done) {
    if (stopping || index + k * senders >= total) {
      done.run();
      return;
    }
    long delayMs = TimeUnit.NANOSECONDS.toMillis(dueNanos - System.nanoTime());
    vertx.setTimer(Math.max(1, delayMs), timer -> {
      send.accept(k);
      schedule(dueNanos + periodNanos, k + 1, periodNanos, index, total, senders, send, done);
    });
  }

  private void send(Sender sender, String chatId, ConcurrentLinkedQueue<Sent> sent, Map<String, LongAdder> errors,
                    AtomicInteger unanswered, Promise<Void> allAnswered, AtomicInteger schedulesLeft) {
    String clientId = UUID.randomUUID().toString();
    long sentAtMs = System.currentTimeMillis();
    unanswered.incrementAndGet();
    api.sendMessage(sender.token, chatId, clientId, "bench " + clientId + " sent " + sentAtMs)
        .onComplete(result -> {
          if (result.succeeded()) {
            JsonObject message = result.result();
            sent.add(new Sent(chatId, message.getString("id"), message.getLong("seq", 0L), sentAtMs,
                System.currentTimeMillis()));
          } else {
            errors.computeIfAbsent(statusOf(result.cause().getMessage()), code -> new LongAdder()).increment();
          }
          if (unanswered.decrementAndGet() == 0 && schedulesLeft.get() == 0) {
            allAnswered.tryComplete();
          }
        });
  }

  /** "POST … answered 429: …" → "429"; anything else (a lost connection) by its message. */
  private static String statusOf(String failure) {
    int at = failure == null ? -1 : failure.indexOf(" answered ");
    return at < 0 ? String.valueOf(failure) : failure.substring(at + 10, Math.min(failure.length(), at + 13));
  }

  /**
   * Posts {@code count} messages into one chat, the senders taking turns, each at most {@link #PER_SENDER} per second
   * (setting a chat up, not measured); the stored messages in order of seq.
   */
  List<Sent> fill(List<Sender> senders, String chatId, int count) throws Exception {
    if (count <= 0) {
      return List.of();
    }
    double rate = Math.min(count, senders.size() * PER_SENDER);
    int seconds = (int) Math.ceil(count / rate);
    Outcome outcome = run(senders, count / (double) seconds, seconds, (i, k) -> chatId);
    if (!outcome.errors().isEmpty()) {
      throw new IllegalStateException("filling a chat was refused: " + outcome.errors());
    }
    return outcome.sent().stream().sorted(java.util.Comparator.comparingLong(Sent::seq)).toList();
  }
}
