package dev.ocomms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * A message load and its measurement: senders send at a fixed total rate into their rooms (warm-up first, not
 * measured, so that JIT compilation settles), every connection in a room should receive each message once. Measures
 * acked messages per second, send→ack and send→deliver latency, lost and duplicated deliveries, and the CPU used by
 * the server side and by this process. Runs the same way over OComms and over the raw baseline.
 */
final class MessageLoad {
  /** Late sends of one sender go out at most this often (8/s): under the server's 10/s per user. */
  static final long MIN_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(125);

  /** One connection in a room. */
  record Member(String room, LoadConnection connection) {
  }

  /** Where CPU seconds are read, for the share of the machine each side used; a supplier returns -1 when unknown. */
  record CpuSources(DoubleSupplier server, DoubleSupplier stores) {
  }

  private final Vertx vertx;
  private final Latencies ack = new Latencies();
  private final Latencies deliver = new Latencies();
  private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
  private final Map<String, Integer> expectedPerMessage = new ConcurrentHashMap<>();
  private final Set<String> deliveredKeys = ConcurrentHashMap.newKeySet();
  private final Set<String> measuredIds = ConcurrentHashMap.newKeySet();
  private final LongAdder acked = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder duplicated = new LongAdder();
  private final LongAdder expected = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final AtomicLong secondAcked = new AtomicLong();
  private final AtomicLong secondDelivered = new AtomicLong();
  /** Sends (warm-up ones too) whose ack or error has not come back yet. */
  private final LongAdder unanswered = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAccumulator maxLagNanos = new LongAccumulator(Math::max, 0);
  private volatile boolean measuring;
  private volatile boolean stopped;
  private int drainSeconds = 15;

  MessageLoad(Vertx vertx) {
    this.vertx = vertx;
  }

  /** How long {@link #run} waits after the measured phase for outstanding acks and deliveries (default 15 s). */
  MessageLoad drainFor(int seconds) {
    this.drainSeconds = seconds;
    return this;
  }

  /**
   * Sends {@code rate} messages per second in total from {@code senders} (each into its own room) for
   * {@code warmupSeconds} unmeasured and {@code seconds} measured, each sender on an evenly spaced schedule (see
   * {@link Pacer}), then waits up to {@link #drainFor} seconds until every ack and delivery is in.
   * {@code around} is called with true when the measured phase begins and false when it ends. Returns
   * {@code {results, cpu, series, histograms}}.
   */
  JsonObject run(List<Member> members, List<Member> senders, double rate, int seconds, int warmupSeconds,
                 CpuSources cpuSources, PhaseListener around) throws Exception {
    Map<String, Integer> roomSizes = new ConcurrentHashMap<>();
    for (int i = 0; i < members.size(); i++) {
      Member member = members.get(i);
      roomSizes.merge(member.room(), 1, Integer::sum);
      String memberKey = String.valueOf(i);
      member.connection().onDelivered(clientId -> onDelivered(memberKey, clientId));
    }
    double perSender = rate / senders.size();
    long intervalNanos = Math.round(1e9 / perSender);
    long begin = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
    for (int i = 0; i < senders.size(); i++) {
      Member sender = senders.get(i);
      // Senders start evenly spread over one interval, so that the total rate is smooth too.
      long first = begin + Math.round(i * (double) intervalNanos / senders.size());
      Pacer pacer = new Pacer(sender, roomSizes.get(sender.room()), first, intervalNanos);
      // On the connection's own event loop: a connection is used from one thread only.
      sender.connection().context().runOnContext(onLoop -> pacer.next());
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
    ack.total().reset();
    deliver.total().reset();
    double serverCpuBefore = cpuSources.server().getAsDouble();
    double storesCpuBefore = cpuSources.stores().getAsDouble();
    double benchCpuBefore = ProcessStats.cpuSeconds(ProcessHandle.current().pid());
    around.phase(true);
    long start = System.nanoTime();
    measuring = true;
    JsonArray series = new JsonArray();
    long seriesTimer = vertx.setPeriodic(1000, id -> series.add(sample(start)));
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    measuring = false;
    stopped = true;
    around.phase(false);
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
    while (System.nanoTime() < drainUntil && !drained()) {
      Thread.sleep(100);
    }
    boolean drained = drained();
    double elapsed = (System.nanoTime() - start) / 1e9;
    vertx.cancelTimer(seriesTimer);
    double serverCpu = delta(cpuSources.server().getAsDouble(), serverCpuBefore);
    double storesCpu = delta(cpuSources.stores().getAsDouble(), storesCpuBefore);
    double benchCpu = ProcessStats.cpuSeconds(ProcessHandle.current().pid()) - benchCpuBefore;

    Histogram ackTotal = ack.total();
    Histogram deliverTotal = deliver.total();
    JsonObject errorCounts = new JsonObject();
    errors.forEach((code, count) -> errorCounts.put(code, count.sum()));
    JsonObject results = new JsonObject()
        .put("sentPerSecond", Math.round(sent.sum() / (double) seconds))
        .put("maxSendLagMs", Latencies.ms(TimeUnit.NANOSECONDS.toMicros(maxLagNanos.get())))
        .put("drained", drained)
        .put("acked", acked.sum())
        .put("ackedPerSecond", Math.round(acked.sum() / (double) seconds))
        .put("ack", Latencies.summary(ackTotal))
        .put("deliver", Latencies.summary(deliverTotal))
        .put("expectedDeliveries", expected.sum())
        .put("delivered", delivered.sum())
        .put("lost", Math.max(0, expected.sum() - delivered.sum()))
        .put("duplicated", duplicated.sum())
        .put("errors", errorCounts);
    int cores = Runtime.getRuntime().availableProcessors();
    JsonObject cpu = new JsonObject()
        .put("seconds", round(elapsed))
        .put("serverSeconds", serverCpu)
        .put("storesSeconds", storesCpu)
        .put("benchSeconds", benchCpu)
        .put("serverShareOfMachine", serverCpu < 0 ? null : round(serverCpu / (elapsed * cores)))
        .put("storesShareOfMachine", storesCpu < 0 ? null : round(storesCpu / (elapsed * cores)))
        .put("benchShareOfMachine", round(benchCpu / (elapsed * cores)))
        .put("serverAndStoresMsPerMessage", serverCpu < 0 || acked.sum() == 0 ? null
            : round((serverCpu + Math.max(0, storesCpu)) * 1000 / acked.sum()));
    return new JsonObject().put("results", results).put("cpu", cpu).put("series", series)
        .put("histograms", new JsonObject().put("ack", Latencies.buckets(ackTotal))
            .put("deliver", Latencies.buckets(deliverTotal)));
  }

  /** Called when the measured phase begins (true) and ends (false). */
  interface PhaseListener {
    void phase(boolean begins) throws Exception;
  }

  /**
   * Closed loop: every sender sends its next message as soon as the previous one is acknowledged, for
   * {@code seconds}; the acked messages per second. What the server can take when nothing paces the senders.
   */
  static long closedLoop(Vertx vertx, List<Member> senders, int seconds) throws InterruptedException {
    LongAdder count = new LongAdder();
    long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (Member sender : senders) {
      sender.connection().context().runOnContext(v -> sendUntil(sender, endAt, count));
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds) + 500);
    return Math.round(count.sum() / (double) seconds);
  }

  private static void sendUntil(Member sender, long endAt, LongAdder count) {
    if (System.nanoTime() >= endAt) {
      return;
    }
    sender.connection().send(sender.room(), UUID.randomUUID().toString()).onComplete(done -> {
      if (done.succeeded() && System.nanoTime() < endAt) {
        count.increment();
      }
      sendUntil(sender, endAt, count);
    });
  }

  /** Every outstanding ack and delivery has come back. */
  private boolean drained() {
    return unanswered.sum() == 0 && delivered.sum() >= expected.sum() && sentAt.isEmpty();
  }

  /**
   * One sender's open-loop schedule: message k is due at {@code first + k × interval}, whatever happened to the
   * earlier ones. When the event loop was held up, the late messages go out at most one per
   * {@link #MIN_GAP_NANOS} (never in a burst) so that the server's per-user token bucket (10/s, 10 deep) is not hit
   * by the bench's own jitter; how late a send went out is reported as {@code maxSendLagMs}. Runs on the sender's
   * event loop until the measured phase ends (however long reading the CPU figures before it took).
   */
  private final class Pacer {
    private final Member sender;
    private final int roomSize;
    private final long interval;
    private final long minGap;
    private long due;
    private long lastSent = Long.MIN_VALUE / 2;

    Pacer(Member sender, int roomSize, long first, long interval) {
      this.sender = sender;
      this.roomSize = roomSize;
      this.interval = interval;
      this.minGap = Math.min(interval, MIN_GAP_NANOS);
      this.due = first;
    }

    void next() {
      long now = System.nanoTime();
      if (stopped) {
        return;
      }
      long at = Math.max(due, lastSent + minGap);
      if (at > now) {
        vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(at - now + 999_999)), t -> next());
        return;
      }
      if (measuring) {
        maxLagNanos.accumulate(now - due);
      }
      send(sender, roomSize);
      lastSent = now;
      due += interval;
      next();
    }
  }

  private void send(Member sender, int roomSize) {
    String clientId = UUID.randomUUID().toString();
    long now = System.nanoTime();
    boolean measured = measuring;
    unanswered.increment();
    if (measured) {
      sent.increment();
      measuredIds.add(clientId);
      sentAt.put(clientId, now);
      expectedPerMessage.put(clientId, roomSize);
      expected.add(roomSize);
    }
    sender.connection().send(sender.room(), clientId)
        .onComplete(done -> unanswered.decrement())
        .onSuccess(ok -> {
          if (measured) {
            ack.record(System.nanoTime() - now);
            acked.increment();
            secondAcked.incrementAndGet();
          }
        })
        .onFailure(failure -> {
          if (!measured) {
            return;
          }
          String code = failure instanceof BridgeClient.BenchFailure bench ? bench.code()
              : failure.getClass().getSimpleName();
          errors.computeIfAbsent(code, c -> new LongAdder()).increment();
          // A refused message is never delivered: it is not expected either.
          expected.add(-roomSize);
          expectedPerMessage.remove(clientId);
          sentAt.remove(clientId);
        });
  }

  private void onDelivered(String memberKey, String clientId) {
    if (!measuredIds.contains(clientId)) {
      return; // a warm-up message
    }
    if (!deliveredKeys.add(clientId + "/" + memberKey)) {
      duplicated.increment();
      return;
    }
    delivered.increment();
    secondDelivered.incrementAndGet();
    Long sent = sentAt.get(clientId);
    if (sent != null) {
      deliver.record(System.nanoTime() - sent);
    }
    Integer remaining = expectedPerMessage.computeIfPresent(clientId, (id, left) -> left - 1);
    if (remaining != null && remaining <= 0) {
      expectedPerMessage.remove(clientId);
      sentAt.remove(clientId);
    }
  }

  private JsonObject sample(long start) {
    Histogram ackSecond = ack.interval();
    Histogram deliverSecond = deliver.interval();
    JsonObject point = new JsonObject()
        .put("t", Math.round((System.nanoTime() - start) / 1e8) / 10.0)
        .put("acked", secondAcked.getAndSet(0))
        .put("delivered", secondDelivered.getAndSet(0));
    if (ackSecond.getTotalCount() > 0) {
      point.put("ackP50", Latencies.ms(ackSecond.getValueAtPercentile(50)))
          .put("ackP99", Latencies.ms(ackSecond.getValueAtPercentile(99)));
    }
    if (deliverSecond.getTotalCount() > 0) {
      point.put("deliverP50", Latencies.ms(deliverSecond.getValueAtPercentile(50)))
          .put("deliverP99", Latencies.ms(deliverSecond.getValueAtPercentile(99)));
    }
    return point;
  }

  private static double delta(double after, double before) {
    return before < 0 || after < 0 ? -1 : round(after - before);
  }

  static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
