package dev.ocomms.system.presence;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence and typing as browsers see them, across a two-node deployment (messaging, presence and the gateway on both
 * nodes): the subscriber is connected to node 0, the people it follows to node 1, so every change crosses the
 * cluster. Every assertion says who received which {@code presence.changed} or {@code typing.indicator}.
 */
@DisplayName("Presence end to end, across two nodes")
class PresenceEndToEndTest {
  /** A batch goes out 2 s after its first change; time to get there across the cluster included. */
  private static final Duration BATCH = Duration.ofSeconds(5);
  /** Status updates are announced at most once per 10 s. */
  private static final Duration WINDOW = Duration.ofSeconds(10);
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder().nodes(2).everyNodeServes()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start();
  }

  @AfterAll
  static void stop() {
    if (system != null) {
      system.close();
    }
  }

  private static String inbox(Account user) {
    return "user." + user.id();
  }

  /** Everything {@code socket}'s user has received about {@code user}, as {status, lastSeen?}, in order. */
  private static List<String> statusesOf(BridgeClient socket, Account subscriber, Account user) {
    return socket.events(inbox(subscriber), "presence.changed").stream()
        .filter(event -> user.id().equals(event.getString("userId")))
        .map(event -> event.getString("status"))
        .toList();
  }

  private static JsonObject awaitChange(BridgeClient socket, Account subscriber, Account user, String status,
                                        Duration timeout) {
    return socket.awaitEvent(inbox(subscriber), "presence.changed",
        event -> user.id().equals(event.getString("userId")) && status.equals(event.getString("status")), timeout);
  }

  private static JsonObject subscribe(BridgeClient socket, Account... users) {
    JsonArray ids = new JsonArray();
    for (Account user : users) {
      ids.add(user.id());
    }
    return socket.call("presence.subscribe", new JsonObject().put("userIds", ids));
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("presence.subscribe answers offline without lastSeen for someone never seen, with lastSeen once they were")
  void subscribeAnswersOffline() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);

    assertThat(subscribe(aliceSocket, bob).getJsonArray("users"))
        .containsExactly(new JsonObject().put("userId", bob.id()).put("status", "offline"));

    Instant before = Instant.now().minusSeconds(1);
    BridgeClient bobSocket = system.online(1, bob);
    awaitChange(aliceSocket, alice, bob, "available", BATCH);
    bobSocket.close();
    awaitChange(aliceSocket, alice, bob, "offline", BATCH);

    JsonObject state = subscribe(aliceSocket, bob).getJsonArray("users").getJsonObject(0);
    assertThat(state.getString("status")).isEqualTo("offline");
    assertThat(Instant.parse(state.getString("lastSeen"))).isBetween(before, Instant.now());
  }

  @Test
  @DisplayName("a subscriber on node 0 sees someone connecting to node 1 come online as available")
  void comesOnline() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);

    system.online(1, bob);

    JsonObject change = awaitChange(aliceSocket, alice, bob, "available", BATCH);
    assertThat(change).isEqualTo(new JsonObject().put("type", "presence.changed").put("userId", bob.id())
        .put("status", "available"));
  }

  @Test
  @DisplayName("presence.update {status: dnd} on node 1 reaches the subscriber on node 0 as dnd")
  void doNotDisturb() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);
    BridgeClient bobSocket = system.online(1, bob);
    awaitChange(aliceSocket, alice, bob, "available", BATCH);

    JsonObject reply = bobSocket.call("presence.update", new JsonObject().put("status", "dnd"));

    assertThat(reply).isEqualTo(new JsonObject().put("userId", bob.id()).put("status", "dnd"));
    awaitChange(aliceSocket, alice, bob, "dnd", BATCH);
    assertThat(statusesOf(aliceSocket, alice, bob)).containsExactly("available", "dnd");
  }

  @Test
  @DisplayName("someone goes offline, with lastSeen, only when their last connection closes")
  void offlineWithLastConnection() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);
    BridgeClient bobOnNode1 = system.online(1, bob);
    BridgeClient bobOnNode0 = system.online(0, bob);
    awaitChange(aliceSocket, alice, bob, "available", BATCH);

    bobOnNode1.close();
    pause(Duration.ofSeconds(3));
    assertThat(statusesOf(aliceSocket, alice, bob)).as("while one connection is left").containsExactly("available");

    Instant closing = Instant.now();
    bobOnNode0.close();
    JsonObject offline = awaitChange(aliceSocket, alice, bob, "offline", BATCH);
    assertThat(Instant.parse(offline.getString("lastSeen"))).isBetween(closing.minusMillis(50), Instant.now());
    assertThat(statusesOf(aliceSocket, alice, bob)).containsExactly("available", "offline");
  }

  @Test
  @DisplayName("someone who shares no workspace is left out of the subscription, and nothing about them is sent")
  void onlyVisiblePeople() {
    Account alice = system.register();
    Account bob = system.register();
    Account stranger = system.register();
    system.workspace(alice, List.of(bob));
    system.workspace(stranger, List.of());
    BridgeClient aliceSocket = system.online(0, alice);

    JsonObject reply = subscribe(aliceSocket, stranger, bob);
    system.online(1, stranger);
    system.online(1, bob);

    assertThat(reply.getJsonArray("users")).containsExactly(
        new JsonObject().put("userId", bob.id()).put("status", "offline"));
    awaitChange(aliceSocket, alice, bob, "available", BATCH);
    pause(Duration.ofSeconds(1));
    assertThat(aliceSocket.events(inbox(alice), "presence.changed"))
        .extracting(event -> event.getString("userId")).containsExactly(bob.id());
  }

  @Test
  @DisplayName("presence.changed goes only to subscribers: a non-subscriber connected to the same node gets nothing")
  void onlySubscribers() {
    Account alice = system.register();
    Account carol = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(carol, bob));
    BridgeClient aliceSocket = system.online(0, alice);
    BridgeClient carolSocket = system.online(0, carol);
    subscribe(aliceSocket, bob);

    system.online(1, bob);

    awaitChange(aliceSocket, alice, bob, "available", BATCH);
    pause(Duration.ofSeconds(1));
    assertThat(carolSocket.events(inbox(carol), "presence.changed")).isEmpty();
  }

  @Test
  @DisplayName("changes within 2 s reach a subscriber as one presence.changed per user, with the latest state")
  void batched() {
    Account alice = system.register();
    Account bob = system.register();
    Account dan = system.register();
    system.workspace(alice, List.of(bob, dan));
    BridgeClient aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob, dan);

    BridgeClient bobSocket = system.online(1, bob);
    bobSocket.call("presence.update", new JsonObject().put("status", "dnd"));
    system.online(1, dan);

    awaitChange(aliceSocket, alice, bob, "dnd", BATCH);
    awaitChange(aliceSocket, alice, dan, "available", BATCH);
    pause(Duration.ofSeconds(3));
    assertThat(statusesOf(aliceSocket, alice, bob)).as("about bob").containsExactly("dnd");
    assertThat(statusesOf(aliceSocket, alice, dan)).as("about dan").containsExactly("available");
  }

  @Test
  @DisplayName("status updates within 10 s coalesce: the latest is announced once, when the window ends")
  void updatesCoalesce() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);
    BridgeClient bobSocket = system.online(1, bob);
    awaitChange(aliceSocket, alice, bob, "available", BATCH);

    bobSocket.call("presence.update", new JsonObject().put("status", "dnd"));
    awaitChange(aliceSocket, alice, bob, "dnd", BATCH);
    long dndAt = System.nanoTime();
    assertThat(bobSocket.call("presence.update", new JsonObject().put("status", "away")).getString("status"))
        .isEqualTo("away");
    bobSocket.call("presence.update", new JsonObject().put("status", "brb"));

    awaitChange(aliceSocket, alice, bob, "brb", WINDOW.plus(BATCH));
    assertThat(Duration.ofNanos(System.nanoTime() - dndAt)).as("time from dnd to brb")
        .isGreaterThan(WINDOW.minusSeconds(1));
    pause(Duration.ofSeconds(1));
    assertThat(statusesOf(aliceSocket, alice, bob)).containsExactly("available", "dnd", "brb");
  }

  @Test
  @DisplayName("an idle available user shows as away, and as available again when no longer idle")
  void idleShowsAsAway() {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    BridgeClient aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);
    BridgeClient bobSocket = system.online(1, bob);
    awaitChange(aliceSocket, alice, bob, "available", BATCH);

    assertThat(bobSocket.call("presence.update", new JsonObject().put("idle", true)).getString("status"))
        .isEqualTo("away");
    awaitChange(aliceSocket, alice, bob, "away", BATCH);
    assertThat(bobSocket.call("presence.update", new JsonObject().put("idle", false)).getString("status"))
        .isEqualTo("available");

    aliceSocket.awaitEvents(inbox(alice), "presence.changed", event -> bob.id().equals(event.getString("userId")), 3,
        WINDOW.plus(BATCH));
    assertThat(statusesOf(aliceSocket, alice, bob)).containsExactly("available", "away", "available");
  }

  @Test
  @DisplayName("typing reaches the chat's other members with the typist's display name, and ends when they send")
  void typingEndToEnd() {
    Account alice = system.register();
    Account bob = system.register();
    String chatId = system.general(alice, system.workspace(alice, List.of(bob)));
    BridgeClient aliceSocket = system.connect(0, Transport.RAW_WEBSOCKET).signedInAs(alice.token());
    BridgeClient bobSocket = system.connect(1, Transport.RAW_WEBSOCKET).signedInAs(bob.token());
    bobSocket.listen("chat." + chatId);

    assertThat(aliceSocket.call("chat.typing", new JsonObject().put("chatId", chatId).put("active", true)))
        .isEqualTo(new JsonObject().put("accepted", true));
    JsonObject started = bobSocket.awaitEvent("chat." + chatId, "typing.indicator", event -> true, BATCH);
    aliceSocket.call("chat.message.send", new JsonObject().put("chatId", chatId)
        .put("clientId", UUID.randomUUID().toString()).put("content", "hello"));
    JsonObject ended = bobSocket.awaitEvent("chat." + chatId, "typing.indicator",
        event -> !event.getBoolean("active"), Duration.ofSeconds(2));

    JsonObject indicator = new JsonObject().put("type", "typing.indicator").put("chatId", chatId)
        .put("userId", alice.id()).put("displayName", alice.displayName());
    assertThat(started).isEqualTo(indicator.copy().put("active", true));
    assertThat(ended).isEqualTo(indicator.copy().put("active", false));
    assertThat(bobSocket.events("chat." + chatId, "message.new")).hasSize(1);
  }
}
