package dev.ocomms.bench;

import dev.ocomms.runtime.EmbeddedPostgresServer;
import dev.ocomms.runtime.EmbeddedRedisServer;
import dev.ocomms.runtime.FreePorts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The OComms under test: nodes given by URL, or (by default) {@code nodes} processes of the packaged jar, clustered on
 * loopback and sharing one embedded PostgreSQL and Redis that this run starts, with connection limits raised for
 * load ({@code {node}} in a JVM argument becomes the node's index). A started node can be killed, stopped and restarted (same ports, same data); everything is stopped on close.
 */
final class Target implements AutoCloseable {
  final String host;
  /** The first node's HTTP port. */
  final int port;
  private final List<ServerNode> nodes;
  private final Path workDir;
  private final EmbeddedPostgresServer postgres;
  private final EmbeddedRedisServer redis;
  private final List<Path> profiles = new ArrayList<>();
  private Path profileTo;
  private Path logsTo;
  private boolean closed;

  /** One server process (or one given URL, with no process). */
  private static final class ServerNode {
    final int httpPort;
    /** The node's TCP event-bus bridge port ({@code OCOMMS_BOT_BRIDGE_PORT}); 0 when not known. */
    final int botBridgePort;
    final ProcessBuilder builder;
    final Path log;
    Process process;

    ServerNode(int httpPort, int botBridgePort, ProcessBuilder builder, Path log) {
      this.httpPort = httpPort;
      this.botBridgePort = botBridgePort;
      this.builder = builder;
      this.log = log;
    }
  }

  private Target(String host, List<ServerNode> nodes, Path workDir, EmbeddedPostgresServer postgres,
                 EmbeddedRedisServer redis) {
    this.host = host;
    this.nodes = nodes;
    this.port = nodes.get(0).httpPort;
    this.workDir = workDir;
    this.postgres = postgres;
    this.redis = redis;
  }

  /** Running nodes given by URL (comma-separated for several); nothing is started or stopped. */
  static Target of(String urls) {
    return of(urls, "");
  }

  /**
   * Running nodes given by URL, with their TCP event-bus bridge ports in the same order ({@code botBridgePorts}
   * comma-separated; empty when not needed): nothing is started or stopped.
   */
  static Target of(String urls, String botBridgePorts) {
    List<ServerNode> nodes = new ArrayList<>();
    String host = null;
    String[] given = urls.split(",");
    String[] bridgePorts = botBridgePorts == null || botBridgePorts.isBlank() ? new String[0]
        : botBridgePorts.split(",");
    if (bridgePorts.length > 0 && bridgePorts.length != given.length) {
      throw new IllegalArgumentException("--bot-bridge-port names one port per --url node");
    }
    for (int i = 0; i < given.length; i++) {
      URI uri = URI.create(given[i].trim());
      host = host == null ? uri.getHost() : host;
      int bridgePort = bridgePorts.length == 0 ? 0 : Integer.parseInt(bridgePorts[i].trim());
      nodes.add(new ServerNode(uri.getPort() < 0 ? 80 : uri.getPort(), bridgePort, null, null));
    }
    return new Target(host, nodes, null, null, null);
  }

  /**
   * Starts {@code count} nodes of {@code jar} (JVM heap {@code heap} each), with {@code environment} added to each
   * node's (OCOMMS_* settings), and waits until all are ready.
   */
  static Target start(Path jar, int count, String heap, Map<String, String> environment, List<String> jvmArgs)
      throws IOException, InterruptedException {
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: build it with ./mvnw -DskipTests package");
    }
    Path workDir = Files.createTempDirectory("ocomms-bench-");
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(workDir.resolve("pg"), freePort());
    EmbeddedRedisServer redis = EmbeddedRedisServer.start(workDir.resolve("redis"), freePort(), 16);
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      clusterPorts.add(freePort());
    }
    String members = clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    List<ServerNode> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int httpPort = freePort();
      int botBridgePort = freePort();
      Path nodeDir = Files.createDirectories(workDir.resolve("node-" + i));
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap, "-XX:+UseG1GC"));
      int index = i;
      jvmArgs.forEach(arg -> command.add(arg.replace("{node}", String.valueOf(index))));
      command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      Map<String, String> env = builder.environment();
      env.keySet().removeIf(name -> name.startsWith("OCOMMS_"));
      env.put("OCOMMS_HTTP_PORT", String.valueOf(httpPort));
      env.put("OCOMMS_HTTP_HOST", "127.0.0.1");
      // Several nodes on one machine: each needs its own operators' port too.
      env.put("OCOMMS_OPS_PORT", String.valueOf(freePort()));
      // And its own uploads port (gateways stream file bytes to it): the default 8091 fits one node per machine.
      env.put("OCOMMS_UPLOADS_PORT", String.valueOf(freePort()));
      // And its own port for the event bus over TCP (the default 7000 fits one node per machine).
      env.put("OCOMMS_BOT_BRIDGE_PORT", String.valueOf(botBridgePort));
      env.put("OCOMMS_CLUSTER_PORT", String.valueOf(clusterPorts.get(i)));
      env.put("OCOMMS_CLUSTER_MEMBERS", members);
      env.put("OCOMMS_DATA_DIR", nodeDir.resolve("data").toString());
      env.put("OCOMMS_PG_URL", postgres.url(EmbeddedPostgresServer.DATABASE));
      env.put("OCOMMS_REDIS_URL", redis.url(0));
      env.put("OCOMMS_PG_POOL_SIZE", count > 2 ? "4" : "16");
      env.put("OCOMMS_BRIDGE_CONNECTIONS_PER_SECOND", "1000000");
      env.put("OCOMMS_BRIDGE_CONNECTIONS_PER_IP_PER_SECOND", "1000000");
      // Large runs reuse each account over many connections: registration (Argon2id) is deliberately slow.
      env.put("OCOMMS_BRIDGE_CONNECTIONS_PER_USER", "1000");
      // The bench registers every account from one address.
      env.put("OCOMMS_REGISTRATIONS_PER_IP_PER_HOUR", "1000000");
      env.putAll(environment);
      nodes.add(new ServerNode(httpPort, botBridgePort, builder, nodeDir.resolve("server.log")));
    }
    Target target = new Target("127.0.0.1", nodes, workDir, postgres, redis);
    try {
      for (int i = 0; i < count; i++) {
        target.launch(i);
      }
      for (int i = 0; i < count; i++) {
        target.awaitReady(i, Duration.ofSeconds(180));
      }
    } catch (RuntimeException | IOException | InterruptedException e) {
      target.close();
      throw e;
    }
    return target;
  }

  /**
   * The URL of the database the nodes share ({@code postgresql://…}, as {@code OCOMMS_PG_URL} takes it) when this run
   * started it; null otherwise.
   */
  String databaseUrl() {
    return postgres == null ? null : postgres.url(EmbeddedPostgresServer.DATABASE);
  }

  /** How many nodes. */
  int size() {
    return nodes.size();
  }

  int port(int node) {
    return nodes.get(node).httpPort;
  }

  /** A node's TCP event-bus bridge port; 0 when not known (nodes given by URL without {@code --bot-bridge-port}). */
  int botBridgePort(int node) {
    return nodes.get(node).botBridgePort;
  }

  String url(int node) {
    return "http://" + host + ":" + port(node);
  }

  /** Kills a node at once (SIGKILL), as a crash would. */
  void kill(int node) throws InterruptedException {
    Process process = started(node);
    process.destroyForcibly();
    process.waitFor();
  }

  /** Stops a node gracefully (SIGTERM) and waits for it to exit. */
  void stop(int node) throws InterruptedException {
    Process process = started(node);
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** Starts a stopped or killed node again (same ports, same data) without waiting for it. */
  void launch(int node) throws IOException {
    ServerNode server = nodes.get(node);
    if (server.builder == null) {
      throw new IllegalStateException("node " + node + " was given by URL: this run cannot start it");
    }
    server.process = server.builder.redirectOutput(ProcessBuilder.Redirect.appendTo(server.log.toFile())).start();
  }

  /** Waits until a node answers 200 on /ready. */
  void awaitReady(int node, Duration within) throws InterruptedException {
    ServerNode server = nodes.get(node);
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (server.process != null && !server.process.isAlive()) {
        throw new IllegalStateException("node " + node + " exited; see " + server.log);
      }
      try {
        HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url(node) + "/ready")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Still starting.
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("node " + node + " did not get ready within " + within + "; see " + server.log);
  }

  /** The first node's process id, when this run started it. */
  OptionalLong pid() {
    Process process = nodes.get(0).process;
    return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
  }

  /** Whether this run started the nodes (and so can measure, kill and restart them). */
  boolean started() {
    return nodes.get(0).builder != null;
  }

  /** The process ids of the nodes this run started and that are alive. */
  List<Long> serverPids() {
    return nodes.stream().filter(n -> n.process != null && n.process.isAlive()).map(n -> n.process.pid()).toList();
  }

  /** CPU seconds used so far by the live server nodes; -1 when this run did not start them. */
  double serverCpuSeconds() {
    if (!started()) {
      return -1;
    }
    return serverPids().stream().mapToDouble(ProcessStats::cpuSeconds).sum();
  }

  /**
   * CPU seconds used so far by PostgreSQL (its postmaster, found by its data directory, as pg_ctl detaches it from
   * this process, and all the backends under it) and Redis (a child of this process); -1 when this run did not start
   * them.
   */
  double storesCpuSeconds() {
    if (postgres == null) {
      return -1;
    }
    String pgData = workDir.resolve("pg").toString();
    // Each listing of processes reads all of /proc: list once (a listing per process took seconds of CPU, enough to
    // stall a saturated run at the start of its measured phase).
    Stream<ProcessHandle> redisProcesses = ProcessHandle.current().descendants()
        .filter(process -> process.info().command().map(command -> command.contains("redis")).orElse(false));
    Stream<ProcessHandle> postmaster = ProcessHandle.allProcesses()
        .filter(process -> process.info().commandLine().map(line -> line.contains(pgData)).orElse(false));
    return Stream.concat(postmaster, redisProcesses)
        .flatMap(process -> Stream.concat(Stream.of(process), process.descendants()))
        .distinct()
        .mapToDouble(process -> Math.max(0, ProcessStats.cpuSeconds(process.pid()))).sum();
  }

  /** Resident memory of the live server nodes together; -1 when this run did not start them. */
  long serverRssBytes() {
    if (!started()) {
      return -1;
    }
    return serverPids().stream().mapToLong(ProcessStats::rssBytes).sum();
  }

  /**
   * Starts a JFR recording on every live node this run started, when {@code profileTo} was given: scenarios call it
   * when their measured phase begins, so that set-up and JIT warm-up stay out of the profile.
   */
  void beginMeasuring() throws IOException, InterruptedException {
    if (profileTo == null) {
      return;
    }
    for (long pid : serverPids()) {
      jcmd(pid, "JFR.start", "name=bench", "settings=profile");
    }
  }

  /** Writes each node's recording (started by {@link #beginMeasuring()}) to the profile files and stops it. */
  void endMeasuring() throws IOException, InterruptedException {
    if (profileTo == null) {
      return;
    }
    for (int node = 0; node < nodes.size(); node++) {
      Process process = nodes.get(node).process;
      if (process != null && process.isAlive()) {
        Path file = profileTo.resolveSibling(profileTo.getFileName() + "-node" + node + ".jfr");
        jcmd(process.pid(), "JFR.stop", "name=bench", "filename=" + file);
        profiles.add(file);
      }
    }
  }

  /** The recordings written by {@link #endMeasuring()}. */
  List<Path> profiles() {
    return List.copyOf(profiles);
  }

  /** Keeps each node's log as {@code <prefix>-node<i>.log} when the run ends (the work directory is deleted). */
  void logsTo(Path prefix) {
    this.logsTo = prefix;
  }

  /** Profile the measured phase into files named {@code <prefix>-node<i>.jfr}. */
  void profileTo(Path prefix) {
    this.profileTo = prefix;
  }

  private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(pid)));
    line.addAll(List.of(command));
    Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      throw new IOException("jcmd " + String.join(" ", command) + " failed for process " + pid);
    }
  }

  private Process started(int node) {
    Process process = nodes.get(node).process;
    if (process == null) {
      throw new IllegalStateException("node " + node + " is not a process of this run");
    }
    return process;
  }

  @Override
  public synchronized void close() throws IOException, InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    for (ServerNode node : nodes) {
      if (node.process != null && node.process.isAlive()) {
        node.process.destroy();
      }
    }
    for (ServerNode node : nodes) {
      if (node.process != null && !node.process.waitFor(60, TimeUnit.SECONDS)) {
        node.process.destroyForcibly().waitFor();
      }
    }
    if (redis != null) {
      redis.close();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (logsTo != null) {
      for (int i = 0; i < nodes.size(); i++) {
        Path log = nodes.get(i).log;
        if (log != null && Files.exists(log)) {
          Files.copy(log, logsTo.resolveSibling(logsTo.getFileName() + "-node" + i + ".log"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    if (workDir != null) {
      try (Stream<Path> files = Files.walk(workDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /** A free port below the kernel's ephemeral range, so that the many client sockets of a run cannot take it. */
  static int freePort() {
    return FreePorts.next();
  }

  /** Environment entries for nodes from {@code --server-env NAME=value,NAME=value}. */
  static Map<String, String> environment(String spec) {
    Map<String, String> env = new HashMap<>();
    if (spec != null && !spec.isBlank()) {
      for (String entry : spec.split(",")) {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--server-env takes NAME=value pairs separated by commas");
        }
        env.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
      }
    }
    return env;
  }
}
