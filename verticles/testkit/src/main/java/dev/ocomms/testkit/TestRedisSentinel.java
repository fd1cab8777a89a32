package dev.ocomms.testkit;

import dev.ocomms.runtime.FreePorts;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.redis.client.Redis;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis Sentinel setup on loopback for one test class: a master, one replica of it, and a sentinel watching
 * them under {@link #MASTER_NAME}. {@link #failover()} makes the sentinel promote the replica, as it would when the
 * master dies. Stopped, and its files deleted, by {@link #close()}.
 */
public final class TestRedisSentinel implements AutoCloseable {
  public static final String MASTER_NAME = "ocomms";
  private static final Duration SETTLING = Duration.ofSeconds(30);

  private final Path directory;
  private final List<RedisServer> servers = new ArrayList<>();
  private final List<Integer> serverPorts = new ArrayList<>();
  private RedisSentinel sentinel;
  private int sentinelPort;
  private final Vertx vertx = Vertx.vertx();

  private TestRedisSentinel(Path directory) {
    this.directory = directory;
  }

  public static TestRedisSentinel start() {
    TestRedisSentinel setup;
    try {
      setup = new TestRedisSentinel(Files.createTempDirectory("ocomms-redis-sentinel-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      int masterPort = setup.server(null);
      setup.server(masterPort);
      setup.sentinelPort = FreePorts.next();
      setup.sentinel = RedisSentinel.newRedisSentinel()
          .bind("127.0.0.1")
          .port(setup.sentinelPort)
          .masterPort(masterPort)
          .masterName(MASTER_NAME)
          .quorumSize(1)
          .downAfterMilliseconds(2_000)
          .failOverTimeout(10_000)
          .onShutdownForceStop(true)
          .build();
      setup.sentinel.start();
      setup.awaitReplicaKnown();
      return setup;
    } catch (IOException | RuntimeException e) {
      setup.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** Starts a server (a replica of {@code masterPort} unless null); its port. */
  private int server(Integer masterPort) throws IOException {
    int port = FreePorts.next();
    Path dir = Files.createDirectories(directory.resolve(Integer.toString(port)));
    var builder = RedisServer.newRedisServer()
        .bind("127.0.0.1")
        .port(port)
        .setting("dir " + dir.toAbsolutePath())
        .setting("save \"\"")
        .setting("appendonly no")
        .onShutdownForceStop(true);
    if (masterPort != null) {
      builder.slaveOf("127.0.0.1", masterPort);
    }
    RedisServer server = builder.build();
    server.start();
    servers.add(server);
    serverPorts.add(port);
    return port;
  }

  /** The {@code OCOMMS_REDIS_URL} of sentinel mode: the sentinel's address. */
  public String sentinelUrl() {
    return "redis://127.0.0.1:" + sentinelPort;
  }

  /** The port of the server the sentinel names master now. */
  public int masterPort() {
    Response address = ask(sentinelPort, Request.cmd(Command.SENTINEL).arg("get-master-addr-by-name").arg(MASTER_NAME));
    return Integer.parseInt(address.get(1).toString());
  }

  /**
   * Promotes the replica and waits until the failover is over: the replica acts as master and the sentinel has
   * switched to it (announced {@code +switch-master}; it names the promoted replica as master while the failover is
   * still under way). The new master's port.
   */
  public int failover() {
    int before = masterPort();
    int replica = serverPorts.stream().filter(port -> port != before).findFirst().orElseThrow();
    ask(sentinelPort, Request.cmd(Command.SENTINEL).arg("FAILOVER").arg(MASTER_NAME));
    awaitThat(() -> masterPort() == replica && role(replica).startsWith("master") && !failoverInProgress(),
        "the sentinel to promote the replica on port " + replica + " and switch to it");
    return replica;
  }

  private boolean failoverInProgress() {
    Response master = ask(sentinelPort, Request.cmd(Command.SENTINEL).arg("MASTER").arg(MASTER_NAME));
    return !master.containsKey("flags") || master.get("flags").toString().contains("failover_in_progress");
  }

  /** How many keys the server on {@code port} holds. */
  public long keys(int port) {
    return ask(port, Request.cmd(Command.DBSIZE)).toLong();
  }

  private String role(int port) {
    return ask(port, Request.cmd(Command.ROLE)).get(0).toString();
  }

  /** A failover needs the sentinel to know the replica (it learns of it from the master's INFO). */
  private void awaitReplicaKnown() {
    awaitThat(() -> ask(sentinelPort, Request.cmd(Command.SENTINEL).arg("replicas").arg(MASTER_NAME)).size() == 1
            && ask(serverPorts.get(1), Request.cmd(Command.INFO).arg("replication")).toString()
                .contains("master_link_status:up"),
        "the sentinel to see the replica in sync");
  }

  private void awaitThat(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + SETTLING.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Blocking.pause(200);
    }
  }

  /** One command to one server or the sentinel, blocking (the test's thread, never an event loop). */
  private Response ask(int port, Request request) {
    Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:" + port));
    try {
      return client.rxSend(request).timeout(10, TimeUnit.SECONDS).blockingGet();
    } finally {
      client.close();
    }
  }

  @Override
  public void close() {
    List<Runnable> stops = new ArrayList<>();
    if (sentinel != null) {
      stops.add(() -> stopQuietly(sentinel));
    }
    servers.forEach(server -> stops.add(() -> stopQuietly(server)));
    stops.forEach(Runnable::run);
    vertx.close().blockingAwait();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // A temporary directory left behind is not worth failing a test for.
    }
  }

  private static void stopQuietly(redis.embedded.Redis redis) {
    try {
      redis.stop();
    } catch (IOException | RuntimeException ignored) {
      // Stopping the others matters more.
    }
  }
}
