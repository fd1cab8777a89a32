package dev.ocomms.testkit;

import dev.ocomms.runtime.FreePorts;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.redis.client.Redis;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Redis Cluster on loopback for one test class: {@code masters} servers in cluster mode, the 16384 hash slots
 * split evenly between them, joined with {@code CLUSTER MEET} (no replicas; they are not what is tested). Stopped, and
 * its files deleted, by {@link #close()}.
 */
public final class TestRedisCluster implements AutoCloseable {
  private static final int SLOTS = 16_384;
  /** A cluster node talks to the others on its port + 10000. */
  private static final int BUS_PORT_OFFSET = 10_000;
  private static final Duration FORMING = Duration.ofSeconds(30);

  private final Path directory;
  private final List<RedisServer> servers;
  private final List<Integer> ports;
  private final Vertx vertx = Vertx.vertx();

  private TestRedisCluster(Path directory, List<RedisServer> servers, List<Integer> ports) {
    this.directory = directory;
    this.servers = servers;
    this.ports = ports;
  }

  public static TestRedisCluster start(int masters) {
    Path directory;
    try {
      directory = Files.createTempDirectory("ocomms-redis-cluster-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<RedisServer> servers = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    TestRedisCluster cluster = new TestRedisCluster(directory, servers, ports);
    try {
      for (int i = 0; i < masters; i++) {
        int port = FreePorts.nextWithCompanion(BUS_PORT_OFFSET);
        Path dir = Files.createDirectories(directory.resolve(Integer.toString(port)));
        RedisServer server = RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("dir " + dir.toAbsolutePath())
            .setting("save \"\"")
            .setting("appendonly no")
            .setting("cluster-enabled yes")
            .setting("cluster-config-file nodes.conf")
            .setting("cluster-node-timeout 5000")
            .onShutdownForceStop(true)
            .build();
        server.start();
        servers.add(server);
        ports.add(port);
      }
      cluster.form();
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** Assigns each server its share of the slots, introduces them to the first, and waits for {@code cluster_state:ok}. */
  private void form() {
    int share = SLOTS / ports.size();
    for (int i = 0; i < ports.size(); i++) {
      int from = i * share;
      int to = i == ports.size() - 1 ? SLOTS - 1 : from + share - 1;
      Request addSlots = Request.cmd(Command.CLUSTER).arg("ADDSLOTS");
      for (int slot = from; slot <= to; slot++) {
        addSlots.arg(slot);
      }
      send(i, addSlots);
      if (i > 0) {
        send(i, Request.cmd(Command.CLUSTER).arg("MEET").arg("127.0.0.1").arg(ports.get(0)));
      }
    }
    long deadline = System.nanoTime() + FORMING.toNanos();
    while (!formed()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the Redis Cluster did not reach cluster_state:ok in " + FORMING);
      }
      Blocking.pause(100);
    }
  }

  private boolean formed() {
    for (int i = 0; i < ports.size(); i++) {
      String info = send(i, Request.cmd(Command.CLUSTER).arg("INFO"));
      if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + ports.size())) {
        return false;
      }
    }
    return true;
  }

  /** The {@code OCOMMS_REDIS_URL} of cluster mode: every node. */
  public String urls() {
    return ports.stream().map(port -> "redis://127.0.0.1:" + port).collect(Collectors.joining(","));
  }

  public int size() {
    return ports.size();
  }

  /** How many keys server {@code index} holds, of every client's. */
  public long keys(int index) {
    return Long.parseLong(send(index, Request.cmd(Command.DBSIZE)));
  }

  /** The keys server {@code index} holds (tests' clusters are small). */
  public List<String> keyNames(int index) {
    List<String> names = new ArrayList<>();
    ask(index, Request.cmd(Command.KEYS).arg("*")).forEach(name -> names.add(name.toString()));
    return names;
  }

  private String send(int index, Request request) {
    Response reply = ask(index, request);
    return reply == null ? "" : reply.toString();
  }

  /** One command to one server, blocking (the test's thread, never an event loop). */
  private Response ask(int index, Request request) {
    Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString("redis://127.0.0.1:"
        + ports.get(index)));
    try {
      return client.rxSend(request).timeout(10, TimeUnit.SECONDS).blockingGet();
    } finally {
      client.close();
    }
  }

  @Override
  public void close() {
    for (RedisServer server : servers) {
      try {
        server.stop();
      } catch (IOException | RuntimeException ignored) {
        // Stopping the others matters more; a server that is gone is what was wanted.
      }
    }
    vertx.close().blockingAwait();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // A temporary directory left behind is not worth failing a test for.
    }
  }
}
