package dev.ocomms.system.bridge;

import com.hazelcast.core.HazelcastInstance;
import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.Blocking;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.WebSocketBridgeClient;
import io.vertx.core.Future;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static dev.ocomms.testkit.bridge.Frames.about;
import static dev.ocomms.testkit.bridge.Frames.event;
import static dev.ocomms.testkit.bridge.Frames.marker;
import static dev.ocomms.testkit.bridge.Frames.testEvent;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * 2,000 raw WebSockets (400 users with 5 each, the per-user maximum) all listening to one chat on one node that runs
 * two gateway instances (one per core, sharing the port): each instance holds one clustered subscription for the
 * chat, however many sockets, the node's gauges count both instances, and one publish from another node reaches
 * every socket.
 */
@DisplayName("The bridge at scale")
class BridgeScaleTest {
  private static final int USERS = 400;
  private static final int SOCKETS_PER_USER = 5;
  private static final int SOCKETS = USERS * SOCKETS_PER_USER;
  private static final int GATEWAY_INSTANCES = 2;
  private static TestSystem server;

  @BeforeAll
  static void start() {
    // Two nodes: sockets on node 0 (the gateway's), events published from node 1 cross the cluster.
    server = TestSystem.builder().deploy(AccountsVerticle::new).deploy(MessagingVerticle::new)
        .deploy(GatewayVerticle::new, GATEWAY_INSTANCES).nodes(2)
        .configure(config -> config.with(Setting.BRIDGE_CONNECTIONS_PER_SECOND, 100_000)
            .with(Setting.BRIDGE_CONNECTIONS_PER_IP_PER_SECOND, 100_000))
        .start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static int subscriptionsInCluster(String address) {
    var vertx = (VertxInternal) server.cluster().node(1).getDelegate();
    HazelcastInstance hazelcast = ((HazelcastClusterManager) vertx.clusterManager()).getHazelcastInstance();
    return hazelcast.getMultiMap("__vertx.subs").valueCount(address);
  }

  private static double metric(String name) {
    String text = server.ops("/metrics").bodyAsString();
    Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
    assertThat(matcher.find()).as("metric %s on /metrics", name).isTrue();
    return Double.parseDouble(matcher.group(2));
  }

  @Test
  @DisplayName("2,000 sockets on one chat hold one clustered subscription per gateway instance, and one publish"
      + " reaches them all")
  void oneSubscriptionForManySockets() throws InterruptedException {
    List<Account> users = server.register(USERS, 8);
    Account owner = users.get(0);
    String workspaceId = server.workspace(owner, users.subList(1, USERS));
    String chatId = server.general(owner, workspaceId);
    String address = Addresses.chat(chatId);

    List<WebSocketBridgeClient> sockets = new ArrayList<>();
    for (int from = 0; from < SOCKETS; from += 100) {
      List<Future<WebSocketBridgeClient>> batch = IntStream.range(from, from + 100)
          .mapToObj(i -> server.connectRawAsync()).toList();
      sockets.addAll(Blocking.get(Future.all(batch), Duration.ofSeconds(30)).list());
    }
    List<JsonObject> registers = new ArrayList<>();
    for (int i = 0; i < SOCKETS; i++) {
      JsonObject register = Frames.register(address, users.get(i / SOCKETS_PER_USER).token());
      registers.add(register);
      sockets.get(i).sendAsync(register.encode());
    }
    for (int i = 0; i < SOCKETS; i++) {
      sockets.get(i).await(about(registers.get(i).getString("replyAddress")), Duration.ofSeconds(30));
    }

    // New connections are spread over the instances, so each holds sockets on the chat.
    assertThat(subscriptionsInCluster(address)).isEqualTo(GATEWAY_INSTANCES);
    assertThat(metric("ocomms_bridge_sockets")).isEqualTo(SOCKETS);
    assertThat(metric("ocomms_bridge_cluster_subscriptions")).isEqualTo(GATEWAY_INSTANCES);
    assertThat(metric("ocomms_bridge_registrations")).isEqualTo(SOCKETS);

    String marker = marker();
    server.publish(1, address, testEvent(marker));
    for (WebSocketBridgeClient socket : sockets) {
      socket.await(event(address, marker), Duration.ofSeconds(20));
    }
    assertThat(sockets).noneMatch(BridgeClient::closedByServer);

    sockets.forEach(WebSocketBridgeClient::close);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while ((metric("ocomms_bridge_sockets") > 0 || subscriptionsInCluster(address) > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(metric("ocomms_bridge_sockets")).isZero();
    assertThat(metric("ocomms_bridge_cluster_subscriptions")).isZero();
    assertThat(subscriptionsInCluster(address)).isZero();
  }
}
