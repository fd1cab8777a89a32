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
 * names. (Following a failover without a restart is not yet reliable: see docs/operations.md, "Known limits".)
 */
@DisplayName("OComms on Redis behind Sentinel")
class RedisSentinelTest {
  private static final Duration BATCH = Duration.ofSeconds(5);
  private static TestRedisSentinel redis;
  private static TestSystem system;

  @BeforeAll
  static void start() {
    redis = TestRedisSentinel.start();
    try {
      system = TestSystem.builder().nodes(2).everyNodeServes()
          .configure(config -> config.with(Setting.REDIS_MODE, "sentinel")
              .with(Setting.REDIS_URL, redis.sentinelUrl())
              .with(Setting.REDIS_MASTER_NAME, TestRedisSentinel.MASTER_NAME))
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
}
