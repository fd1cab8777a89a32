package dev.ocomms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Reconnect storm: {@code clients} connections (accounts shared by {@code per-user} connections, each registered on
 * its user address and its one chat) are connected, senders send into the chats at {@code rate}, then a node dies:
 * with {@code --mode kill} node 1 of several gets SIGKILL and its clients reconnect to the others; with
 * {@code --mode restart} node 0 gets SIGKILL and is started again, and its clients reconnect to it. Clients reconnect
 * like the web client (exponential backoff, full jitter), re-register and call {@code chat.sync}; a client is
 * recovered once its sync is applied. Reports the time from the kill to 95 % and 100 % recovered, failures by cause,
 * and lost and duplicated messages (both must be 0). The clients live in {@link ReconnectWorker} child processes
 * (one process holds at most ~19.5K sockets). The raw baseline: as many plain WebSockets to a {@link BaselineServer}
 * that is killed and started again, its clients reconnecting with the same backoff and re-joining their room.
 */
final class ReconnectScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(ReconnectScenario.class);
  /** A sender sends at most this many messages per second (the server allows 10 per user; retries come on top). */
  private static final double RATE_PER_SENDER = 2;

  /** What to run. */
  record Config(int clients, int perUser, int chats, String mode, double rate, long backoffInitialMs,
                long backoffMaxMs, int beforeSeconds, int settleSeconds, int timeoutSeconds, int generators,
                boolean baseline, int setupConcurrency) {
    JsonObject toJson() {
      return new JsonObject().put("clients", clients).put("perUser", perUser).put("chats", chats).put("mode", mode)
          .put("ratePerSecond", rate).put("backoffInitialMs", backoffInitialMs).put("backoffMaxMs", backoffMaxMs)
          .put("beforeSeconds", beforeSeconds).put("settleSeconds", settleSeconds)
          .put("timeoutSeconds", timeoutSeconds).put("generators", generators);
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final Config config;

  static ReconnectScenario from(Vertx vertx, Target target, Options options) {
    int clients = options.integer("clients", 200);
    int perUser = options.integer("per-user", 20);
    int users = (clients + perUser - 1) / perUser;
    return new ReconnectScenario(vertx, target, new Config(clients, perUser,
        Math.min(users, options.integer("chats", Math.max(1, users / 5))), options.text("mode", "kill"),
        options.decimal("rate", 20), options.integer("backoff-initial-ms", 1000),
        options.integer("backoff-max-ms", 30_000), options.integer("before", 3), options.integer("settle", 5),
        options.integer("timeout", 120), options.integer("generators", (clients + 17_999) / 18_000),
        !"false".equals(options.text("baseline", "true")), options.integer("setup-concurrency", 8)));
  }

  ReconnectScenario(Vertx vertx, Target target, Config config) {
    this.vertx = vertx;
    this.target = target;
    this.config = config;
  }

  @Override
  public JsonObject run() throws Exception {
    boolean kill = switch (config.mode()) {
      case "kill" -> true;
      case "restart" -> false;
      default -> throw new IllegalArgumentException("--mode is kill or restart");
    };
    if (!target.started()) {
      throw new IllegalArgumentException("the reconnect storm kills a node: it needs nodes this run starts (no --url)");
    }
    if (kill && target.size() < 2) {
      throw new IllegalArgumentException("--mode kill needs --nodes 2 or more (the clients of the killed node move)");
    }
    // After a kill the survivors hold every client; past the open-file limit a node stops accepting (and Netty
    // pauses its accepts for a second at a time), which would measure the machine's limit, not recovery.
    int holding = kill ? target.size() - 1 : target.size();
    int perNode = (config.clients() + holding - 1) / holding;
    if (perNode > ConnectionsScenario.MAX_PER_NODE) {
      throw new IllegalArgumentException(config.clients() + " clients on " + holding + " node(s)" + (kill
          ? " left after the kill" : "") + " puts " + perNode + " on a node, but one process holds at most ~"
          + ConnectionsScenario.MAX_PER_NODE + " sockets: use more --nodes");
    }
    int users = (config.clients() + config.perUser() - 1) / config.perUser();
    WebClient web = WebClient.create(vertx, new WebClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.setupConcurrency()));
    Population population;
    try {
      population = Lanes.await(Population.create(web, target, users, config.chats(),
          i -> List.of(i % config.chats()), config.setupConcurrency()), 3600);
    } finally {
      web.close();
    }
    LOG.info("set up: {} users in {} chats for {} connections", users, config.chats(), config.clients());
    JsonArray userSpecs = new JsonArray();
    population.users.forEach(user -> userSpecs.add(new JsonArray().add(user.userId()).add(user.accessToken())
        .add(population.chatIds.indexOf(user.chatIds().get(0)))));
    List<Integer> senders = senders(users);
    JsonArray ports = new JsonArray();
    for (int node = 0; node < target.size(); node++) {
      ports.add(target.port(node));
    }
    JsonObject spec = new JsonObject().put("baseline", false).put("host", target.host).put("ports", ports)
        .put("failover", kill).put("users", userSpecs).put("chatIds", new JsonArray(population.chatIds))
        .put("senders", new JsonArray(senders))
        .put("sendIntervalMs", senders.isEmpty() ? 0 : Math.round(1000 * senders.size() / config.rate()));
    int killed = kill ? 1 : 0;
    Storm ours = storm(spec, () -> {
      target.kill(killed);
      if (!kill) {
        target.launch(0);
        target.awaitReady(0, Duration.ofSeconds(180));
      }
    }, true);

    JsonObject results = ours.results().put("nodes", target.size()).put("killedNode", killed)
        .put("senders", senders.size());
    JsonObject report = new JsonObject().put("scenario", "reconnect").put("config", config.toJson())
        .put("results", results).put("series", ours.series())
        .put("histograms", new JsonObject().put("recovery", recoveryBuckets(ours.recoveries())));
    if (config.baseline()) {
      // One baseline process per node, as one process holds at most ~19.5K sockets; the one standing for the
      // killed node is killed and started again (the baseline has nowhere else to fail over to).
      List<Baseline> servers = new ArrayList<>();
      try {
        JsonArray baselinePorts = new JsonArray();
        for (int node = 0; node < target.size(); node++) {
          servers.add(Baseline.start("1g"));
          baselinePorts.add(servers.get(node).port);
        }
        Baseline struck = servers.get(killed);
        JsonObject baselineSpec = new JsonObject().put("baseline", true).put("host", struck.host)
            .put("ports", baselinePorts).put("failover", false).put("users", userSpecs)
            .put("chatIds", new JsonArray(population.chatIds));
        Storm raw = storm(baselineSpec, () -> {
          struck.kill();
          struck.launch();
        }, false);
        JsonObject baselineResults = raw.results();
        report.put("baseline", baselineResults.put("series", raw.series())
            .put("histograms", new JsonObject().put("recovery", recoveryBuckets(raw.recoveries())))
            .put("ratio", new JsonObject()
                .put("recovered95", ratio(results.getValue("recovered95Seconds"),
                    baselineResults.getValue("recovered95Seconds")))
                .put("recovered100", ratio(results.getValue("recovered100Seconds"),
                    baselineResults.getValue("recovered100Seconds")))));
      } finally {
        for (Baseline server : servers) {
          server.close();
        }
      }
    }
    return report;
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    JsonObject baseline = report.getJsonObject("baseline");
    String compared = baseline == null ? "" : String.format("; baseline %s/%s s (ratio %s/%s)",
        baseline.getValue("recovered95Seconds"), baseline.getValue("recovered100Seconds"),
        baseline.getJsonObject("ratio").getValue("recovered95"),
        baseline.getJsonObject("ratio").getValue("recovered100"));
    return String.format("%d of %d clients down (%s); 95 %%/100 %% recovered in %s/%s s%s; lost %d, dup %d;"
            + " %d acked", results.getInteger("affected"), results.getInteger("clients"),
        report.getJsonObject("config").getString("mode"), results.getValue("recovered95Seconds"),
        results.getValue("recovered100Seconds"), compared, results.getLong("lost"), results.getLong("duplicated"),
        results.getLong("acked"));
  }

  /** Sender clients: one per sending user, users spread over the chats, their connections over the nodes. */
  private List<Integer> senders(int users) {
    if (config.rate() <= 0) {
      return List.of();
    }
    int count = (int) Math.min(users, Math.ceil(config.rate() / RATE_PER_SENDER));
    if (config.rate() / count > 10) {
      throw new IllegalArgumentException("at most 10 messages per second per user (the server's limit): with "
          + users + " users the rate may be at most " + users * 10);
    }
    List<Integer> senders = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      int user = (int) ((long) s * users / count);
      int first = user * config.perUser();
      int connections = Math.min(config.perUser(), config.clients() - first);
      // Clients sit on node (index % nodes): alternate so that some senders are on the node that dies.
      senders.add(first + s % Math.min(connections, target.size()));
    }
    return senders;
  }

  /** What one storm (ours or the baseline) measured. */
  private record Storm(JsonObject results, JsonArray series, List<Long> recoveries) {
  }

  /** Something that may fail with a checked exception: the kill (and restart). */
  private interface Disaster {
    void strike() throws Exception;
  }

  /**
   * Connects the clients in generator processes, sends for a while (ours), strikes, waits until every client that
   * went down has recovered (or the time-out), lets senders go on for {@code settle} seconds, then counts.
   */
  private Storm storm(JsonObject spec, Disaster disaster, boolean ours) throws Exception {
    int generators = Math.max(1, config.generators());
    try (Generators workers = new Generators()) {
      for (int g = 0; g < generators; g++) {
        int from = (int) ((long) config.clients() * g / generators);
        int to = (int) ((long) config.clients() * (g + 1) / generators);
        int slice = to - from;
        workers.start(spec.copy().put("from", from).put("to", to).put("perUser", config.perUser())
            .put("senders", new JsonArray(spec.getJsonArray("senders", new JsonArray()).stream()
                .filter(index -> (Integer) index >= from && (Integer) index < to).toList()))
            .put("backoffInitialMs", config.backoffInitialMs()).put("backoffMaxMs", config.backoffMaxMs())
            .put("attemptTimeoutMs", 15_000).put("connectConcurrency", 256), (256 + slice / 20) + "m");
      }
      List<JsonObject> ready = workers.awaitAll("ready", 300 + config.clients() / 20);
      int connectedBefore = ready.stream().mapToInt(r -> r.getInteger("connected")).sum();
      JsonObject failuresBefore = merge(ready.stream().map(r -> r.getJsonObject("failures")).toList());
      LOG.info("{}: {} of {} clients connected", ours ? "ocomms" : "baseline", connectedBefore, config.clients());
      if (ours && config.rate() > 0) {
        workers.sendAll(new JsonObject().put("type", "send"));
      }
      List<long[]> samples = new ArrayList<>();
      Thread sampler = sampler(workers, samples);
      Thread.sleep(TimeUnit.SECONDS.toMillis(config.beforeSeconds()));

      if (ours) {
        target.beginMeasuring();
      }
      long killAt = System.currentTimeMillis();
      workers.sendAll(new JsonObject().put("type", "killed").put("at", killAt));
      disaster.strike();
      long struckAt = System.currentTimeMillis();
      long deadline = killAt + TimeUnit.SECONDS.toMillis(config.timeoutSeconds());
      int[] progress;
      do {
        Thread.sleep(200);
        progress = workers.progress();
        // Closes arrive within milliseconds of the kill, progress every second: wait 2 s before trusting it.
      } while (System.currentTimeMillis() < deadline && (System.currentTimeMillis() < struckAt + 2000
          || progress[1] == 0 || progress[2] < progress[1]));
      if (ours) {
        target.endMeasuring();
      }
      LOG.info("{}: {} of {} affected clients recovered {} ms after the kill", ours ? "ocomms" : "baseline",
          progress[2], progress[1], System.currentTimeMillis() - killAt);

      JsonObject acked = new JsonObject();
      Map<String, Integer> seqByClientId = new HashMap<>();
      Set<String> duplicates = new HashSet<>();
      long unacked = 0;
      if (ours && config.rate() > 0) {
        Thread.sleep(TimeUnit.SECONDS.toMillis(config.settleSeconds()));
        workers.sendAll(new JsonObject().put("type", "stop"));
        for (JsonObject stopped : workers.awaitAll("stopped", 60)) {
          unacked += stopped.getInteger("unacked");
          stopped.getJsonArray("acked").forEach(item -> {
            JsonArray ack = (JsonArray) item;
            Integer first = seqByClientId.putIfAbsent(ack.getString(2), ack.getInteger(1));
            if (first != null && !first.equals(ack.getInteger(1))) {
              duplicates.add(ack.getString(2));
            }
            JsonArray seqs = acked.getJsonArray(String.valueOf(ack.getInteger(0)));
            if (seqs == null) {
              acked.put(String.valueOf(ack.getInteger(0)), seqs = new JsonArray());
            }
            seqs.add(ack.getInteger(1));
          });
        }
        // The last deliveries (and any gap sync, 300 ms after a gap) land.
        Thread.sleep(1000);
      }
      workers.sendAll(new JsonObject().put("type", "verify").put("acked", acked));
      List<JsonObject> finals = workers.awaitAll("final", 120);
      sampler.interrupt();
      sampler.join();
      JsonArray series = new JsonArray();
      synchronized (samples) {
        samples.forEach(sample -> series.add(new JsonObject()
            .put("t", Math.round((sample[0] - killAt) / 100.0) / 10.0)
            .put("connected", sample[1]).put("affected", sample[2]).put("recovered", sample[3])));
      }

      Set<String> missing = new HashSet<>();
      List<Long> recoveries = new ArrayList<>();
      long missingDeliveries = 0;
      for (JsonObject report : finals) {
        report.getJsonArray("missing").forEach(key -> missing.add((String) key));
        report.getJsonArray("duplicates").forEach(clientId -> duplicates.add((String) clientId));
        report.getJsonArray("recoveries").forEach(ms -> recoveries.add(((Number) ms).longValue()));
        missingDeliveries += report.getLong("missingDeliveries");
      }
      List<Long> recovered = recoveries.stream().filter(ms -> ms >= 0).sorted().toList();
      int affected = recoveries.size();
      JsonObject results = new JsonObject()
          .put("clients", config.clients())
          .put("connectedBeforeKill", connectedBefore)
          .put("affected", affected)
          .put("recovered", recovered.size())
          .put("unrecovered", affected - recovered.size())
          .put("recovered95Seconds", percentileSeconds(recovered, affected, 0.95))
          .put("recovered100Seconds", percentileSeconds(recovered, affected, 1.0))
          .put("recoveredMedianSeconds", percentileSeconds(recovered, affected, 0.5))
          .put("connectFailuresBeforeKill", failuresBefore)
          .put("failures", subtract(merge(finals.stream().map(r -> r.getJsonObject("failures")).toList()),
              failuresBefore))
          .put("reconnectAttempts", finals.stream().mapToLong(r -> r.getLong("reconnectAttempts")).sum());
      if (ours) {
        results.put("acked", seqByClientId.size())
            .put("unackedAtEnd", unacked)
            .put("lost", missing.size())
            .put("lostDeliveries", missingDeliveries)
            .put("duplicated", duplicates.size())
            .put("deliveredLive", finals.stream().mapToLong(r -> r.getLong("deliveredLive")).sum())
            .put("deliveredViaSync", finals.stream().mapToLong(r -> r.getLong("deliveredViaSync")).sum())
            .put("redeliveredDeduplicated", finals.stream().mapToLong(r -> r.getLong("redelivered")).sum())
            .put("syncTooLarge", finals.stream().mapToLong(r -> r.getLong("tooLarge")).sum())
            .put("gapSyncs", finals.stream().mapToLong(r -> r.getLong("gapSyncs")).sum());
      }
      return new Storm(results, series, recovered);
    }
  }

  /** Samples (epoch ms, connected, affected, recovered) every second until interrupted. */
  private static Thread sampler(Generators workers, List<long[]> samples) {
    Thread thread = new Thread(() -> {
      long next = System.currentTimeMillis();
      while (!Thread.currentThread().isInterrupted()) {
        int[] progress = workers.progress();
        synchronized (samples) {
          samples.add(new long[] {System.currentTimeMillis(), progress[0], progress[1], progress[2]});
        }
        next += 1000;
        try {
          Thread.sleep(Math.max(1, next - System.currentTimeMillis()));
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "reconnect-sampler");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** Seconds from the kill until {@code share} of the affected clients had recovered; null if they never did. */
  private static Double percentileSeconds(List<Long> recoveredSorted, int affected, double share) {
    if (affected == 0) {
      return null;
    }
    int needed = (int) Math.ceil(share * affected);
    if (needed == 0 || recoveredSorted.size() < needed) {
      return null;
    }
    return Math.round(recoveredSorted.get(needed - 1) / 10.0) / 100.0;
  }

  /** Recoveries per second after the kill, for the chart. */
  private static JsonArray recoveryBuckets(List<Long> recoveries) {
    TreeMap<Long, Long> perSecond = new TreeMap<>();
    recoveries.forEach(ms -> perSecond.merge(ms / 1000 + 1, 1L, Long::sum));
    JsonArray buckets = new JsonArray();
    perSecond.forEach((second, count) -> buckets.add(new JsonObject().put("upToSeconds", second).put("count", count)));
    return buckets;
  }

  private static Double ratio(Object ours, Object baseline) {
    if (!(ours instanceof Number o) || !(baseline instanceof Number b) || b.doubleValue() <= 0) {
      return null;
    }
    return Math.round(o.doubleValue() / b.doubleValue() * 100) / 100.0;
  }

  private static JsonObject merge(List<JsonObject> counts) {
    JsonObject merged = new JsonObject();
    counts.forEach(count -> count.forEach(entry ->
        merged.put(entry.getKey(), merged.getLong(entry.getKey(), 0L) + ((Number) entry.getValue()).longValue())));
    return merged;
  }

  private static JsonObject subtract(JsonObject counts, JsonObject earlier) {
    JsonObject result = new JsonObject();
    counts.forEach(entry -> {
      long value = ((Number) entry.getValue()).longValue() - earlier.getLong(entry.getKey(), 0L);
      if (value != 0) {
        result.put(entry.getKey(), value);
      }
    });
    return result;
  }

  /** The generator processes of one storm, their latest progress and their other reports. */
  private static final class Generators implements AutoCloseable {
    private final List<GeneratorProcess> processes = new ArrayList<>();
    private final List<BlockingQueue<JsonObject>> reports = new ArrayList<>();
    private final AtomicReferenceArray<JsonObject> latest = new AtomicReferenceArray<>(64);

    void start(JsonObject spec, String heap) throws IOException {
      int index = processes.size();
      BlockingQueue<JsonObject> queue = new LinkedBlockingQueue<>();
      reports.add(queue);
      processes.add(GeneratorProcess.start(ReconnectWorker.class, spec, heap, report -> {
        if ("progress".equals(report.getString("type"))) {
          latest.set(index, report);
        } else {
          queue.add(report);
        }
      }));
    }

    void sendAll(JsonObject command) throws IOException {
      for (GeneratorProcess process : processes) {
        process.send(command);
      }
    }

    /** Each generator's next report of {@code type}. */
    List<JsonObject> awaitAll(String type, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      List<JsonObject> answers = new ArrayList<>();
      for (int i = 0; i < processes.size(); i++) {
        JsonObject report = null;
        while (report == null || !type.equals(report.getString("type"))) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("generator " + i + " sent no " + type + " report within " + seconds + " s");
          }
          if (!processes.get(i).alive() && reports.get(i).isEmpty()) {
            throw new IllegalStateException("generator " + i + " exited before its " + type + " report");
          }
          report = reports.get(i).poll(200, TimeUnit.MILLISECONDS);
        }
        answers.add(report);
      }
      return answers;
    }

    /** Summed latest progress: connected, affected, recovered. */
    int[] progress() {
      int[] sums = new int[3];
      for (int i = 0; i < processes.size(); i++) {
        JsonObject report = latest.get(i);
        if (report != null) {
          sums[0] += report.getInteger("connected");
          sums[1] += report.getInteger("affected");
          sums[2] += report.getInteger("recovered");
        }
      }
      return sums;
    }

    @Override
    public void close() throws InterruptedException {
      for (GeneratorProcess process : processes) {
        process.close();
      }
    }
  }
}
