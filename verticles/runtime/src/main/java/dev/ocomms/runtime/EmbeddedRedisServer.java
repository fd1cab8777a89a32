package dev.ocomms.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real Redis server run as a child process, for the embedded default and for tests. Redis holds only state that
 * PostgreSQL can rebuild or that is meant to expire (presence, counters, rate limits), so it keeps no snapshot.
 */
public final class EmbeddedRedisServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);

  private final RedisServer redis;
  private final int port;

  private EmbeddedRedisServer(RedisServer redis, int port) {
    this.redis = redis;
    this.port = port;
  }

  /** Starts Redis on loopback; {@code databases} sets how many logical databases it offers (tests use one each). */
  public static EmbeddedRedisServer start(Path workDirectory, int port, int databases) throws IOException {
    Files.createDirectories(workDirectory);
    RedisServer redis = RedisServer.newRedisServer()
        .bind("127.0.0.1")
        .port(port)
        .setting("dir " + workDirectory.toAbsolutePath())
        .setting("save \"\"")
        .setting("appendonly no")
        .setting("databases " + databases)
        .setting("maxclients 10000")
        .onShutdownForceStop(true)
        .build();
    redis.start();
    EmbeddedRedisServer server = new EmbeddedRedisServer(redis, port);
    LOG.info("embedded Redis started: url={}", server.url(0));
    return server;
  }

  public String url(int database) {
    return "redis://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public void close() throws IOException {
    redis.stop();
    LOG.info("embedded Redis stopped");
  }
}
