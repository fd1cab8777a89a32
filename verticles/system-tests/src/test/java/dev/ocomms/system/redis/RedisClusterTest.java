package dev.ocomms.system.redis;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestRedisCluster;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two OComms nodes on a real Redis Cluster of three masters ({@code OCOMMS_REDIS_MODE=cluster}): presence and typing
 * (multi-key Lua scripts), rate limits (several quotas in one script) and the bridge's connection registry work across
 * the nodes, and keys land on more than one master.
 */
@DisplayName("OComms on a Redis Cluster of three masters")
class RedisClusterTest {
  private static final Duration BATCH = Duration.ofSeconds(5);
  private static TestRedisCluster redis;
  private static TestSystem system;

  @BeforeAll
  static void start() {
    redis = TestRedisCluster.start(3);
    try {
      system = TestSystem.builder().nodes(2).everyNodeServes()
          .configure(config -> config.with(Setting.REDIS_MODE, "cluster").with(Setting.REDIS_URL, redis.urls()))
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

  @Test
  @DisplayName("someone connecting to node 1 comes online for a subscriber on node 0, and goes offline on leaving")
  void presenceAcrossNodes() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);
    aliceSocket.call("presence.subscribe", new JsonObject().put("userIds", new JsonArray().add(bob.id())));

    BridgeClient bobSocket = system.online(1, bob);
    aliceSocket.awaitEvent("user." + alice.id(), "presence.changed",
        event -> bob.id().equals(event.getString("userId")) && "available".equals(event.getString("status")), BATCH);
    bobSocket.close();

    JsonObject offline = aliceSocket.awaitEvent("user." + alice.id(), "presence.changed",
        event -> bob.id().equals(event.getString("userId")) && "offline".equals(event.getString("status")), BATCH);
    assertThat(offline.getString("lastSeen")).isNotBlank();
  }

  @Test
  @DisplayName("typing on node 0 reaches a member connected to node 1")
  void typingAcrossNodes() {
    Account alice = system.register();
    Account bob = system.register();
    String chatId = system.general(alice, system.workspace(alice, List.of(bob)));
    BridgeClient aliceSocket = system.connect(0, Transport.RAW_WEBSOCKET).signedInAs(alice.token());
    BridgeClient bobSocket = system.connect(1, Transport.RAW_WEBSOCKET).signedInAs(bob.token());
    bobSocket.listen("chat." + chatId);

    aliceSocket.call("chat.typing", new JsonObject().put("chatId", chatId).put("active", true));

    JsonObject started = bobSocket.awaitEvent("chat." + chatId, "typing.indicator", event -> true, BATCH);
    assertThat(started.getString("userId")).isEqualTo(alice.id());
    assertThat(started.getBoolean("active")).isTrue();
  }

  @Test
  @DisplayName("a message sent on node 0 is delivered live on node 1 and kept in history")
  void messagesAcrossNodes() {
    Account alice = system.register();
    Account bob = system.register();
    String chatId = system.general(alice, system.workspace(alice, List.of(bob)));
    BridgeClient aliceSocket = system.connect(0, Transport.RAW_WEBSOCKET).signedInAs(alice.token());
    BridgeClient bobSocket = system.connect(1, Transport.RAW_WEBSOCKET).signedInAs(bob.token());
    bobSocket.listen("chat." + chatId);

    aliceSocket.call("chat.message.send", new JsonObject().put("chatId", chatId)
        .put("clientId", UUID.randomUUID().toString()).put("content", "over the cluster"));

    assertThat(bobSocket.awaitEvent("chat." + chatId, "message.new", event -> true, BATCH)
        .getJsonObject("message").getString("content")).isEqualTo("over the cluster");
    assertThat(system.messageIds(1, bob, chatId)).hasSize(1);
  }

  @Test
  @DisplayName("a limit counted on both nodes holds for their sum: edits past it over either node are rate_limited")
  void limitsHoldAcrossNodes() {
    Account alice = system.register();
    String chatId = system.general(alice, system.workspace(alice, List.of()));
    String path = "/messages/" + system.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", alice.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", "draft")).getString("id");

    // chat.edit allows a burst of 10 (20 a minute); counted per node in memory, 30 split over two would all pass.
    List<HttpResponse<Buffer>> responses = Single.concatEager(IntStream.range(0, 30).mapToObj(i -> system
            .callAsync(i % 2, HttpMethod.PATCH, path, alice.token(), new JsonObject().put("content", "edit " + i)))
            .toList())
        .toList().blockingGet();

    assertThat(responses.stream().filter(response -> response.statusCode() == 200).count()).as("accepted")
        .isBetween(10L, 12L);
    assertThat(responses.stream().filter(response -> response.statusCode() != 200))
        .allSatisfy(response -> assertProblem(response, 429, "rate_limited"));
  }

  @Test
  @DisplayName("keys are spread over the masters, and all presence keys share one hash slot")
  void keysSpread() {
    List<Account> users = system.register(6, 3);
    for (Account user : users) {
      system.online(user.hashCode() % 2 == 0 ? 0 : 1, user);
    }

    long mastersWithKeys = IntStream.range(0, redis.size()).filter(i -> redis.keys(i) > 0).count();
    List<String> holdingPresence = IntStream.range(0, redis.size())
        .filter(i -> redis.keyNames(i).stream().anyMatch(key -> key.startsWith("ocomms:{presence}:")))
        .mapToObj(Integer::toString).toList();
    assertThat(mastersWithKeys).isGreaterThan(1);
    assertThat(holdingPresence).hasSize(1);
  }
}
