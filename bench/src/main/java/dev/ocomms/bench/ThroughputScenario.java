package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Throughput: {@code senders} users send at a fixed total rate into {@code chats} chats of {@code members} members
 * each, every member connected over the bridge and registered on its chat. Measures acked messages per second
 * (durable: the ack follows the commit), send→ack and send→deliver latency, and lost and duplicated deliveries.
 */
final class ThroughputScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(ThroughputScenario.class);

  /** What to run. */
  record Config(int chats, int members, int senders, double rate, int seconds, int warmupSeconds,
                int setupConcurrency) {
    JsonObject toJson() {
      return new JsonObject().put("chats", chats).put("membersPerChat", members).put("senders", senders)
          .put("ratePerSecond", rate).put("seconds", seconds).put("warmupSeconds", warmupSeconds);
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final Config config;

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
  /** Off during warm-up: messages are sent at the same rate (so that the server's JIT settles) but not measured. */
  private volatile boolean measuring;

  /** A connected member. */
  private record Member(String userId, String token, String chatId, BridgeClient bridge) {
  }

  static ThroughputScenario from(Vertx vertx, Target target, Options options) {
    return new ThroughputScenario(vertx, target, new Config(options.integer("chats", 10), options.integer("members", 10),
        options.integer("senders", 100), options.decimal("rate", 500), options.integer("seconds", 30),
        options.integer("warmup", 10), options.integer("setup-concurrency", 16)));
  }

  ThroughputScenario(Vertx vertx, Target target, Config config) {
    this.vertx = vertx;
    this.target = target;
    this.config = config;
  }

  @Override
  public JsonObject run() throws Exception {
    if (config.rate() / config.senders() > 10) {
      throw new IllegalArgumentException("each sender may send at most 10 messages per second (the server's limit):"
          + " use more senders");
    }
    if (config.senders() > config.chats() * config.members()) {
      throw new IllegalArgumentException("more senders than members");
    }
    WebClient web = WebClient.create(vertx, new WebClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.setupConcurrency()));
    WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(Integer.MAX_VALUE).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
    Api api = new Api(web, target.host, target.port);
    List<Member> members = Lanes.await(setUp(api, sockets), 600);
    LOG.info("set up: {} members connected in {} chats", members.size(), config.chats());

    List<Member> senders = new ArrayList<>();
    for (int i = 0; i < config.senders(); i++) {
      senders.add(members.get(i));
    }
    Map<String, Integer> chatSizes = new ConcurrentHashMap<>();
    members.forEach(member -> chatSizes.merge(member.chatId(), 1, Integer::sum));
    members.forEach(member -> member.bridge().onEvent(frame -> onEvent(member, frame)));

    double perSender = config.rate() / config.senders();
    long intervalNanos = (long) (1e9 / perSender);
    long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.warmupSeconds() + config.seconds());
    List<Long> timers = new ArrayList<>();
    for (int i = 0; i < senders.size(); i++) {
      Member sender = senders.get(i);
      long offsetMs = Math.max(1, (long) (i * (1000.0 / perSender) / senders.size()));
      vertx.setTimer(offsetMs, first -> timers.add(vertx.setPeriodic(Math.max(1, intervalNanos / 1_000_000), id -> {
        if (System.nanoTime() < endAt) {
          send(sender, chatSizes.get(sender.chatId()));
        }
      })));
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(config.warmupSeconds()));
    if (config.warmupSeconds() > 0) {
      // Let the warm-up's last messages settle before measuring.
      ack.total().reset();
      deliver.total().reset();
    }
    double serverCpuBefore = target.pid().isPresent() ? ProcessStats.cpuSeconds(target.pid().getAsLong()) : -1;
    double benchCpuBefore = ProcessStats.cpuSeconds(ProcessHandle.current().pid());
    target.beginMeasuring();
    long start = System.nanoTime();
    measuring = true;
    JsonArray series = new JsonArray();
    long seriesTimer = vertx.setPeriodic(1000, id -> series.add(sample(start)));
    Thread.sleep(TimeUnit.SECONDS.toMillis(config.seconds()));
    timers.forEach(vertx::cancelTimer);
    target.endMeasuring();
    // Let in-flight acks and deliveries arrive.
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < drainUntil && (delivered.sum() < expected.sum() || !sentAt.isEmpty())) {
      Thread.sleep(100);
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    vertx.cancelTimer(seriesTimer);
    double serverCpu = serverCpuBefore < 0 ? -1 : ProcessStats.cpuSeconds(target.pid().getAsLong()) - serverCpuBefore;
    double benchCpu = ProcessStats.cpuSeconds(ProcessHandle.current().pid()) - benchCpuBefore;

    Histogram ackTotal = ack.total();
    Histogram deliverTotal = deliver.total();
    long lost = Math.max(0, expected.sum() - delivered.sum());
    JsonObject errorCounts = new JsonObject();
    errors.forEach((code, count) -> errorCounts.put(code, count.sum()));
    JsonObject results = new JsonObject()
        .put("acked", acked.sum())
        .put("ackedPerSecond", Math.round(acked.sum() / (double) config.seconds()))
        .put("ack", Latencies.summary(ackTotal))
        .put("deliver", Latencies.summary(deliverTotal))
        .put("expectedDeliveries", expected.sum())
        .put("delivered", delivered.sum())
        .put("lost", lost)
        .put("duplicated", duplicated.sum())
        .put("errors", errorCounts);
    int cores = Runtime.getRuntime().availableProcessors();
    JsonObject cpu = new JsonObject()
        .put("serverSeconds", serverCpu)
        .put("benchSeconds", benchCpu)
        .put("serverShareOfMachine", serverCpu < 0 ? null : round(serverCpu / (elapsed * cores)))
        .put("benchShareOfMachine", round(benchCpu / (elapsed * cores)));
    Future.join(members.stream().map(member -> member.bridge().close()).toList())
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    sockets.close();
    web.close();
    return new JsonObject()
        .put("scenario", "throughput")
        .put("config", config.toJson())
        .put("results", results)
        .put("cpu", cpu)
        .put("histograms", new JsonObject().put("ack", Latencies.buckets(ackTotal))
            .put("deliver", Latencies.buckets(deliverTotal)))
        .put("series", series);
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    JsonObject cpu = report.getJsonObject("cpu");
    return String.format("%d acked/s; ack p50/p99/p99.9 %.1f/%.1f/%.1f ms; deliver p50/p99 %.1f/%.1f ms;"
            + " lost %d, dup %d; CPU server %s, bench %s of 2 cores",
        results.getLong("ackedPerSecond"),
        results.getJsonObject("ack").getDouble("p50"), results.getJsonObject("ack").getDouble("p99"),
        results.getJsonObject("ack").getDouble("p999"),
        results.getJsonObject("deliver").getDouble("p50"), results.getJsonObject("deliver").getDouble("p99"),
        results.getLong("lost"), results.getLong("duplicated"),
        cpu.getValue("serverShareOfMachine"), cpu.getValue("benchShareOfMachine"));
  }

  private void send(Member sender, int chatSize) {
    String clientId = UUID.randomUUID().toString();
    long now = System.nanoTime();
    boolean measured = measuring;
    if (measured) {
      measuredIds.add(clientId);
      sentAt.put(clientId, now);
      expectedPerMessage.put(clientId, chatSize);
      expected.add(chatSize);
    }
    sender.bridge().request("chat.message.send", new JsonObject().put("chatId", sender.chatId())
            .put("clientId", clientId).put("content", "bench message " + clientId))
        .onSuccess(reply -> {
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
          String code = failure instanceof BridgeClient.BenchFailure bench ? bench.code() : failure.getClass().getSimpleName();
          errors.computeIfAbsent(code, c -> new LongAdder()).increment();
          // A refused message is never delivered: it is not expected either.
          expected.add(-chatSize);
          expectedPerMessage.remove(clientId);
          sentAt.remove(clientId);
        });
  }

  private void onEvent(Member member, JsonObject frame) {
    JsonObject event = frame.getJsonObject("body");
    if (event == null || !"message.new".equals(event.getString("type"))) {
      return;
    }
    String clientId = event.getJsonObject("message").getString("clientId");
    Long sent = sentAt.get(clientId);
    if (!measuredIds.contains(clientId)) {
      return; // a warm-up message
    }
    if (!deliveredKeys.add(clientId + "/" + member.userId())) {
      duplicated.increment();
      return;
    }
    delivered.increment();
    secondDelivered.incrementAndGet();
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

  /** Accounts, a workspace, the chats, and every member connected and registered on its chat. */
  private Future<List<Member>> setUp(Api api, WebSocketClient sockets) {
    int users = config.chats() * config.members();
    return Population.create(api, users, config.chats(), i -> List.of(i % config.chats()), config.setupConcurrency())
        .compose(population -> Lanes.bounded(users, config.setupConcurrency(), i -> {
          Population.User user = population.users.get(i);
          String chatId = user.chatIds().get(0);
          return BridgeClient.connect(vertx, sockets, target.host, target.port, user.accessToken())
              .compose(bridge -> bridge.register("chat." + chatId)
                  .compose(ok -> bridge.register("user." + user.userId()))
                  .map(ok -> new Member(user.userId(), user.accessToken(), chatId, bridge)));
        }));
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
