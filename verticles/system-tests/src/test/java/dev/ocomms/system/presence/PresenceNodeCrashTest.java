package dev.ocomms.system.presence;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.EventBus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that dies takes its users offline by itself: nobody reports their connections closing. To make the death
 * honest, bob's connection is reported by a third, bare node playing the gateway's part (presence.session.opened, then
 * a heartbeat, exactly what the bridge sends), and that node is then closed: it runs no verticle, so nothing can
 * report the connection closed on its way down. (Closing a node that runs the gateway undeploys it first, which closes
 * its sockets and reports them closed: a clean shutdown, not a crash.) Sessions live 6 s here instead of 90.
 */
@DisplayName("Presence when a node dies")
class PresenceNodeCrashTest {
  private static final int TTL_SECONDS = 6;
  private static final int CRASHING = 2;
  private TestSystem system;

  @BeforeEach
  void start() {
    system = TestSystem.builder().nodes(3).servingNodes(2)
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .configure(config -> config.with(Setting.PRESENCE_SESSION_TTL_SECONDS, TTL_SECONDS))
        .start();
  }

  @AfterEach
  void stop() {
    system.close();
  }

  @Test
  @DisplayName("someone connected to a node that dies goes offline for subscribers on another node within the TTL, "
      + "the 3 s sweep and the 2 s batch")
  void crashedNodeUsersGoOffline() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);
    aliceSocket.call("presence.subscribe", new JsonObject().put("userIds", new JsonArray().add(bob.id())));

    JsonObject session = new JsonObject().put("userId", bob.id()).put("connectionId", UUID.randomUUID().toString());
    EventBus crashingBus = system.cluster().node(CRASHING).eventBus();
    crashingBus.send(Addresses.PRESENCE_SESSION_OPENED, session);
    aliceSocket.awaitEvent("user." + alice.id(), "presence.changed",
        event -> bob.id().equals(event.getString("userId")) && "available".equals(event.getString("status")),
        Duration.ofSeconds(5));
    crashingBus.send(Addresses.PRESENCE_HEARTBEAT, new JsonObject().put("sessions", new JsonArray().add(session)));
    Instant lastReport = Instant.now();
    pause(Duration.ofMillis(500)); // the heartbeat is on its way to presence before the node goes
    system.cluster().stopNode(CRASHING);

    JsonObject offline = aliceSocket.awaitEvent("user." + alice.id(), "presence.changed",
        event -> bob.id().equals(event.getString("userId")) && "offline".equals(event.getString("status")),
        Duration.ofSeconds(TTL_SECONDS + 3 + 2 + 2));
    Instant lastSeen = Instant.parse(offline.getString("lastSeen"));
    assertThat(lastSeen).as("lastSeen: when the session lapsed, not before")
        .isAfterOrEqualTo(lastReport.plusSeconds(TTL_SECONDS).minusMillis(500))
        .isBefore(lastReport.plusSeconds(TTL_SECONDS + 3 + 1));
    assertThat(aliceSocket.events("user." + alice.id(), "presence.changed"))
        .extracting(event -> event.getString("status")).containsExactly("available", "offline");
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
