package dev.ocomms.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * Fan-out: one chat of {@code members} members, each an account with one bridge connection registered on the chat
 * and on its {@code user.<id>}; {@code senders} of them send at a fixed total {@code rate}. Measures the frames
 * delivered per second at the clients (one {@code message.new} reaching one member is one frame), send→deliver
 * latency, acks, and lost and duplicated deliveries. The same members, senders and rate then run against the raw
 * WebSocket baseline (one room), followed by a short closed-loop phase that shows what the machine can deliver at
 * most; our figures are reported as ratios of the baseline's.
 *
 * <p>Received frames are never parsed: the message number is read from the text (our clientId carries it in its low
 * 64 bits; the baseline frame carries it as {@code id}), so that the generator is not the bottleneck.
 */
final class FanoutScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(FanoutScenario.class);
  private static final String MESSAGE_NEW = "\"type\":\"message.new\"";
  private static final String CLIENT_ID = "\"clientId\":\"";
  private static final String BODY_TYPE = "\"body\":{\"type\":\"";
  private static final String BASELINE_ROOM = "fanout";
  private static final String BASELINE_SEND = "{\"type\":\"send\",\"room\":\"" + BASELINE_ROOM + "\",\"id\":";
  private static final String BASELINE_SENT_AT = ",\"sentAt\":";
  private static final String BASELINE_ACK = "{\"type\":\"ack\",\"id\":";

  /** What to run. */
  record Config(int members, int senders, double rate, int seconds, int warmupSeconds, int setupConcurrency,
                boolean baseline, int capacitySeconds) {
    JsonObject toJson() {
      return new JsonObject().put("members", members).put("senders", senders).put("ratePerSecond", rate)
          .put("seconds", seconds).put("warmupSeconds", warmupSeconds).put("baseline", baseline)
          .put("capacitySeconds", capacitySeconds).put("capacitySenders", capacitySenders());
    }

    /** The closed loop has one message in flight per sender: at least 20 of them, so that latency does not bound it. */
    int capacitySenders() {
      return Math.min(members, Math.max(senders, 20));
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final Config config;

  static FanoutScenario from(Vertx vertx, Target target, Options options) {
    return new FanoutScenario(vertx, target, new Config(options.integer("members", 1000),
        options.integer("senders", 20), options.decimal("rate", 100), options.integer("seconds", 30),
        options.integer("warmup", 10), options.integer("setup-concurrency", 16),
        Boolean.parseBoolean(options.text("baseline", "true")), options.integer("capacity-seconds", 5)));
  }

  FanoutScenario(Vertx vertx, Target target, Config config) {
    this.vertx = vertx;
    this.target = target;
    this.config = config;
  }

  /** A member that can send: message {@code number} goes out, the future completes with its ack. */
  private interface Sender {
    Context context();

    Future<Void> send(long number);
  }

  @Override
  public JsonObject run() throws Exception {
    if (config.rate() / config.senders() > 10) {
      throw new IllegalArgumentException("each sender may send at most 10 messages per second (the server's limit):"
          + " use at least rate/10 senders");
    }
    if (config.senders() > config.members()) {
      throw new IllegalArgumentException("more senders than members");
    }
    WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(Integer.MAX_VALUE).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    try {
      JsonObject report = ours(sockets);
      if (config.baseline()) {
        JsonObject baseline = baseline(sockets, report.getJsonObject("results").getLong("averageFrameBytes"));
        JsonObject results = report.getJsonObject("results");
        JsonObject baselineResults = baseline.getJsonObject("results");
        baseline.put("ratio", new JsonObject()
            .put("framesPerSecond", ratio(results.getLong("framesPerSecond"),
                baselineResults.getLong("framesPerSecond")))
            .put("deliverP99", ratio(results.getJsonObject("deliver").getDouble("p99"),
                baselineResults.getJsonObject("deliver").getDouble("p99")))
            .put("framesPerSecondOfCapacity", ratio(results.getLong("framesPerSecond"),
                baseline.getJsonObject("capacity").getLong("maxFramesPerSecond"))));
        report.put("baseline", baseline);
      }
      return report;
    } finally {
      sockets.close();
    }
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    JsonObject cpu = report.getJsonObject("cpu");
    JsonObject deliver = results.getJsonObject("deliver");
    String baseline = "";
    if (report.containsKey("baseline")) {
      JsonObject b = report.getJsonObject("baseline");
      baseline = String.format("; baseline %d frames/s (p99 %.1f ms), ours %s of it; machine max %d frames/s",
          b.getJsonObject("results").getLong("framesPerSecond"),
          b.getJsonObject("results").getJsonObject("deliver").getDouble("p99"),
          b.getJsonObject("ratio").getValue("framesPerSecond"),
          b.getJsonObject("capacity").getLong("maxFramesPerSecond"));
    }
    return String.format("%d frames/s delivered (%d acked/s × %d members); deliver p50/p99/p99.9 %.1f/%.1f/%.1f ms;"
            + " lost %d, dup %d; CPU server %s, stores %s, bench %s of the machine%s",
        results.getLong("framesPerSecond"), results.getLong("ackedPerSecond"), config.members(),
        deliver.getDouble("p50"), deliver.getDouble("p99"), deliver.getDouble("p999"),
        results.getLong("lost"), results.getLong("duplicated"),
        cpu.getValue("serverShareOfMachine"), cpu.getValue("storesShareOfMachine"),
        cpu.getValue("benchShareOfMachine"), baseline);
  }

  // OComms

  /** Our run: the members over the bridge, the rate-driven warm-up and measured phase; the report without baseline. */
  private JsonObject ours(WebSocketClient sockets) throws Exception {
    WebClient web = WebClient.create(vertx, new WebClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.setupConcurrency()));
    List<BridgeClient> bridges = new CopyOnWriteArrayList<>();
    try {
      Tally tally = new Tally(config.members(), capacity());
      long clientIdHigh = ThreadLocalRandom.current().nextLong();
      Population population = Lanes.await(Population.create(web, target, config.members(), 1, i -> List.of(0),
          config.setupConcurrency()), 1800);
      String chatId = population.chatIds.get(0);
      String chatAddress = "chat." + chatId;
      List<Sender> senders = Lanes.await(Lanes.bounded(config.members(), config.setupConcurrency(), i -> {
        Population.User user = population.users.get(i);
        BitSet seen = new BitSet();
        return BridgeClient.connect(vertx, sockets, target.host, target.port, user.accessToken())
            .compose(bridge -> {
              bridges.add(bridge);
              bridge.onRawEvent(text -> onBridgeFrame(tally, seen, text));
              return bridge.register(chatAddress).compose(ok -> bridge.register("user." + user.userId()))
                  .map(ok -> (Sender) new Sender() {
                    @Override
                    public Context context() {
                      return bridge.context();
                    }

                    @Override
                    public Future<Void> send(long number) {
                      String clientId = new UUID(clientIdHigh, number).toString();
                      return bridge.request("chat.message.send", new JsonObject().put("chatId", chatId)
                          .put("clientId", clientId).put("content", "fan-out " + number)).mapEmpty();
                    }
                  });
            });
      }), 1800);
      LOG.info("set up: {} members connected to one chat", senders.size());

      Measured measured = drive(tally, senders.subList(0, config.senders()), target::serverCpuSeconds,
          target::storesCpuSeconds, true);
      JsonObject results = tally.results(measured)
          .put("otherFrames", tally.otherFrames())
          .put("averageFrameBytes", tally.frames.sum() == 0 ? 0 : tally.frameBytes.sum() / tally.frames.sum());
      return new JsonObject()
          .put("scenario", "fanout")
          .put("config", config.toJson())
          .put("results", results)
          .put("cpu", measured.cpu())
          .put("histograms", new JsonObject().put("ack", Latencies.buckets(tally.ack.total()))
              .put("deliver", Latencies.buckets(tally.deliver.total())))
          .put("series", measured.series());
    } finally {
      Future.join(bridges.stream().map(BridgeClient::close).toList())
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      web.close();
    }
  }

  /** A bridge frame addressed to the chat or the user: a message.new of a numbered message, or another event. */
  private static void onBridgeFrame(Tally tally, BitSet seen, String text) {
    long now = System.nanoTime();
    int clientId = text.indexOf(CLIENT_ID);
    if (clientId < 0 || text.indexOf(MESSAGE_NEW) < 0) {
      tally.other(text);
      return;
    }
    // The clientId is new UUID(high, number): its last two groups (4 + 12 hex digits) are the number.
    int start = clientId + CLIENT_ID.length();
    long number = (hex(text, start + 19, start + 23) << 48) | hex(text, start + 24, start + 36);
    tally.frames.increment();
    tally.frameBytes.add(text.length());
    tally.received(seen, number, now, 0);
  }

  private static long hex(String text, int from, int to) {
    long value = 0;
    for (int i = from; i < to; i++) {
      value = (value << 4) | Character.digit(text.charAt(i), 16);
    }
    return value;
  }

  // Baseline

  /** One member of the baseline room: a plain WebSocket. */
  private static final class BaselineMember implements Sender {
    final WebSocket socket;
    final Context context;
    final BitSet seen = new BitSet();
    final Map<Long, Promise<Void>> pending = new HashMap<>();
    String padding = "";

    BaselineMember(WebSocket socket, Context context) {
      this.socket = socket;
      this.context = context;
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public Future<Void> send(long number) {
      Promise<Void> acked = Promise.promise();
      pending.put(number, acked);
      socket.writeTextMessage(BASELINE_SEND + number + BASELINE_SENT_AT + System.nanoTime() + ",\"content\":\""
          + padding + "\"}");
      return acked.future();
    }
  }

  /**
   * The baseline: the same members (plain WebSockets in one room of a {@link BaselineServer}), the same senders and
   * rate, frames padded to the size of ours; then the closed-loop capacity phase.
   */
  private JsonObject baseline(WebSocketClient sockets, long frameBytes) throws Exception {
    List<BaselineMember> members = new CopyOnWriteArrayList<>();
    try (Baseline server = Baseline.start("1g")) {
      AtomicReference<Tally> tally = new AtomicReference<>(new Tally(config.members(), capacity()));
      List<BaselineMember> senders = Lanes.await(Lanes.bounded(config.members(), config.setupConcurrency(), i -> {
        Promise<Void> joined = Promise.promise();
        return sockets.connect(new WebSocketConnectOptions().setHost(server.host).setPort(server.port).setURI("/"))
            .compose(socket -> {
              BaselineMember member = new BaselineMember(socket, vertx.getOrCreateContext());
              members.add(member);
              socket.textMessageHandler(text -> {
                if (text.startsWith("{\"type\":\"joined\"")) {
                  joined.tryComplete();
                } else {
                  onBaselineFrame(tally.get(), member, text);
                }
              });
              socket.writeTextMessage(new JsonObject().put("type", "join").put("room", BASELINE_ROOM).encode());
              return joined.future().map(member);
            });
      }), 600);
      // Our message.new frames carry the stored message; the baseline's carry padding to the same size.
      String padding = "x".repeat((int) Math.max(0, frameBytes - (BASELINE_SEND.length() + 60)));
      members.forEach(member -> member.padding = padding);
      Tally rated = tally.get();
      Measured measured = drive(rated, new ArrayList<>(senders.subList(0, config.senders())),
          () -> ProcessStats.cpuSeconds(server.pid()), () -> -1, false);
      JsonObject results = rated.results(measured)
          .put("averageFrameBytes", rated.frames.sum() == 0 ? 0 : rated.frameBytes.sum() / rated.frames.sum());
      double cpuBefore = ProcessStats.cpuSeconds(server.pid());
      // Numbering goes on where the rated phase stopped: each member's received numbers stay valid for duplicates.
      Tally closedLoop = new Tally(config.members(), 0);
      closedLoop.nextNumber.set(rated.nextNumber.get());
      tally.set(closedLoop);
      JsonObject capacity = capacity(closedLoop, senders.subList(0, config.capacitySenders()))
          .put("serverCpuSeconds", round(ProcessStats.cpuSeconds(server.pid()) - cpuBefore));
      return new JsonObject().put("results", results).put("cpu", measured.cpu()).put("capacity", capacity)
          .put("framesPerSecond", results.getLong("framesPerSecond"))
          .put("deliver", results.getJsonObject("deliver"))
          .put("series", measured.series());
    } finally {
      Future.join(members.stream().map(member -> member.socket.close()).toList())
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static void onBaselineFrame(Tally tally, BaselineMember member, String text) {
    long now = System.nanoTime();
    if (text.startsWith(BASELINE_ACK)) {
      Promise<Void> acked = member.pending.remove(number(text, BASELINE_ACK.length()));
      if (acked != null) {
        acked.complete();
      }
    } else if (text.startsWith(BASELINE_SEND)) {
      tally.frames.increment();
      tally.frameBytes.add(text.length());
      int number = BASELINE_SEND.length();
      int sentAt = text.indexOf(BASELINE_SENT_AT, number);
      tally.received(member.seen, number(text, number), now,
          sentAt < 0 ? 0 : number(text, sentAt + BASELINE_SENT_AT.length()));
    }
  }

  private static long number(String text, int from) {
    long value = 0;
    for (int i = from; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return value;
  }

  /**
   * What the machine can do: every sender sends its next message as soon as the baseline acks the last, for
   * {@code capacitySeconds}; the frames the members receive per second. The senders here need not be the rated
   * phase's (no per-user limit applies to the baseline).
   */
  private JsonObject capacity(Tally tally, List<BaselineMember> senders) throws Exception {
    long start = System.nanoTime();
    long endAt = start + TimeUnit.SECONDS.toNanos(config.capacitySeconds());
    for (BaselineMember sender : senders) {
      sender.context().runOnContext(v -> closedLoop(tally, sender, endAt));
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(config.capacitySeconds()));
    long received = tally.delivered.sum();
    double elapsed = (System.nanoTime() - start) / 1e9;
    long acked = tally.acked.sum();
    // Let what is still queued arrive, so that the next phase (or the end) does not count it.
    awaitDrained(tally, 15);
    return new JsonObject()
        .put("seconds", config.capacitySeconds())
        .put("maxFramesPerSecond", Math.round(received / elapsed))
        .put("ackedPerSecond", Math.round(acked / elapsed))
        .put("deliver", Latencies.summary(tally.deliver.total()))
        .put("lost", Math.max(0, tally.expected.sum() - tally.delivered.sum()))
        .put("duplicated", tally.duplicated.sum());
  }

  private void closedLoop(Tally tally, BaselineMember sender, long endAt) {
    if (System.nanoTime() >= endAt) {
      return;
    }
    long number = tally.begin();
    if (number < 0) {
      return;
    }
    long sent = System.nanoTime();
    sender.send(number).onSuccess(ok -> {
      tally.acked(sent);
      closedLoop(tally, sender, endAt);
    });
  }

  // Shared driving and counting

  /** A rate-driven phase: when its measured sending started and how long it lasted. */
  private record Measured(long startNanos, double seconds, JsonObject cpu, JsonArray series) {
  }

  /** Message numbers a run can use: the rate over warm-up and measured phase, with room to spare. */
  private int capacity() {
    return (int) Math.min(Integer.MAX_VALUE - 1, Math.ceil(config.rate() * (config.warmupSeconds() + config.seconds()
        + 5) * 1.5) + 1000);
  }

  /**
   * Sends at the configured rate, spread over the senders: {@code warmupSeconds} unmeasured, then {@code seconds}
   * measured; waits for the last deliveries. The server's and the stores' CPU seconds so far come from the suppliers
   * (-1: unknown); {@code profile} says whether the target records the measured phase.
   */
  private Measured drive(Tally tally, List<? extends Sender> senders, DoubleSupplier serverCpuSeconds,
                         DoubleSupplier storesCpuSeconds, boolean profile) throws Exception {
    double perSender = config.rate() / senders.size();
    long intervalMs = Math.max(1, Math.round(1000 / perSender));
    long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.warmupSeconds() + config.seconds());
    List<Long> timers = new CopyOnWriteArrayList<>();
    for (int i = 0; i < senders.size(); i++) {
      Sender sender = senders.get(i);
      long offsetMs = Math.max(1, Math.round(i * (1000.0 / perSender) / senders.size()));
      // Timers on the sender's own event loop: a connection is used from one thread only.
      sender.context().runOnContext(v -> vertx.setTimer(offsetMs, first -> timers.add(vertx.setPeriodic(intervalMs,
          id -> {
            if (System.nanoTime() < endAt) {
              send(tally, sender);
            }
          }))));
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(config.warmupSeconds()));
    tally.ack.total().reset();
    tally.deliver.total().reset();
    tally.frames.reset();
    tally.frameBytes.reset();
    tally.otherFrames.clear();
    double serverCpuBefore = serverCpuSeconds.getAsDouble();
    double storesCpuBefore = storesCpuSeconds.getAsDouble();
    double benchCpuBefore = ProcessStats.cpuSeconds(ProcessHandle.current().pid());
    if (profile) {
      target.beginMeasuring();
    }
    long start = System.nanoTime();
    tally.measuring = true;
    JsonArray series = new JsonArray();
    long seriesTimer = vertx.setPeriodic(1000, id -> series.add(tally.sample(start)));
    Thread.sleep(TimeUnit.SECONDS.toMillis(config.seconds()));
    tally.measuring = false;
    timers.forEach(vertx::cancelTimer);
    double sendingSeconds = (System.nanoTime() - start) / 1e9;
    if (profile) {
      target.endMeasuring();
    }
    awaitDrained(tally, 15);
    double elapsed = (System.nanoTime() - start) / 1e9;
    vertx.cancelTimer(seriesTimer);
    double serverCpu = serverCpuSeconds.getAsDouble() - serverCpuBefore;
    double storesCpu = storesCpuSeconds.getAsDouble() - storesCpuBefore;
    double benchCpu = ProcessStats.cpuSeconds(ProcessHandle.current().pid()) - benchCpuBefore;
    int cores = Runtime.getRuntime().availableProcessors();
    JsonObject cpu = new JsonObject()
        .put("elapsedSeconds", round(elapsed))
        .put("benchSeconds", round(benchCpu))
        .put("benchShareOfMachine", round(benchCpu / (elapsed * cores)))
        .put("serverSeconds", serverCpuBefore < 0 ? null : round(serverCpu))
        .put("serverShareOfMachine", serverCpuBefore < 0 ? null : round(serverCpu / (elapsed * cores)))
        .put("storesSeconds", storesCpuBefore < 0 ? null : round(storesCpu))
        .put("storesShareOfMachine", storesCpuBefore < 0 ? null : round(storesCpu / (elapsed * cores)));
    return new Measured(start, sendingSeconds, cpu, series);
  }

  private static void send(Tally tally, Sender sender) {
    boolean measured = tally.measuring;
    long number = measured ? tally.begin() : tally.beginUnmeasured();
    if (number < 0) {
      return;
    }
    long sent = System.nanoTime();
    sender.send(number).onComplete(done -> {
      if (!measured) {
        return;
      }
      if (done.succeeded()) {
        tally.acked(sent);
      } else {
        Throwable failure = done.cause();
        tally.refused(number, failure instanceof BridgeClient.BenchFailure bench ? bench.code()
            : failure.getClass().getSimpleName());
      }
    });
  }

  /** Waits (at most {@code seconds}) until every expected delivery has arrived. */
  private static void awaitDrained(Tally tally, int seconds) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < until && tally.delivered.sum() < tally.expected.sum()) {
      Thread.sleep(100);
    }
  }

  /**
   * The counts of one side (ours or the baseline's). Messages are numbered; {@code sentAt} holds the send time of each
   * measured one (0 for warm-up and refused messages), and each member's {@link BitSet} (touched only on its
   * connection's event loop) the numbers it has received, so that a second copy counts as a duplicate.
   */
  private static final class Tally {
    final int members;
    final AtomicLongArray sentAt;
    final AtomicLong nextNumber = new AtomicLong();
    volatile boolean measuring;
    final Latencies ack = new Latencies();
    final Latencies deliver = new Latencies();
    final LongAdder acked = new LongAdder();
    final LongAdder delivered = new LongAdder();
    final LongAdder duplicated = new LongAdder();
    final LongAdder expected = new LongAdder();
    final LongAdder frames = new LongAdder();
    final LongAdder frameBytes = new LongAdder();
    /** Frames other than the numbered messages (badges, presence, sync notices), by event type. */
    final Map<String, LongAdder> otherFrames = new ConcurrentHashMap<>();
    final LongAdder unnumbered = new LongAdder();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final LongAdder secondAcked = new LongAdder();
    final LongAdder secondDelivered = new LongAdder();

    final LongAccumulator lastAck = new LongAccumulator(Math::max, Long.MIN_VALUE);
    final LongAccumulator lastDelivery = new LongAccumulator(Math::max, Long.MIN_VALUE);

    /**
     * Keeps the send times of {@code capacity} numbered messages; with 0, of none (a closed loop: every message is
     * measured and its frames carry their send time).
     */
    Tally(int members, int capacity) {
      this.members = members;
      this.sentAt = capacity == 0 ? null : new AtomicLongArray(capacity);
      this.measuring = capacity == 0;
    }

    /** A measured message's number (or -1 when the numbers ran out): every member is expected to get it. */
    long begin() {
      long number = nextNumber.getAndIncrement();
      if (sentAt != null) {
        if (number >= sentAt.length()) {
          return -1;
        }
        sentAt.set((int) number, System.nanoTime());
      }
      expected.add(members);
      return number;
    }

    long beginUnmeasured() {
      long number = nextNumber.getAndIncrement();
      return sentAt != null && number >= sentAt.length() ? -1 : number;
    }

    void acked(long sentNanos) {
      long now = System.nanoTime();
      lastAck.accumulate(now);
      ack.record(now - sentNanos);
      acked.increment();
      secondAcked.increment();
    }

    void other(String text) {
      int type = text.indexOf(BODY_TYPE);
      int end = type < 0 ? -1 : text.indexOf('"', type + BODY_TYPE.length());
      String name = end < 0 ? "?" : text.substring(type + BODY_TYPE.length(), end);
      otherFrames.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    JsonObject otherFrames() {
      JsonObject counts = new JsonObject();
      otherFrames.forEach((type, count) -> counts.put(type, count.sum()));
      return counts;
    }

    /**
     * A refused message is never delivered: it is not expected either. One that timed out may still be committed and
     * delivered later: it stays expected (if it never comes, it counts as lost, and the timeouts say why).
     */
    void refused(long number, String code) {
      errors.computeIfAbsent(code, c -> new LongAdder()).increment();
      if ("timeout".equals(code)) {
        return;
      }
      expected.add(-members);
      if (sentAt != null) {
        sentAt.set((int) number, 0);
      }
    }

    /**
     * Message {@code number} reached the member whose received numbers are {@code seen}; {@code carriedSentAt} is the
     * send time the frame itself carries (0 if none).
     */
    void received(BitSet seen, long number, long nowNanos, long carriedSentAt) {
      long sent;
      if (sentAt == null) {
        sent = carriedSentAt;
      } else if (number < 0 || number >= sentAt.length()) {
        unnumbered.increment();
        return;
      } else {
        sent = sentAt.get((int) number);
        if (sent == 0) {
          return; // a warm-up message
        }
      }
      if (number < Integer.MAX_VALUE) {
        if (seen.get((int) number)) {
          duplicated.increment();
          return;
        }
        seen.set((int) number);
      }
      delivered.increment();
      secondDelivered.increment();
      lastDelivery.accumulate(nowNanos);
      if (sent != 0) {
        deliver.record(nowNanos - sent);
      }
    }

    JsonObject sample(long start) {
      Histogram deliverSecond = deliver.interval();
      ack.interval();
      JsonObject point = new JsonObject()
          .put("t", Math.round((System.nanoTime() - start) / 1e8) / 10.0)
          .put("acked", secondAcked.sumThenReset())
          .put("delivered", secondDelivered.sumThenReset());
      if (deliverSecond.getTotalCount() > 0) {
        point.put("deliverP50", Latencies.ms(deliverSecond.getValueAtPercentile(50)))
            .put("deliverP99", Latencies.ms(deliverSecond.getValueAtPercentile(99)));
      }
      return point;
    }

    /**
     * The totals. Rates are over the measured sending time, or up to the last ack or delivery when they came later
     * (a saturated run then shows what was delivered, not what was offered).
     */
    JsonObject results(Measured phase) {
      double ackSeconds = Math.max(phase.seconds(), (lastAck.get() - phase.startNanos()) / 1e9);
      double deliverSeconds = Math.max(phase.seconds(), (lastDelivery.get() - phase.startNanos()) / 1e9);
      JsonObject errorCounts = new JsonObject();
      errors.forEach((code, count) -> errorCounts.put(code, count.sum()));
      return new JsonObject()
          .put("acked", acked.sum())
          .put("ackedPerSecond", Math.round(acked.sum() / ackSeconds))
          .put("framesPerSecond", Math.round(delivered.sum() / deliverSeconds))
          .put("ack", Latencies.summary(ack.total()))
          .put("deliver", Latencies.summary(deliver.total()))
          .put("expectedDeliveries", expected.sum())
          .put("delivered", delivered.sum())
          .put("lost", Math.max(0, expected.sum() - delivered.sum()))
          .put("duplicated", duplicated.sum())
          .put("unnumbered", unnumbered.sum())
          .put("sendingSeconds", round(phase.seconds()))
          .put("deliveringSeconds", round(deliverSeconds))
          .put("errors", errorCounts);
    }
  }

  private static Double ratio(double ours, double baseline) {
    return baseline <= 0 ? null : round(ours / baseline);
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
