package dev.ocomms.system.redis;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestRedisSentinel;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OComms reaching Redis through Redis Sentinel ({@code OCOMMS_REDIS_MODE=sentinel}): it uses the master the sentinel
 * names, and after a failover the promoted replica, with no restart. (Each test asks the sentinel which server is
 * master now, so they hold in either order.)
 *
 * <p>A write made just as the master changes can land on the old master and be dropped when the sentinel turns it
 * into a replica (Redis replicates asynchronously; Sentinel documents this). Presence repairs such a loss with the
 * gateways' next report of their sessions, every third of the session TTL: short here, so the test is quick.
 */
@DisplayName("OComms on Redis behind Sentinel")
class RedisSentinelTest {
  private static final Duration BATCH = Duration.ofSeconds(5);
  private static final int SESSION_TTL_SECONDS = 6;
  /** A few of the gateways' session reports (every {@code SESSION_TTL_SECONDS / 3}), and the 2 s announcement batch. */
  private static final Duration AFTER_FAILOVER = Duration.ofSeconds(20);
  private static TestRedisSentinel redis;
  private static TestSystem system;

  @BeforeAll
  static void start() {
    redis = TestRedisSentinel.start();
    try {
      system = TestSystem.builder().nodes(2).everyNodeServes()
          .configure(config -> config.with(Setting.REDIS_MODE, "sentinel")
              .with(Setting.REDIS_URL, redis.sentinelUrl())
              .with(Setting.REDIS_MASTER_NAME, TestRedisSentinel.MASTER_NAME)
              .with(Setting.PRESENCE_SESSION_TTL_SECONDS, Integer.toString(SESSION_TTL_SECONDS)))
          .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
          .deploy(GatewayVerticle::new)
          .withoutConnectionRateLimits()
          .start();
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (system != null) {
        system.close();
      }
    } finally {
      redis.close();
    }
  }

  private static JsonObject awaitStatus(BridgeClient socket, Account subscriber, Account user, String status,
                                        Duration timeout) {
    return socket.awaitEvent("user." + subscriber.id(), "presence.changed",
        event -> user.id().equals(event.getString("userId")) && status.equals(event.getString("status")), timeout);
  }

  @Test
  @DisplayName("presence works through the master the sentinel names, and its keys are on that master")
  void usesTheMaster() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);
    aliceSocket.call("presence.subscribe", new JsonObject().put("userIds", new JsonArray().add(bob.id())));

    system.online(1, bob);

    awaitStatus(aliceSocket, alice, bob, "available", BATCH);
    assertThat(redis.keys(redis.masterPort())).isPositive();
  }

  @Test
  @DisplayName("after a failover both nodes follow the promoted replica: someone connecting then is seen online, and a"
      + " status set then reaches the other node")
  void followsAFailover() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);
    aliceSocket.call("presence.subscribe", new JsonObject().put("userIds", new JsonArray().add(bob.id())));

    int promoted = redis.failover();
    BridgeClient bobSocket = system.online(1, bob);
    bobSocket.call("presence.subscribe", new JsonObject().put("userIds", new JsonArray().add(alice.id())));
    awaitStatus(aliceSocket, alice, bob, "available", AFTER_FAILOVER);
    aliceSocket.call("presence.update", new JsonObject().put("status", "dnd"));

    awaitStatus(bobSocket, bob, alice, "dnd", AFTER_FAILOVER);
    assertThat(redis.masterPort()).isEqualTo(promoted);
    assertThat(redis.keys(promoted)).as("keys on the promoted master").isPositive();
  }
}
