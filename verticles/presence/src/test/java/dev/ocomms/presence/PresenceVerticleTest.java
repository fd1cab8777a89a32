package dev.ocomms.presence;

import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.runtime.FreePorts;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.TestCluster;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The presence verticle")
class PresenceVerticleTest {
  private TestCluster cluster;

  @BeforeEach
  void startNode() {
    cluster = TestCluster.start(1);
  }

  @AfterEach
  void stopNode() {
    cluster.close();
  }

  @Test
  @DisplayName("starts on a node whose Redis can be reached, and undeploys cleanly")
  void startsAndStops() {
    String id = cluster.deploy(0, PresenceVerticle::new);
    assertThat(cluster.node(0).deploymentIDs()).contains(id);
    cluster.node(0).rxUndeploy(id).blockingAwait();
    assertThat(cluster.node(0).deploymentIDs()).doesNotContain(id);
  }

  @Test
  @DisplayName("starts without Redis, and answers status unknown for the people one can see")
  void startsWithoutItsStore() {
    cluster.deploy(0, MessagingVerticle::new);
    OcommsConfig unreachable = cluster.config(0).with(Setting.REDIS_URL, "redis://127.0.0.1:" + FreePorts.next());
    cluster.node(0).rxDeployVerticle(new PresenceVerticle(), new DeploymentOptions().setConfig(unreachable.toJson()))
        .blockingGet();
    String alice = UUID.randomUUID().toString();
    String bob = UUID.randomUUID().toString();
    Caller aliceCalls = new Caller(alice, null);
    String workspaceId = cluster.node(0).eventBus().<JsonObject>rxRequest(Addresses.WORKSPACE_CREATE,
            new JsonObject().put("name", "Team"), aliceCalls.deliveryOptions())
        .blockingGet().body().getJsonObject("workspace").getString("id");
    String code = cluster.node(0).eventBus().<JsonObject>rxRequest(Addresses.WORKSPACE_INVITE_CREATE,
            new JsonObject().put("workspaceId", workspaceId), aliceCalls.deliveryOptions())
        .blockingGet().body().getString("code");
    cluster.node(0).eventBus().rxRequest(Addresses.WORKSPACE_JOIN, new JsonObject().put("code", code),
        new Caller(bob, null).deliveryOptions()).blockingGet();

    JsonObject reply = cluster.node(0).eventBus().<JsonObject>rxRequest(Addresses.PRESENCE_SUBSCRIBE,
            new JsonObject().put("userIds", new JsonArray().add(bob)), aliceCalls.deliveryOptions())
        .blockingGet().body();

    assertThat(reply).isEqualTo(new JsonObject().put("users", new JsonArray()
        .add(new JsonObject().put("userId", bob).put("status", "unknown"))));
  }
}
