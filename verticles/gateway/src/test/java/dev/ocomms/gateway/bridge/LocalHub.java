package dev.ocomms.gateway.bridge;

import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.redis.RedisClients;
import dev.ocomms.testkit.TestConfigs;
import dev.ocomms.testkit.TestInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;
import io.vertx.rxjava3.redis.client.Redis;

import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One gateway instance's {@link BridgeHub} with no HTTP in front of it, for tests of the bridge's pieces: a local
 * (unclustered) Vert.x, the test JVM's real Redis, and {@link RecordingSocket}s for sockets. The connection registry's
 * control consumers run; the membership guard's sweep does not (its connections have no real tokens). Use it on the
 * Vert.x event loop only, as the bridge does.
 */
final class LocalHub {
  /** Long enough for anything asked of Redis or of the event bus to have been answered, even on a loaded machine. */
  static final long PATIENCE_MS = 10_000;
  private static final long POLL_MS = 20;
  private static String redisUrl;

  final io.vertx.rxjava3.core.Vertx vertx;
  final NodeBridge node;
  final BridgeHub hub;

  private LocalHub(io.vertx.rxjava3.core.Vertx vertx, int maxConnectionsPerUser) {
    this.vertx = vertx;
    this.node = new NodeBridge(TestConfigs.defaults(), new SimpleMeterRegistry());
    Redis redis = RedisClients.client(vertx, TestConfigs.defaults().with(Setting.REDIS_URL, redisUrl()));
    this.hub = new BridgeHub(vertx, null, redis, node, 60_000, maxConnectionsPerUser,
        TestConfigs.defaults().bridgeConnectionQueueBytes());
  }

  /** A hub on {@code vertx} (closed with it); {@code ready} runs on its event loop once the hub has started. */
  static void start(Vertx vertx, int maxConnectionsPerUser, VertxTestContext test, Consumer<LocalHub> ready) {
    io.vertx.rxjava3.core.Vertx rx = io.vertx.rxjava3.core.Vertx.newInstance(vertx);
    rx.runOnContext(v -> {
      LocalHub local = new LocalHub(rx, maxConnectionsPerUser);
      Completable started = local.hub.registry.start();
      started.subscribe(() -> test.verify(() -> ready.accept(local)), test::failNow);
    });
  }

  /** One Redis database for all of these tests: their users are new each time. */
  private static synchronized String redisUrl() {
    if (redisUrl == null) {
      redisUrl = TestInfra.get().newRedisUrl();
    }
    return redisUrl;
  }

  static String newUserId() {
    return UUID.randomUUID().toString();
  }

  /** A new connection that has not presented a token yet. */
  BridgeConnection connect() {
    BridgeConnection connection = new BridgeConnection(hub, null, new RecordingSocket());
    hub.registry.add(connection);
    return connection;
  }

  /** A new connection of this user and session, past its first valid token. */
  BridgeConnection connect(String userId, String sessionId) {
    BridgeConnection connection = connect();
    connection.caller = new Caller(userId, sessionId);
    hub.registry.authenticated(connection);
    return connection;
  }

  /** Runs {@code then} (on the event loop) once {@code condition} holds; fails the test if it does not in time. */
  void eventually(VertxTestContext test, String what, BooleanSupplier condition, Runnable then) {
    long deadline = System.currentTimeMillis() + PATIENCE_MS;
    poll(test, what, condition, then, deadline);
  }

  private void poll(VertxTestContext test, String what, BooleanSupplier condition, Runnable then, long deadline) {
    if (condition.getAsBoolean()) {
      test.verify(then::run);
    } else if (System.currentTimeMillis() > deadline) {
      test.failNow(new AssertionError("not within " + PATIENCE_MS + " ms: " + what));
    } else {
      vertx.setTimer(POLL_MS, id -> poll(test, what, condition, then, deadline));
    }
  }
}
