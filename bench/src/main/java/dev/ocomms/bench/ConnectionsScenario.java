package dev.ocomms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Connections: N authenticated bridge connections, each registered on {@code user.<id>} and 3 chats, heart-beating,
 * held for a while. Reports how many connected, failures by cause, the connect time, how many were still open at the
 * end of the hold, the server's RSS and heap (after a full GC) per connection, and how the 2 cores were shared
 * between the servers, the stores and the load generators. The sockets come from {@link ConnectionsWorker} child
 * processes (a process holds at most ~19.5K sockets) bound to several 127.0.0.x source addresses (about 28K ephemeral
 * ports each). The baseline opens the same sockets from the same generators to {@link BaselineServer} processes (one
 * per node), each joining the same 4 rooms.
 */
final class ConnectionsScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionsScenario.class);
  /** One server process holds at most ~19.5K sockets (20,000 open files), and it needs some files of its own. */
  static final int MAX_PER_NODE = 19_000;
  static final int MAX_PER_GENERATOR = 18_000;
  /** About 28K ephemeral ports per source address; a margin for the other sockets of the machine. */
  static final int MAX_PER_SOURCE_ADDRESS = 25_000;
  static final long TARGET_BYTES_PER_CONNECTION = 25 * 1024;

  /** What to run. */
  record Config(int connections, int perUser, int chats, int holdSeconds, double connectRate, int generators,
                int sourceAddresses, int concurrency, boolean baseline, String generatorHeap, String baselineHeap,
                int setupConcurrency, java.util.List<String> serverJvm, int renewSeconds) {
    int accounts() {
      return (connections + perUser - 1) / perUser;
    }

    JsonObject toJson(int nodes) {
      return new JsonObject().put("connections", connections).put("perUser", perUser).put("accounts", accounts())
          .put("chats", chats).put("chatsPerConnection", 3).put("holdSeconds", holdSeconds)
          .put("connectRate", connectRate).put("generators", generators).put("sourceAddresses", sourceAddresses)
          .put("concurrencyPerGenerator", concurrency).put("nodes", nodes).put("baseline", baseline)
          .put("sessionRenewalSeconds", renewSeconds);
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final Config config;
  private final List<GeneratorProcess> generators = new ArrayList<>();
  /** Each generator's latest report. */
  private final Map<Integer, JsonObject> latest = new ConcurrentHashMap<>();
  /** Each generator's answer to {@code close}, by phase. */
  private final Map<String, JsonObject> closed = new ConcurrentHashMap<>();
  private final List<Baseline> baselineServers = new ArrayList<>();
  /** The accounts each generator's connections use, for handing out renewed tokens. */
  private final List<Set<String>> usersOfGenerator = new ArrayList<>();
  private Sessions sessions;
  private int sessionRenewals;

  static ConnectionsScenario from(Vertx vertx, Target target, Options options) {
    return new ConnectionsScenario(vertx, target, config(options));
  }

  /**
   * Refuses, before any server is started, a configuration that cannot work on one machine ({@code --nodes}, or as
   * many nodes as {@code --url} names), saying what would.
   */
  static void checkBeforeStart(Options options) {
    int nodes = options.has("url") ? options.text("url", "").split(",").length : options.integer("nodes", 1);
    check(config(options), nodes, !options.has("url"));
  }

  private static Config config(Options options) {
    int connections = options.integer("connections", 1000);
    return new Config(connections, options.integer("per-user", 20),
        options.integer("chats", 10), options.integer("hold", 120), options.decimal("connect-rate", 1000),
        options.integer("generators", Math.max(1, ceilDiv(connections, MAX_PER_GENERATOR))),
        options.integer("source-addresses", Math.max(1, ceilDiv(connections, MAX_PER_SOURCE_ADDRESS))),
        options.integer("concurrency", 64), !"false".equals(options.text("baseline", "true")),
        options.text("generator-heap", "1g"), options.text("server-heap", "2g"),
        options.integer("setup-concurrency", 8), Bench.serverJvm(options),
        options.integer("renew-seconds", Sessions.RENEW_EVERY_SECONDS));
  }

  ConnectionsScenario(Vertx vertx, Target target, Config config) {
    this.vertx = vertx;
    this.target = target;
    this.config = config;
  }

  private static void check(Config config, int nodes, boolean started) {
    int perNode = ceilDiv(config.connections(), nodes);
    if (perNode > MAX_PER_NODE) {
      throw new IllegalArgumentException(config.connections() + " connections over " + nodes + " node(s) puts "
          + perNode + " on a node, but one process holds at most ~" + MAX_PER_NODE + " sockets: use --nodes "
          + ceilDiv(config.connections(), MAX_PER_NODE) + " or more");
    }
    int perGenerator = ceilDiv(config.connections(), config.generators());
    if (perGenerator > MAX_PER_NODE) {
      throw new IllegalArgumentException(perGenerator + " connections per generator process is more than one process"
          + " holds: use --generators " + ceilDiv(config.connections(), MAX_PER_GENERATOR) + " or more");
    }
    int perSource = ceilDiv(config.connections(), config.sourceAddresses());
    if (perSource > 28_000) {
      throw new IllegalArgumentException(perSource + " connections per source address is more than its ~28K"
          + " ephemeral ports: use --source-addresses " + ceilDiv(config.connections(), MAX_PER_SOURCE_ADDRESS)
          + " or more");
    }
    if (config.sourceAddresses() > 250) {
      throw new IllegalArgumentException("at most 250 source addresses (127.0.0.1 to 127.0.0.250)");
    }
    if (config.perUser() < 1 || config.perUser() > 1000) {
      throw new IllegalArgumentException("--per-user must be 1 to 1000 (the bench server allows 1000 per user)");
    }
    if (config.chats() < 3) {
      throw new IllegalArgumentException("--chats must be at least 3: each connection registers on 3 chats");
    }
    if (config.baseline() && !started) {
      throw new IllegalArgumentException("the baseline needs the nodes this run starts: with --url use"
          + " --baseline false");
    }
  }

  @Override
  public JsonObject run() throws Exception {
    check(config, target.size(), target.started());
    WebClient web = WebClient.create(vertx, new WebClientOptions(),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(config.setupConcurrency()));
    try {
      Population population = Lanes.await(Population.create(web, target, config.accounts(),
          config.chats(), i -> List.of(i % config.chats(), (i + 1) % config.chats(), (i + 2) % config.chats()),
          config.setupConcurrency()), 3600);
      LOG.info("set up: {} accounts in {} chats", population.users.size(), config.chats());
      sessions = new Sessions(web, target, population.users, config.setupConcurrency(), config.renewSeconds());
      // Setting up many accounts takes minutes: the connections start with tokens fresh from now.
      return measure(population, Lanes.await(sessions.renewAll(), 3600));
    } finally {
      web.close();
    }
  }

  private JsonObject measure(Population population, Map<String, String> accessTokens) throws Exception {
    try {
      startGenerators(population, accessTokens);
      List<Integer> nodePorts = new ArrayList<>();
      for (int node = 0; node < target.size(); node++) {
        nodePorts.add(target.port(node));
      }
      target.beginMeasuring();
      Phase ours;
      try {
        ours = phase(1, "bridge", target.host, nodePorts, target::serverPids, config.holdSeconds(), true);
      } finally {
        target.endMeasuring();
      }
      JsonObject report = new JsonObject()
          .put("scenario", "connections")
          .put("config", config.toJson(target.size()))
          .put("results", ours.results())
          .put("cpu", ours.cpu())
          .put("series", ours.series());
      if (config.baseline()) {
        Phase baseline = baselinePhase(nodePorts.size());
        report.put("baseline", baselineReport(ours, baseline));
      }
      report.put("charts", charts(report));
      return report;
    } finally {
      stopGenerators();
      for (Baseline server : baselineServers) {
        server.close();
      }
    }
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    JsonObject memory = results.getJsonObject("memory", new JsonObject());
    JsonObject share = report.getJsonObject("cpu").getJsonObject("shareOfMachine");
    String line = String.format("%d/%d connected in %.1f s, %d failed, %d open after %d s hold; per connection: RSS"
            + " %s, heap %s; CPU servers %s, stores %s, generators %s of 2 cores",
        results.getInteger("connected"), results.getInteger("connections"), results.getDouble("connectSeconds"),
        results.getInteger("failed"), results.getInteger("openAtEndOfHold"),
        report.getJsonObject("config").getInteger("holdSeconds"),
        kb(memory.getLong("rssPerConnectionBytes")), kb(memory.getLong("heapPerConnectionBytes")),
        share.getValue("servers"), share.getValue("stores"), share.getValue("generators"));
    JsonObject baseline = report.getJsonObject("baseline");
    if (baseline != null) {
      JsonObject ratio = baseline.getJsonObject("ratio");
      line += String.format("; baseline RSS %s, heap %s, connect %.1f s (ours ×%s RSS, ×%s heap)",
          kb(baseline.getLong("rssPerConnectionBytes")), kb(baseline.getLong("heapPerConnectionBytes")),
          baseline.getDouble("connectSeconds"), ratio.getValue("rssPerConnection"),
          ratio.getValue("heapPerConnection"));
    }
    return line;
  }

  /** The figures of one connect/hold/close cycle. */
  private record Phase(JsonObject results, JsonObject cpu, JsonArray series) {
  }

  /** One generator per slice: connection j goes to generator j % G, node j % nodes, source address j % S. */
  private void startGenerators(Population population, Map<String, String> accessTokens)
      throws IOException, InterruptedException {
    int nodes = target.size();
    JsonArray sourceAddresses = new JsonArray();
    for (int s = 0; s < config.sourceAddresses(); s++) {
      sourceAddresses.add("127.0.0." + (s + 1));
    }
    for (int g = 0; g < config.generators(); g++) {
      JsonArray accounts = new JsonArray();
      Set<String> users = new HashSet<>();
      Map<Integer, Integer> accountIndex = new java.util.HashMap<>();
      JsonArray connections = new JsonArray();
      for (int j = g; j < config.connections(); j += config.generators()) {
        Population.User user = population.users.get(j % population.users.size());
        Integer index = accountIndex.computeIfAbsent(user.index(), u -> {
          accounts.add(new JsonArray().add(user.userId()).add(accessTokens.get(user.userId()))
              .add(new JsonArray(user.chatIds())));
          users.add(user.userId());
          return accounts.size() - 1;
        });
        connections.add(new JsonArray().add(index).add(j % nodes).add(j % config.sourceAddresses()));
      }
      JsonObject spec = new JsonObject().put("accounts", accounts).put("connections", connections)
          .put("sourceAddresses", sourceAddresses).put("eventLoops", 1);
      int generator = g;
      usersOfGenerator.add(users);
      generators.add(GeneratorProcess.start(ConnectionsWorker.class, spec, config.generatorHeap(), report -> {
        if (report.getBoolean("closed", false)) {
          closed.put(report.getInteger("phase") + "/" + generator, report);
        }
        latest.put(generator, report);
      }));
    }
    awaitAll("the generators to start", 120, () -> latest.size() == generators.size());
  }

  private void stopGenerators() throws InterruptedException {
    for (GeneratorProcess generator : generators) {
      try {
        generator.send(new JsonObject().put("command", "exit"));
      } catch (IOException gone) {
        // Already exited.
      }
    }
    for (GeneratorProcess generator : generators) {
      if (generator.awaitExit(30) < 0) {
        generator.close();
      }
    }
  }

  /** Starts one baseline server per node and runs the same cycle against them. */
  private Phase baselinePhase(int nodes) throws Exception {
    List<Integer> ports = new ArrayList<>();
    for (int node = 0; node < nodes; node++) {
      Baseline server = Baseline.start(config.baselineHeap(), config.serverJvm());
      baselineServers.add(server);
      ports.add(server.port);
    }
    // The baseline's figures do not depend on a long hold: a short one shows it keeps its sockets.
    Phase phase = phase(2, "baseline", "127.0.0.1", ports,
        () -> baselineServers.stream().map(Baseline::pid).toList(), Math.min(config.holdSeconds(), 10), true);
    for (Baseline server : baselineServers) {
      server.close();
    }
    return phase;
  }

  /**
   * Connects every generator's share (GC'd memory of {@code servers} measured before and after, with the first
   * server's class histogram when {@code histogram}), holds for {@code holdSeconds}, and closes; a point per second
   * for the chart.
   */
  private Phase phase(int id, String mode, String host, List<Integer> ports, Supplier<List<Long>> servers,
                      int holdSeconds, boolean histogram) throws Exception {
    boolean measurable = target.started();
    JvmMemory.Sample before = measurable ? JvmMemory.afterFullGc(servers.get()) : null;
    Cpu cpuAtStart = cpu(servers);
    long start = System.nanoTime();
    JsonArray series = new JsonArray();
    checkGeneratorsAlive();
    for (GeneratorProcess generator : generators) {
      generator.send(new JsonObject().put("command", "connect").put("phase", id).put("mode", mode)
          .put("host", host).put("ports", new JsonArray(ports))
          .put("rate", config.connectRate() / generators.size()).put("concurrency", config.concurrency()));
    }
    // The offered rate is a ceiling, not a promise: wait as long as connections keep opening, and give up only
    // after a minute without progress.
    long nextSample = start;
    long lastProgress = System.nanoTime();
    long progress = -1;
    while (!allDone(id) && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(60)) {
      nextSample = sampleWhenDue(series, id, start, nextSample, servers);
      checkGeneratorsAlive();
      keepSessionsAlive(mode);
      long settled = sum(id, "connected") + failedSoFar(id);
      if (settled != progress) {
        progress = settled;
        lastProgress = System.nanoTime();
      }
      Thread.sleep(50);
    }
    double connectSeconds = (System.nanoTime() - start) / 1e9;
    boolean allReported = allDone(id);
    Cpu cpuConnected = cpu(servers);
    JvmMemory.Sample after = measurable ? JvmMemory.afterFullGc(servers.get()) : null;
    // What fills the heap of a node holding connections: the top of its class histogram.
    String classes = measurable && histogram ? JvmMemory.classHistogram(servers.get().get(0), 30) : null;
    LOG.info("{}: {} connected in {} s; holding {} s", mode, sum(id, "connected"), connectSeconds, holdSeconds);
    long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds);
    while (System.nanoTime() < holdEnd) {
      nextSample = sampleWhenDue(series, id, start, nextSample, servers);
      checkGeneratorsAlive();
      keepSessionsAlive(mode);
      Thread.sleep(50);
    }
    long rssAtEndOfHold = measurable ? servers.get().stream().mapToLong(ProcessStats::rssBytes).sum() : -1;
    Cpu cpuHeld = cpu(servers);
    for (GeneratorProcess generator : generators) {
      generator.send(new JsonObject().put("command", "close").put("phase", id));
    }
    awaitAll("the generators to close their connections", 120, () -> closedCount(id) == generators.size());

    JsonObject failures = new JsonObject();
    int failed = 0;
    int connected = 0;
    int dropped = 0;
    int openAtEnd = 0;
    for (int g = 0; g < generators.size(); g++) {
      JsonObject report = closed.get(id + "/" + g);
      connected += report.getInteger("connected");
      dropped += report.getInteger("dropped");
      openAtEnd += report.getInteger("openBeforeClose");
      for (Map.Entry<String, Object> cause : report.getJsonObject("failed")) {
        long count = ((Number) cause.getValue()).longValue();
        failures.put(cause.getKey(), failures.getLong(cause.getKey(), 0L) + count);
        failed += (int) count;
      }
    }
    JsonObject results = new JsonObject()
        .put("connections", config.connections())
        .put("connected", connected)
        .put("failed", failed)
        .put("failures", failures)
        .put("allConnectedInTime", allReported)
        .put("connectSeconds", round(connectSeconds))
        .put("connectedPerSecond", round(connected / connectSeconds))
        .put("openAtEndOfHold", openAtEnd)
        .put("droppedDuringHold", dropped)
        .put("sessionRenewals", "bridge".equals(mode) ? sessionRenewals : 0);
    if (measurable) {
      int per = Math.max(1, connected);
      results.put("memory", new JsonObject()
          .put("processes", servers.get().size())
          .put("rssBeforeBytes", before.rssBytes())
          .put("rssAfterBytes", after.rssBytes())
          .put("rssAtEndOfHoldBytes", rssAtEndOfHold)
          .put("rssPerConnectionBytes", (after.rssBytes() - before.rssBytes()) / per)
          .put("heapBeforeBytes", before.heapUsedBytes())
          .put("heapAfterBytes", after.heapUsedBytes())
          .put("heapPerConnectionBytes", (after.heapUsedBytes() - before.heapUsedBytes()) / per)
          // RSS minus committed heap (roughly: committed pages need not all be resident): code cache, metaspace, thread stacks, Netty's direct buffers, GC structures.
          .put("heapCommittedBeforeBytes", before.heapCommittedBytes())
          .put("heapCommittedAfterBytes", after.heapCommittedBytes())
          .put("outsideHeapBeforeBytes", before.rssBytes() - before.heapCommittedBytes())
          .put("outsideHeapAfterBytes", after.rssBytes() - after.heapCommittedBytes())
          .put("targetPerConnectionBytes", TARGET_BYTES_PER_CONNECTION)
          .put("classHistogramOfFirstNode", classes == null ? null : new JsonArray(classes.lines().toList()))
          .put("measuredAs", "after a full GC (jcmd GC.run) in each server process, before connecting and once"
              + " all were connected; RSS of the server processes, heap used from GC.heap_info"));
    }
    JsonObject cpu = new JsonObject()
        .put("connecting", cpuConnected.minus(cpuAtStart).toJson())
        .put("holding", cpuHeld.minus(cpuConnected).toJson())
        .put("seconds", cpuHeld.minus(cpuAtStart).toJson())
        .put("shareOfMachine", cpuHeld.minus(cpuAtStart).share());
    return new Phase(results, cpu, series);
  }

  /** Hands renewed access tokens to the generators whose bridge connections use them (see {@link Sessions}). */
  private void keepSessionsAlive(String mode) throws IOException {
    Map<String, String> renewed = "bridge".equals(mode) ? sessions.poll() : null;
    if (renewed == null) {
      return;
    }
    for (int g = 0; g < generators.size(); g++) {
      JsonObject tokens = new JsonObject();
      for (String userId : usersOfGenerator.get(g)) {
        tokens.put(userId, renewed.get(userId));
      }
      generators.get(g).send(new JsonObject().put("command", "tokens").put("tokens", tokens));
    }
    sessionRenewals++;
    LOG.info("renewed {} sessions", renewed.size());
  }

  /** CPU seconds so far: the servers (nodes or baseline servers), the stores, the generators with this bench. */
  private record Cpu(double elapsed, double servers, double stores, double generators) {
    Cpu minus(Cpu earlier) {
      return new Cpu(elapsed - earlier.elapsed, servers - earlier.servers,
          stores < 0 ? -1 : stores - earlier.stores, generators - earlier.generators);
    }

    JsonObject toJson() {
      return new JsonObject().put("elapsedSeconds", round(elapsed)).put("servers", round(servers))
          .put("stores", stores < 0 ? null : round(stores)).put("generators", round(generators));
    }

    JsonObject share() {
      double machine = elapsed * Runtime.getRuntime().availableProcessors();
      return new JsonObject().put("servers", round(servers / machine))
          .put("stores", stores < 0 ? null : round(stores / machine)).put("generators", round(generators / machine))
          .put("cores", Runtime.getRuntime().availableProcessors());
    }
  }

  private Cpu cpu(Supplier<List<Long>> servers) {
    double serverSeconds = servers.get().stream().mapToDouble(ProcessStats::cpuSeconds).sum();
    double generatorSeconds = ProcessStats.cpuSeconds(ProcessHandle.current().pid())
        + generators.stream().mapToDouble(generator -> Math.max(0, ProcessStats.cpuSeconds(generator.pid()))).sum();
    double stores = target.storesCpuSeconds();
    return new Cpu(System.nanoTime() / 1e9, serverSeconds, stores, generatorSeconds);
  }

  private long sampleWhenDue(JsonArray series, int id, long start, long due, Supplier<List<Long>> servers) {
    long now = System.nanoTime();
    if (now < due) {
      return due;
    }
    JsonObject point = new JsonObject().put("t", Math.round((now - start) / 1e8) / 10.0)
        .put("connected", sum(id, "connected")).put("open", sum(id, "open")).put("failed", failedSoFar(id));
    if (target.started()) {
      point.put("serverRssBytes", servers.get().stream().mapToLong(ProcessStats::rssBytes).sum());
    }
    series.add(point);
    return due + TimeUnit.SECONDS.toNanos(1);
  }

  private boolean allDone(int id) {
    return latest.values().stream().filter(report -> report.getInteger("phase", -1) == id)
        .filter(report -> report.getBoolean("done", false)).count() == generators.size();
  }

  private long sum(int id, String field) {
    return latest.values().stream().filter(report -> report.getInteger("phase", -1) == id)
        .mapToLong(report -> report.getLong(field, 0L)).sum();
  }

  private long failedSoFar(int id) {
    return latest.values().stream().filter(report -> report.getInteger("phase", -1) == id)
        .flatMap(report -> report.getJsonObject("failed", new JsonObject()).getMap().values().stream())
        .mapToLong(count -> ((Number) count).longValue()).sum();
  }

  private long closedCount(int id) {
    return closed.keySet().stream().filter(key -> key.startsWith(id + "/")).count();
  }

  private void checkGeneratorsAlive() throws InterruptedException {
    for (GeneratorProcess generator : generators) {
      if (!generator.alive()) {
        throw new IllegalStateException("load generator process " + generator.pid() + " exited with code "
            + generator.awaitExit(1) + " (see its output above)");
      }
    }
  }

  private void awaitAll(String what, int seconds, Supplier<Boolean> done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.get()) {
      checkGeneratorsAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting " + seconds + " s for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static JsonObject baselineReport(Phase ours, Phase baseline) {
    JsonObject results = baseline.results();
    JsonObject memory = results.getJsonObject("memory");
    JsonObject ourMemory = ours.results().getJsonObject("memory");
    long rss = memory.getLong("rssPerConnectionBytes");
    long heap = memory.getLong("heapPerConnectionBytes");
    return new JsonObject()
        .put("server", "BaselineServer: plain Vert.x WebSocket, each socket joins the same 4 rooms; one process per"
            + " node")
        .put("connected", results.getInteger("connected"))
        .put("failed", results.getInteger("failed"))
        .put("failures", results.getJsonObject("failures"))
        .put("openAtEndOfHold", results.getInteger("openAtEndOfHold"))
        .put("connectSeconds", results.getDouble("connectSeconds"))
        .put("rssPerConnectionBytes", rss)
        .put("heapPerConnectionBytes", heap)
        .put("memory", memory)
        .put("cpu", baseline.cpu())
        .put("series", baseline.series())
        .put("ratio", new JsonObject()
            .put("rssPerConnection", ratio(ourMemory.getLong("rssPerConnectionBytes"), rss))
            .put("heapPerConnection", ratio(ourMemory.getLong("heapPerConnectionBytes"), heap))
            .put("connectSeconds", ratio(ours.results().getDouble("connectSeconds"), results.getDouble("connectSeconds"))));
  }

  /** Connected count (top) and server RSS (bottom) over time, ours and the baseline's. */
  private static JsonArray charts(JsonObject report) {
    JsonArray connected = new JsonArray().add(line("OComms connected", report.getJsonArray("series"), "connected", 1));
    JsonArray rss = new JsonArray().add(line("OComms servers RSS", report.getJsonArray("series"), "serverRssBytes",
        1 << 20));
    JsonObject baseline = report.getJsonObject("baseline");
    if (baseline != null) {
      connected.add(line("baseline connected", baseline.getJsonArray("series"), "connected", 1));
      rss.add(line("baseline servers RSS", baseline.getJsonArray("series"), "serverRssBytes", 1 << 20));
    }
    return new JsonArray()
        .add(new JsonObject().put("title", "connections open over time").put("yAxisTitle", "connections")
            .put("lines", connected))
        .add(new JsonObject().put("title", "server resident memory over time").put("yAxisTitle", "MiB")
            .put("lines", rss));
  }

  private static JsonObject line(String name, JsonArray series, String metric, double divisor) {
    JsonArray x = new JsonArray();
    JsonArray y = new JsonArray();
    series.forEach(point -> {
      JsonObject p = (JsonObject) point;
      if (p.getValue(metric) != null) {
        x.add(p.getDouble("t"));
        y.add(round(p.getDouble(metric) / divisor));
      }
    });
    return new JsonObject().put("name", name).put("x", x).put("y", y);
  }

  private static Double ratio(double ours, double theirs) {
    return theirs <= 0 ? null : Math.round(ours / theirs * 100) / 100.0;
  }

  private static String kb(Long bytes) {
    return bytes == null ? "n/a" : String.format("%.1f KB", bytes / 1024.0);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
