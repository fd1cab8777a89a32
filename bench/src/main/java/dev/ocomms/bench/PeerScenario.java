package dev.ocomms.bench;

import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Peer-shaped capacity: the measurement of the reference Node.js + Socket.IO stack's table, over OComms. The
 * throughput scenario's set-up ({@code chats} chats of {@code members} members, {@code per-user} bridge connections
 * each; by default 50 × 20 × 1 = 1,000 connections) is made once, then the throughput scenario's open-loop
 * measurement runs once per offered rate of {@code rates}, lowest first, with {@code content-bytes} of content per
 * message. Each rate has ceil(rate / 5) senders (at most one per account), spread over the chats, so that no user
 * comes near the server's 10 messages/s. The result: the highest rate whose send→deliver p99 stays within
 * {@code p99-limit-ms} with nothing lost, duplicated or refused; climbing stops after a rate whose p99 is over five
 * times the limit.
 */
final class PeerScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(PeerScenario.class);
  /** Messages per second one sender offers at most: half of the server's per-user limit, for margin. */
  static final double PER_SENDER = 5;
  /** The server's per-user limit (messages/s): a rate that would need more per sender is not run. */
  static final double SERVER_LIMIT_PER_USER = 10;
  /** Climbing stops after a rate whose p99 is over this many times the limit. */
  static final int GIVE_UP_FACTOR = 5;

  /** What to run. */
  record Config(int chats, int members, int perUser, List<Double> rates, int seconds, int warmupSeconds,
                int contentBytes, double p99LimitMs, int drainSeconds, int setupConcurrency) {
    int users() {
      return chats * members;
    }

    JsonObject toJson() {
      return new JsonObject().put("chats", chats).put("membersPerChat", members).put("connectionsPerMember", perUser)
          .put("connections", users() * perUser).put("rates", new JsonArray(new ArrayList<>(rates)))
          .put("seconds", seconds).put("warmupSeconds", warmupSeconds).put("contentBytes", contentBytes)
          .put("p99LimitMs", p99LimitMs).put("drainSeconds", drainSeconds).put("perSenderPerSecond", PER_SENDER);
    }

    /** The throughput scenario that sets up and measures for this one (its senders and rate are given per rate). */
    ThroughputScenario.Config throughput() {
      return new ThroughputScenario.Config(chats, members, perUser, 0, 0, seconds, warmupSeconds, setupConcurrency,
          false, 0, contentBytes, drainSeconds);
    }
  }

  private final Target target;
  private final Config config;
  private final ThroughputScenario throughput;

  static PeerScenario from(io.vertx.core.Vertx vertx, Target target, Options options) {
    List<Double> rates = Arrays.stream(options.text("rates", "500,1000,2000,3000,3750,4500").split(","))
        .map(String::trim).filter(rate -> !rate.isEmpty()).map(Double::parseDouble).distinct().sorted().toList();
    Config config = new Config(options.integer("chats", 50), options.integer("members", 20),
        options.integer("per-user", 1), rates, options.integer("seconds", 20), options.integer("warmup", 10),
        options.integer("content-bytes", 100), options.decimal("p99-limit-ms", 200),
        options.integer("drain-seconds", 30), options.integer("setup-concurrency", 16));
    return new PeerScenario(vertx, target, config);
  }

  PeerScenario(io.vertx.core.Vertx vertx, Target target, Config config) {
    if (config.rates().isEmpty() || config.rates().get(0) <= 0) {
      throw new IllegalArgumentException("--rates takes positive messages/s separated by commas");
    }
    this.target = target;
    this.config = config;
    this.throughput = new ThroughputScenario(vertx, target, config.throughput());
  }

  @Override
  public JsonObject run() throws Exception {
    WebClient web = throughput.webClient();
    WebSocketClient sockets = throughput.socketClient();
    JsonArray steps = new JsonArray();
    try {
      long tokensAt = System.nanoTime();
      ThroughputScenario.SetUp setUp = throughput.setUp(web, sockets);
      Sessions sessions = new Sessions(web, target, setUp.population().users, config.setupConcurrency(),
          Sessions.RENEW_EVERY_SECONDS);
      boolean climbing = true;
      for (double rate : config.rates()) {
        if (!climbing) {
          steps.add(new JsonObject().put("offeredPerSecond", rate).put("status", "not run")
              .put("reason", "a lower rate's p99 was over " + GIVE_UP_FACTOR + "× the limit"));
          continue;
        }
        if (System.nanoTime() - tokensAt > TimeUnit.SECONDS.toNanos(Sessions.RENEW_EVERY_SECONDS)) {
          renew(setUp, Lanes.await(sessions.renewAll(), 600));
          tokensAt = System.nanoTime();
        }
        JsonObject step = step(setUp.members(), rate);
        steps.add(step);
        climbing = !"failed badly".equals(step.getString("status"));
      }
      ThroughputScenario.closeAll(setUp.members());
    } finally {
      sockets.close();
      web.close();
    }
    return new JsonObject().put("scenario", "peer").put("config", config.toJson())
        .put("results", results(steps)).put("charts", charts(steps));
  }

  /** One offered rate: its senders, the throughput measurement, and whether it passed. */
  private JsonObject step(List<MessageLoad.Member> members, double rate) throws Exception {
    int wanted = (int) Math.ceil(rate / PER_SENDER);
    int senders = Math.min(wanted, config.users());
    JsonObject step = new JsonObject().put("offeredPerSecond", rate).put("senders", senders)
        .put("perSenderPerSecond", MessageLoad.round(rate / senders)).put("sendersCapped", senders < wanted);
    if (rate / senders > SERVER_LIMIT_PER_USER) {
      return step.put("status", "not run").put("reason", "needs more than " + SERVER_LIMIT_PER_USER
          + " messages/s per account (the server's limit): " + config.users() + " accounts are too few");
    }
    if (senders < wanted) {
      LOG.warn("{} msg/s: only {} accounts, so {} senders at {} msg/s each (not {})", rate, config.users(), senders,
          MessageLoad.round(rate / senders), PER_SENDER);
    }
    LOG.info("{} msg/s offered by {} senders: {} s warm-up, {} s measured", rate, senders, config.warmupSeconds(),
        config.seconds());
    JsonObject measured = throughput.measure(members, throughput.senders(members, senders), rate);
    JsonObject results = measured.getJsonObject("results");
    step.put("results", results).put("cpu", measured.getJsonObject("cpu")).put("series", measured.getJsonArray("series"));
    List<String> failures = failures(results);
    double p99 = results.getJsonObject("deliver").getDouble("p99");
    boolean nothingArrived = results.getLong("delivered") == 0;
    String status = failures.isEmpty() ? "passed"
        : p99 > GIVE_UP_FACTOR * config.p99LimitMs() || nothingArrived ? "failed badly" : "failed";
    LOG.info("{} msg/s: {} (acked {}/s, deliver p99 {} ms{})", rate, status, results.getLong("ackedPerSecond"), p99,
        failures.isEmpty() ? "" : "; " + String.join(", ", failures));
    return step.put("status", status).put("failedBecause", new JsonArray(new ArrayList<>(failures)));
  }

  /** Why a measured rate does not pass; empty when it does. */
  private List<String> failures(JsonObject results) {
    List<String> failures = new ArrayList<>();
    double p99 = results.getJsonObject("deliver").getDouble("p99");
    if (results.getLong("delivered") == 0) {
      failures.add("nothing delivered");
    } else if (p99 > config.p99LimitMs()) {
      failures.add("deliver p99 " + p99 + " ms > " + config.p99LimitMs() + " ms");
    }
    if (results.getLong("lost") > 0) {
      failures.add("lost " + results.getLong("lost"));
    }
    if (results.getLong("duplicated") > 0) {
      failures.add("duplicated " + results.getLong("duplicated"));
    }
    if (!results.getJsonObject("errors").isEmpty()) {
      failures.add("refused " + results.getJsonObject("errors").encode());
    }
    return failures;
  }

  /** The headline (highest passing rate, p99 at 1,000/s) and every rate's step. */
  private JsonObject results(JsonArray steps) {
    Double highest = null;
    Double p99At1000 = null;
    for (Object entry : steps) {
      JsonObject step = (JsonObject) entry;
      if ("passed".equals(step.getString("status"))) {
        highest = step.getDouble("offeredPerSecond");
      }
      if (step.getDouble("offeredPerSecond") == 1000 && step.containsKey("results")) {
        p99At1000 = step.getJsonObject("results").getJsonObject("deliver").getDouble("p99");
      }
    }
    return new JsonObject().put("p99LimitMs", config.p99LimitMs()).put("highestPassingRate", highest)
        .put("deliverP99At1000Ms", p99At1000).put("rates", steps);
  }

  /** Send→deliver p50 and p99 per offered rate, with the limit. */
  private JsonArray charts(JsonArray steps) {
    List<Double> rates = new ArrayList<>();
    List<Double> p50 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    for (Object entry : steps) {
      JsonObject step = (JsonObject) entry;
      if (step.containsKey("results")) {
        JsonObject deliver = step.getJsonObject("results").getJsonObject("deliver");
        rates.add(step.getDouble("offeredPerSecond"));
        p50.add(deliver.getDouble("p50"));
        p99.add(deliver.getDouble("p99"));
      }
    }
    List<Double> limit = rates.stream().map(rate -> config.p99LimitMs()).toList();
    return new JsonArray().add(new JsonObject().put("title", "send→deliver latency per offered rate")
        .put("xAxisTitle", "offered messages/s").put("yAxisTitle", "ms")
        .put("lines", new JsonArray()
            .add(line("deliver p50", rates, p50)).add(line("deliver p99", rates, p99))
            .add(line("p99 limit", rates, limit))));
  }

  private static JsonObject line(String name, List<Double> x, List<Double> y) {
    return new JsonObject().put("name", name).put("x", new JsonArray(new ArrayList<>(x)))
        .put("y", new JsonArray(new ArrayList<>(y)));
  }

  /** Hands each connection its user's new access token (connection i belongs to user i / per-user). */
  private void renew(ThroughputScenario.SetUp setUp, Map<String, String> tokens) {
    List<MessageLoad.Member> members = setUp.members();
    for (int i = 0; i < members.size(); i++) {
      String token = tokens.get(setUp.population().users.get(i / config.perUser()).userId());
      if (token != null) {
        members.get(i).connection().renew(token);
      }
    }
    LOG.info("renewed {} sessions", tokens.size());
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    StringBuilder figures = new StringBuilder(String.format("highest passing rate %s msg/s (deliver p99 ≤ %s ms,"
            + " nothing lost, duplicated or refused); deliver p99 at 1,000/s %s", number(results.getValue(
                "highestPassingRate")), number(results.getValue("p99LimitMs")),
        results.getValue("deliverP99At1000Ms") == null ? "not measured" : results.getValue("deliverP99At1000Ms")
            + " ms"));
    for (Object entry : results.getJsonArray("rates")) {
      JsonObject step = (JsonObject) entry;
      figures.append("; ").append(number(step.getValue("offeredPerSecond"))).append("/s ");
      if (!step.containsKey("results")) {
        figures.append("not run");
        continue;
      }
      JsonObject r = step.getJsonObject("results");
      JsonObject cpu = step.getJsonObject("cpu");
      JsonObject errors = r.getJsonObject("errors");
      figures.append(String.format("%s: %d acked/s, ack p50/p99 %.1f/%.1f ms, deliver p50/p99/max %.1f/%.1f/%.1f ms,"
              + " lost %d, dup %d, refused %s, CPU of 2 cores server/stores/bench %s/%s/%s",
          step.getString("status"), r.getLong("ackedPerSecond"), r.getJsonObject("ack").getDouble("p50"),
          r.getJsonObject("ack").getDouble("p99"), r.getJsonObject("deliver").getDouble("p50"),
          r.getJsonObject("deliver").getDouble("p99"), r.getJsonObject("deliver").getDouble("max"),
          r.getLong("lost"), r.getLong("duplicated"), errors.isEmpty() ? "0" : errors.encode(),
          cpu.getValue("serverShareOfMachine"), cpu.getValue("storesShareOfMachine"),
          cpu.getValue("benchShareOfMachine")));
    }
    return figures.toString();
  }

  /** 3750.0 as 3750; null as "none". */
  private static String number(Object value) {
    if (value == null) {
      return "none";
    }
    double d = ((Number) value).doubleValue();
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }
}
