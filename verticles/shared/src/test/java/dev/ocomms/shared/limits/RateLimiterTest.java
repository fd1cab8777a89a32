package dev.ocomms.shared.limits;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.net.NetServer;
import io.vertx.rxjava3.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The limiter against a Redis of this class's own, which the tests stop and start again. Each limiter stands for a
 * node: its own memory and its own view of Redis.
 */
@DisplayName("Rate limits in Redis, and in memory while Redis is down")
class RateLimiterTest {
  private static final Quota WINDOW = Quota.window("test.window", 5, Duration.ofHours(1), "at most 5 an hour");
  private static final Quota BUCKET = Quota.bucket("test.bucket", 3, Duration.ofMinutes(1), "at most 3 a minute");

  @TempDir
  Path directory;
  private int port;
  private RedisServer server;
  private Vertx vertx;
  private final List<Redis> clients = new ArrayList<>();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeEach
  void start() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    startRedis();
    vertx = Vertx.vertx();
    log.start();
    ((Logger) LoggerFactory.getLogger(RateLimiter.class)).addAppender(log);
  }

  @AfterEach
  void stop() throws IOException {
    ((Logger) LoggerFactory.getLogger(RateLimiter.class)).detachAppender(log);
    clients.forEach(Redis::close);
    vertx.rxClose().blockingAwait();
    stopRedis();
  }

  private void startRedis() throws IOException {
    server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
        .setting("dir " + directory.toAbsolutePath()).setting("save \"\"").setting("appendonly no")
        .onShutdownForceStop(true).build();
    server.start();
  }

  private void stopRedis() throws IOException {
    if (server != null) {
      server.stop();
      server = null;
    }
  }

  /** A node's limiter on the Redis at {@code redisPort}; it probes Redis on every check while it is down. */
  private RateLimiter node(int redisPort, long timeoutMs) {
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:" + redisPort + "/0");
    clients.add(redis);
    return new RateLimiter(vertx, redis, new MemoryLimits(() -> System.nanoTime() / 1_000_000), new RedisOutage(0),
        timeoutMs);
  }

  private RateLimiter node() {
    return node(port, RateLimiter.REDIS_TIMEOUT_MS);
  }

  /** How many of {@code count} takes, one after another, were allowed. */
  private static long allowed(RateLimiter limiter, Quota quota, String subject, int count) {
    return IntStream.range(0, count)
        .filter(i -> limiter.take(subject, quota).toSingleDefault(true).onErrorReturnItem(false).blockingGet())
        .count();
  }

  private static OcommsException refusal(RateLimiter limiter, Quota quota, String subject) {
    return catchThrowableOfType(OcommsException.class, () -> limiter.take(subject, quota).blockingAwait());
  }

  private List<String> warnings() {
    return log.list.stream().filter(event -> event.getLevel() == ch.qos.logback.classic.Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  @DisplayName("past its limit a quota is refused: rate_limited with retryAfter, retryAfterMs and the limit's name")
  void refusal() {
    RateLimiter limiter = node();
    assertThat(allowed(limiter, BUCKET, "alice", 3)).isEqualTo(3);

    OcommsException refused = refusal(limiter, BUCKET, "alice");
    assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(refused.getMessage()).isEqualTo("at most 3 a minute");
    assertThat(refused.details().getLong("retryAfterMs")).isBetween(1L, 20_000L);
    assertThat(refused.details().getLong("retryAfter")).isBetween(1L, 20L)
        .isEqualTo((refused.details().getLong("retryAfterMs") + 999) / 1000);
    assertThat(refused.details().getString("limit")).isEqualTo("test.bucket");
    assertThat(allowed(limiter, BUCKET, "bob", 1)).as("another subject").isEqualTo(1);
  }

  @Test
  @DisplayName("while Redis answers, every node counts in it: two nodes together get a limit, not twice it")
  void sharedAcrossNodes() {
    RateLimiter first = node();
    RateLimiter second = node();
    assertThat(allowed(first, WINDOW, "alice", 3) + allowed(second, WINDOW, "alice", 3)).isEqualTo(5);
    assertThat(refusal(first, WINDOW, "alice").details().getLong("retryAfter")).isBetween(3590L, 3600L);
  }

  @Test
  @DisplayName("with Redis stopped, quotas still refuse past their limit, counted in the node's memory")
  void memoryWhileRedisIsDown() throws IOException {
    RateLimiter limiter = node();
    assertThat(allowed(limiter, WINDOW, "alice", 2)).isEqualTo(2);
    stopRedis();

    assertThat(allowed(limiter, WINDOW, "bob", 7)).isEqualTo(5);
    assertThat(allowed(limiter, BUCKET, "bob", 5)).isEqualTo(3);
    OcommsException refused = refusal(limiter, WINDOW, "bob");
    assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(refused.details().getString("limit")).isEqualTo("test.window");
    assertThat(refused.details().getLong("retryAfter")).isBetween(3590L, 3600L);
  }

  @Test
  @DisplayName("the switch to memory is logged once per outage, and back on Redis the counts are Redis's again")
  void backOnRedis() throws IOException {
    RateLimiter limiter = node();
    assertThat(allowed(limiter, WINDOW, "alice", 1)).isEqualTo(1);
    stopRedis();
    assertThat(allowed(limiter, WINDOW, "alice", 7)).as("counted in memory from 0").isEqualTo(5);
    assertThat(warnings()).hasSize(1).allSatisfy(warning -> assertThat(warning).contains("memory"));

    startRedis();
    // The new Redis is empty (a restart without persistence): what it allows shows that it is asked again.
    assertThat(allowed(limiter, WINDOW, "alice", 7)).isEqualTo(5);
    assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage).last().asString().contains("Redis again");
    assertThat(warnings()).hasSize(1);
  }

  @Test
  @DisplayName("a Redis that does not answer in time counts as down: the check is answered from memory")
  void silentRedis() {
    // Accepts connections and never answers, as a hung Redis or a dead link does.
    NetServer silent = vertx.createNetServer().connectHandler(socket -> { }).rxListen(0, "127.0.0.1").blockingGet();
    try {
      RateLimiter limiter = node(silent.actualPort(), 200);
      assertThat(allowed(limiter, BUCKET, "alice", 4)).isEqualTo(3);
      assertThat(refusal(limiter, BUCKET, "alice").code()).isEqualTo(ErrorCode.RATE_LIMITED);
      assertThat(warnings()).hasSize(1);
    } finally {
      silent.rxClose().blockingAwait();
    }
  }

  @Test
  @DisplayName("a window's count given back in Redis can be taken again; a forgotten subject starts afresh")
  void giveBackAndForget() {
    RateLimiter limiter = node();
    Quota spaced = Quota.window("test.spaced", 4, Duration.ofMinutes(15), "wait").withBackoff(1, Duration.ofHours(1));
    assertThat(allowed(limiter, spaced, "alice", 2)).isEqualTo(1);
    assertThat(refusal(limiter, spaced, "alice").details().getLong("retryAfter")).isBetween(3590L, 3600L);

    limiter.giveBack(spaced, "alice").blockingAwait();
    assertThat(allowed(limiter, spaced, "alice", 1)).isEqualTo(1);
    limiter.forget(spaced, "alice").blockingAwait();
    assertThat(allowed(limiter, spaced, "alice", 1)).isEqualTo(1);
  }

  @Test
  @DisplayName("several quotas are taken all or none: the first without any left refuses, and the others count nothing")
  void allOrNone() {
    RateLimiter limiter = node();
    Quota narrow = Quota.window("test.narrow", 1, Duration.ofHours(1), "at most 1 an hour");
    limiter.take("alice", WINDOW, narrow).blockingAwait();

    OcommsException refused = catchThrowableOfType(OcommsException.class,
        () -> limiter.take("alice", WINDOW, narrow).blockingAwait());
    assertThat(refused.details().getString("limit")).isEqualTo("test.narrow");
    assertThat(refused.getMessage()).isEqualTo("at most 1 an hour");
    assertThat(allowed(limiter, WINDOW, "alice", 5)).isEqualTo(4);
  }
}
