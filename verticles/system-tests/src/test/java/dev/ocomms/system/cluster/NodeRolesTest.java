package dev.ocomms.system.cluster;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.gateway.OpsVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.notes.NotesVerticle;
import dev.ocomms.integrations.IntegrationsVerticle;
import dev.ocomms.notifications.NotificationsVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.search.SearchVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import dev.ocomms.uploads.UploadsVerticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.ocomms.testkit.bridge.Frames.eventOfType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cluster split by {@code OCOMMS_VERTICLES}, as docs/operations.md ("Node layouts") recommends for large
 * deployments: a gateway-only node in front, which browsers reach, and two nodes behind it without a gateway, one
 * running accounts, messaging and presence, the other search, notifications, notes, uploads and integrations (the operators'
 * endpoints in its place). Access-token keys are not configured: the front node gets them from accounts on another
 * node, which starts after it. Everything a client does goes through the front node.
 */
@DisplayName("A cluster split into a gateway-only node in front and nodes without a gateway behind")
class NodeRolesTest {
  private static final int FRONT = 0;
  private static final int BACK = 1;
  private static final int BACK_2 = 2;
  private static final Duration WAIT = TestSystem.WAIT;
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder().nodes(3).servingNodes(0)
        .configure(config -> config.without(Setting.JWT_PRIVATE_KEY).without(Setting.JWT_PUBLIC_KEY))
        .withoutConnectionRateLimits()
        .deployOn(FRONT, GatewayVerticle::new)
        .deployOn(BACK, AccountsVerticle::new).deployOn(BACK, MessagingVerticle::new)
        .deployOn(BACK, PresenceVerticle::new).deployOn(BACK, OpsVerticle::new)
        .deployOn(BACK_2, SearchVerticle::new).deployOn(BACK_2, NotificationsVerticle::new)
        .deployOn(BACK_2, NotesVerticle::new).deployOn(BACK_2, UploadsVerticle::new)
        .deployOn(BACK_2, IntegrationsVerticle::new).deployOn(BACK_2, OpsVerticle::new)
        .start();
  }

  @AfterEach
  void closeClients() {
    system.closeClients();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  /** Alice and bob in a new workspace, both in a new public channel alice created: its id and the workspace's. */
  private record Channel(Account alice, Account bob, String workspaceId, String chatId) {
  }

  private static Channel channel() {
    Account alice = system.register("Alice");
    Account bob = system.register("Bob");
    String workspaceId = system.workspace(alice, List.of(bob));
    String chatId = system.channel(alice, workspaceId, "c-" + UUID.randomUUID().toString().substring(0, 8));
    system.joinChat(bob, chatId);
    return new Channel(alice, bob, workspaceId, chatId);
  }

  private static JsonObject send(BridgeClient client, Account sender, String chatId, String content) {
    return client.call(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", chatId)
        .put("clientId", UUID.randomUUID().toString()).put("content", content), sender.token());
  }

  @Test
  @DisplayName("an account registered through the front node logs in through it and is known by its token")
  void registerAndLogIn() {
    Account alice = system.register();

    Account.Tokens session = system.login(alice);

    HttpResponse<Buffer> me = system.call(FRONT, HttpMethod.GET, "/users/me", session.accessToken(), null);
    assertThat(me.statusCode()).as("GET /users/me: %s", me.bodyAsString()).isEqualTo(200);
    assertThat(me.bodyAsJsonObject().getJsonObject("user").getString("id")).isEqualTo(alice.id());
  }

  @Test
  @DisplayName("a message sent over the front node's bridge is acknowledged and reaches another connection live")
  void sendAndReceiveLive() {
    Channel channel = channel();
    BridgeClient receiver = system.connect(FRONT, Transport.SOCKJS_WEBSOCKET);
    receiver.listen(Addresses.chat(channel.chatId()), channel.bob().token());
    BridgeClient sender = system.connect(FRONT, Transport.RAW_WEBSOCKET);

    JsonObject ack = send(sender, channel.alice(), channel.chatId(), "hello from the front");

    JsonObject event = receiver.await(eventOfType(Addresses.chat(channel.chatId()), "message.new"), WAIT)
        .getJsonObject("body");
    assertThat(event.getJsonObject("message")).as("what bob received is what was stored").isEqualTo(ack);
  }

  @Test
  @DisplayName("the history read through the front node holds a message sent through it")
  void history() {
    Channel channel = channel();
    JsonObject ack = send(system.connect(FRONT, Transport.RAW_WEBSOCKET), channel.alice(), channel.chatId(),
        "kept in the history");

    assertThat(system.messageIds(FRONT, channel.bob(), channel.chatId())).contains(ack.getString("id"));
  }

  @Test
  @DisplayName("a search through the front node finds a message sent through it, indexed on another node")
  void search() {
    Channel channel = channel();
    JsonObject ack = send(system.connect(FRONT, Transport.RAW_WEBSOCKET), channel.alice(), channel.chatId(),
        "the quarterly aardvark migration");
    BridgeClient bob = system.connect(FRONT, Transport.RAW_WEBSOCKET);

    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> found = List.of();
    while (!found.contains(ack.getString("id")) && System.nanoTime() < deadline) {
      bob.awaitAnyFrame(Duration.ofMillis(250));
      found = bob.call(Addresses.SEARCH_QUERY, new JsonObject().put("workspaceId", channel.workspaceId())
              .put("q", "aardvark"), channel.bob().token())
          .getJsonArray("results").stream().map(JsonObject.class::cast)
          .map(result -> result.getString("messageId")).toList();
    }
    assertThat(found).as("bob's search results for 'aardvark'").containsExactly(ack.getString("id"));
  }

  @Test
  @DisplayName("someone connecting through the front node comes online for a subscriber connected through it")
  void presence() {
    Channel channel = channel();
    BridgeClient alice = system.online(FRONT, channel.alice());
    alice.call(Addresses.PRESENCE_SUBSCRIBE, new JsonObject().put("userIds", new JsonArray().add(channel.bob().id())));

    system.online(FRONT, channel.bob());

    alice.awaitEvent("user." + channel.alice().id(), "presence.changed",
        event -> channel.bob().id().equals(event.getString("userId")) && "available".equals(event.getString("status")),
        Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("a channel note saved through the front node by one member is read through it by another")
  void notes() {
    Channel channel = channel();
    HttpResponse<Buffer> saved = system.call(FRONT, HttpMethod.PUT, "/chats/" + channel.chatId() + "/note",
        channel.alice().token(), new JsonObject().put("content", "# Agenda").put("expectedVersion", 0));
    assertThat(saved.statusCode()).as("PUT note: %s", saved.bodyAsString()).isEqualTo(200);

    JsonObject note = system.connect(FRONT, Transport.RAW_WEBSOCKET)
        .call(Addresses.NOTES_GET, new JsonObject().put("chatId", channel.chatId()), channel.bob().token());

    assertThat(note.getString("content")).isEqualTo("# Agenda");
    assertThat(note.getString("lastEditedBy")).isEqualTo(channel.alice().id());
  }

  /** A meter's value on a node's {@code /metrics} (the first series of that name). */
  private static double metric(int node, String name) {
    HttpResponse<Buffer> metrics = system.ops(node, "/metrics");
    assertThat(metrics.statusCode()).as("node %d /metrics", node).isEqualTo(200);
    Matcher matcher = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(metrics.bodyAsString());
    assertThat(matcher.find()).as("metric %s on node %d's /metrics", name, node).isTrue();
    return Double.parseDouble(matcher.group(2));
  }

  @Test
  @DisplayName("every node, with or without the gateway, counts the cluster's 3 members in ocomms_cluster_members")
  void clusterMembersMetric() {
    for (int node : List.of(FRONT, BACK, BACK_2)) {
      assertThat(metric(node, "ocomms_cluster_members")).as("node %d", node).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("a message sent through the front node counts in ocomms_messages_accepted_total on the messaging node")
  void messagesAcceptedMetric() {
    Channel channel = channel();
    double before = metric(BACK, "ocomms_messages_accepted_total");

    send(system.connect(FRONT, Transport.RAW_WEBSOCKET), channel.alice(), channel.chatId(), "counted");

    assertThat(metric(BACK, "ocomms_messages_accepted_total")).isEqualTo(before + 1);
  }

  @Test
  @DisplayName("a message delivered live on the front node's bridge is timed in ocomms_delivery_latency_seconds there")
  void deliveryLatencyMetric() {
    Channel channel = channel();
    BridgeClient receiver = system.connect(FRONT, Transport.RAW_WEBSOCKET);
    receiver.listen(Addresses.chat(channel.chatId()), channel.bob().token());
    double countBefore = metric(FRONT, "ocomms_delivery_latency_seconds_count");
    double sumBefore = metric(FRONT, "ocomms_delivery_latency_seconds_sum");
    long sentAt = System.nanoTime();

    send(system.connect(FRONT, Transport.RAW_WEBSOCKET), channel.alice(), channel.chatId(), "timed");
    receiver.await(eventOfType(Addresses.chat(channel.chatId()), "message.new"), WAIT);
    double tookSeconds = (System.nanoTime() - sentAt) / 1e9;

    assertThat(metric(FRONT, "ocomms_delivery_latency_seconds_count")).isEqualTo(countBefore + 1);
    assertThat(metric(FRONT, "ocomms_delivery_latency_seconds_sum") - sumBefore)
        .as("the time recorded: within the send's round trip, give or take the clocks' millisecond")
        .isBetween(0.0, tookSeconds + 0.002);
  }

  @Test
  @DisplayName("every node is ready, each checking only what it runs itself")
  void everyNodeReady() {
    for (int node : List.of(FRONT, BACK, BACK_2)) {
      HttpResponse<Buffer> ready = system.ops(node, "/ready");
      assertThat(ready.statusCode()).as("node %d /ready: %s", node, ready.bodyAsString()).isEqualTo(200);
    }
  }
}
