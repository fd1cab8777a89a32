package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throughput: {@code senders} users send at a fixed total rate into {@code chats} chats of {@code members} members
 * each; every member is connected over the bridge ({@code per-user} connections each, spread over the nodes) and
 * registered on its chat and its user address. Measures acked messages per second (durable: the ack follows the
 * commit), send→ack and send→deliver latency, and lost and duplicated deliveries. Then the same load against the raw
 * baseline, and the baseline's closed-loop maximum, for the ratios.
 */
final class ThroughputScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(ThroughputScenario.class);

  /** What to run. */
  record Config(int chats, int members, int perUser, int senders, double rate, int seconds, int warmupSeconds,
                int setupConcurrency, boolean baseline, int baselineMaxSeconds, int contentBytes, int drainSeconds) {
    JsonObject toJson() {
      return new JsonObject().put("chats", chats).put("membersPerChat", members).put("connectionsPerMember", perUser)
          .put("connections", chats * members * perUser).put("senders", senders).put("ratePerSecond", rate)
          .put("seconds", seconds).put("warmupSeconds", warmupSeconds).put("baseline", baseline)
          .put("baselineMaxSeconds", baselineMaxSeconds).put("contentBytes", contentBytes)
          .put("drainSeconds", drainSeconds);
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final Config config;

  static ThroughputScenario from(Vertx vertx, Target target, Options options) {
    return new ThroughputScenario(vertx, target, new Config(options.integer("chats", 10), options.integer("members", 10),
        options.integer("per-user", 1), options.integer("senders", 100), options.decimal("rate", 500),
        options.integer("seconds", 30), options.integer("warmup", 10), options.integer("setup-concurrency", 16),
        !options.text("baseline", "true").equals("false"), options.integer("baseline-max-seconds", 5),
        options.integer("content-bytes", 0), options.integer("drain-seconds", 15)));
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
    WebClient web = webClient();
    WebSocketClient sockets = socketClient();
    JsonObject report = new JsonObject().put("scenario", "throughput").put("config", config.toJson());
    try {
      List<MessageLoad.Member> members = setUp(web, sockets).members();
      List<MessageLoad.Member> senders = senders(members, config.senders());
      JsonObject ours = measure(members, senders, config.rate());
      closeAll(members);
      report.mergeIn(ours);
      if (config.baseline()) {
        report.put("baseline", baseline(sockets, ours));
      }
    } finally {
      sockets.close();
      web.close();
    }
    return report;
  }

  /** The REST client of the set-up, {@code setupConcurrency} calls at once. */
  WebClient webClient() {
    return WebClient.create(vertx, new WebClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.setupConcurrency()));
  }

  WebSocketClient socketClient() {
    return vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(Integer.MAX_VALUE).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20));
  }

  /** The accounts of a run and their connections, in user order ({@code perUser} consecutive ones per user). */
  record SetUp(Population population, List<MessageLoad.Member> members) {
  }

  /**
   * Creates the {@code chats × members} accounts (user i in chat i mod chats) and connects each {@code perUser}
   * times.
   */
  SetUp setUp(WebClient web, WebSocketClient sockets) throws Exception {
    int users = config.chats() * config.members();
    Population population = Lanes.await(Population.create(web, target, users, config.chats(),
        i -> List.of(i % config.chats()), config.setupConcurrency()), 1800);
    List<MessageLoad.Member> members = Lanes.await(connect(population, sockets), 1800);
    LOG.info("set up: {} connections of {} members in {} chats", members.size(), users, config.chats());
    return new SetUp(population, members);
  }

  /**
   * One measurement over OComms: {@code senders} send {@code rate} messages/s in total for the configured warm-up and
   * measured seconds, with the servers' and stores' CPU and (with {@code --profile}) JFR around the measured phase.
   */
  JsonObject measure(List<MessageLoad.Member> members, List<MessageLoad.Member> senders, double rate)
      throws Exception {
    return new MessageLoad(vertx).drainFor(config.drainSeconds()).run(members, senders, rate, config.seconds(),
        config.warmupSeconds(), new MessageLoad.CpuSources(target::serverCpuSeconds, target::storesCpuSeconds),
        begins -> {
          if (begins) {
            target.beginMeasuring();
          } else {
            target.endMeasuring();
          }
        });
  }

  /** Each user's connections (round-robin over the nodes), registered on its chat and its user address. */
  private Future<List<MessageLoad.Member>> connect(Population population, WebSocketClient sockets) {
    int connections = population.users.size() * config.perUser();
    return Lanes.bounded(connections, config.setupConcurrency(), i -> {
      Population.User user = population.users.get(i / config.perUser());
      String chatId = user.chatIds().get(0);
      return BridgeClient.connect(vertx, sockets, target.host, target.port(i % target.size()), user.accessToken())
          .compose(bridge -> bridge.register("chat." + chatId)
              .compose(ok -> bridge.register("user." + user.userId()))
              .map(ok -> new MessageLoad.Member(chatId, LoadConnection.bridge(bridge, config.contentBytes()))));
    });
  }

  /**
   * The same connections, rooms, senders and rate against the raw baseline (no persistence, no bridge), then its
   * closed-loop maximum; our figures as ratios of both.
   */
  private JsonObject baseline(WebSocketClient sockets, JsonObject ours) throws Exception {
    try (Baseline baseline = Baseline.start("1g")) {
      int connections = config.chats() * config.members() * config.perUser();
      List<MessageLoad.Member> members = Lanes.await(Lanes.bounded(connections, config.setupConcurrency(), i -> {
        String room = "room-" + ((i / config.perUser()) % config.chats());
        return LoadConnection.baseline(vertx, sockets, baseline.host, baseline.port, List.of(room))
            .map(connection -> new MessageLoad.Member(room, connection));
      }), 600);
      List<MessageLoad.Member> senders = senders(members, config.senders());
      long pid = baseline.pid();
      JsonObject theirs = new MessageLoad(vertx).run(members, senders, config.rate(), config.seconds(),
          Math.min(config.warmupSeconds(), 5),
          new MessageLoad.CpuSources(() -> ProcessStats.cpuSeconds(pid), () -> -1), begins -> { });
      long maxAckedPerSecond = config.baselineMaxSeconds() > 0
          ? MessageLoad.closedLoop(vertx, senders, config.baselineMaxSeconds()) : -1;
      closeAll(members);
      JsonObject results = theirs.getJsonObject("results");
      JsonObject ourResults = ours.getJsonObject("results");
      JsonObject ratio = new JsonObject()
          .put("ackedPerSecond", ratio(ourResults.getLong("ackedPerSecond"), results.getLong("ackedPerSecond")))
          .put("ackP99", ratio(ourResults.getJsonObject("ack").getDouble("p99"),
              results.getJsonObject("ack").getDouble("p99")))
          .put("deliverP99", ratio(ourResults.getJsonObject("deliver").getDouble("p99"),
              results.getJsonObject("deliver").getDouble("p99")))
          .put("cpuPerMessage", ratio(ours.getJsonObject("cpu").getDouble("serverAndStoresMsPerMessage"),
              theirs.getJsonObject("cpu").getDouble("serverAndStoresMsPerMessage")))
          .put("ackedPerSecondOfBaselineMax", maxAckedPerSecond <= 0 ? null
              : ratio(ourResults.getLong("ackedPerSecond"), maxAckedPerSecond));
      return new JsonObject().put("results", results).put("cpu", theirs.getJsonObject("cpu"))
          .put("maxAckedPerSecond", maxAckedPerSecond).put("ratio", ratio);
    }
  }

  /**
   * The first connection of each of the first {@code count} users (connections are in user order; user i is in chat
   * i mod chats, so the senders are spread evenly over the chats).
   */
  List<MessageLoad.Member> senders(List<MessageLoad.Member> members, int count) {
    List<MessageLoad.Member> senders = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      senders.add(members.get(i * config.perUser()));
    }
    return senders;
  }

  static void closeAll(List<MessageLoad.Member> members) throws Exception {
    Future.join(members.stream().map(member -> member.connection().close()).toList())
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static Double ratio(Number ours, Number theirs) {
    if (ours == null || theirs == null || theirs.doubleValue() == 0) {
      return null;
    }
    return MessageLoad.round(ours.doubleValue() / theirs.doubleValue());
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    JsonObject cpu = report.getJsonObject("cpu");
    String figures = String.format("%d acked/s; ack p50/p99/p99.9 %.1f/%.1f/%.1f ms; deliver p50/p99 %.1f/%.1f ms;"
            + " lost %d, dup %d; CPU of 2 cores: server %s, stores %s, bench %s",
        results.getLong("ackedPerSecond"),
        results.getJsonObject("ack").getDouble("p50"), results.getJsonObject("ack").getDouble("p99"),
        results.getJsonObject("ack").getDouble("p999"),
        results.getJsonObject("deliver").getDouble("p50"), results.getJsonObject("deliver").getDouble("p99"),
        results.getLong("lost"), results.getLong("duplicated"),
        cpu.getValue("serverShareOfMachine"), cpu.getValue("storesShareOfMachine"), cpu.getValue("benchShareOfMachine"));
    JsonObject baseline = report.getJsonObject("baseline");
    if (baseline != null) {
      JsonObject ratio = baseline.getJsonObject("ratio");
      figures += String.format("; baseline: deliver p99 %.1f ms, max %d msgs/s; ratio to baseline: acked/s %s,"
              + " deliver p99 %s, CPU per message %s, of baseline max %s",
          baseline.getJsonObject("results").getJsonObject("deliver").getDouble("p99"),
          baseline.getLong("maxAckedPerSecond"), ratio.getValue("ackedPerSecond"), ratio.getValue("deliverP99"),
          ratio.getValue("cpuPerMessage"), ratio.getValue("ackedPerSecondOfBaselineMax"));
    }
    return figures;
  }
}
