package dev.ocomms.gateway.presence;

import dev.ocomms.gateway.presence.PresenceSystem.User;
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
  private static PresenceSystem system;

  @BeforeAll
  static void start() {
    system = PresenceSystem.start(config -> config);
  }

  @AfterAll
  static void stop() {
    if (system != null) {
      system.close();
    }
  }

  private static String inbox(User user) {
    return "user." + user.id();
  }

  /** Everything {@code socket}'s user has received about {@code user}, as {status, lastSeen?}, in order. */
  private static List<String> statusesOf(BridgeSocket socket, User subscriber, User user) {
    return socket.events(inbox(subscriber), "presence.changed").stream()
        .filter(event -> user.id().equals(event.getString("userId")))
        .map(event -> event.getString("status"))
        .toList();
  }

  private static JsonObject awaitChange(BridgeSocket socket, User subscriber, User user, String status,
                                        Duration timeout) {
    return socket.awaitEvent(inbox(subscriber), "presence.changed",
        event -> user.id().equals(event.getString("userId")) && status.equals(event.getString("status")), timeout);
  }

  private static JsonObject subscribe(BridgeSocket socket, User... users) {
    JsonArray ids = new JsonArray();
    for (User user : users) {
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
    User alice = system.register();
    User bob = system.register();
    system.workspace(alice, bob);
    BridgeSocket aliceSocket = system.online(0, alice);

    assertThat(subscribe(aliceSocket, bob).getJsonArray("users"))
        .containsExactly(new JsonObject().put("userId", bob.id()).put("status", "offline"));

    Instant before = Instant.now().minusSeconds(1);
    BridgeSocket bobSocket = system.online(1, bob);
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
    User alice = system.register();
    User bob = system.register();
    system.workspace(alice, bob);
    BridgeSocket aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);

    system.online(1, bob);

    JsonObject change = awaitChange(aliceSocket, alice, bob, "available", BATCH);
    assertThat(change).isEqualTo(new JsonObject().put("type", "presence.changed").put("userId", bob.id())
        .put("status", "available"));
  }

  @Test
  @DisplayName("presence.update {status: dnd} on node 1 reaches the subscriber on node 0 as dnd")
  void doNotDisturb() {
    User alice = system.register();
    User bob = system.register();
    system.workspace(alice, bob);
    BridgeSocket aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);
    BridgeSocket bobSocket = system.online(1, bob);
    awaitChange(aliceSocket, alice, bob, "available", BATCH);

    JsonObject reply = bobSocket.call("presence.update", new JsonObject().put("status", "dnd"));

    assertThat(reply).isEqualTo(new JsonObject().put("userId", bob.id()).put("status", "dnd"));
    awaitChange(aliceSocket, alice, bob, "dnd", BATCH);
    assertThat(statusesOf(aliceSocket, alice, bob)).containsExactly("available", "dnd");
  }

  @Test
  @DisplayName("someone goes offline, with lastSeen, only when their last connection closes")
  void offlineWithLastConnection() {
    User alice = system.register();
    User bob = system.register();
    system.workspace(alice, bob);
    BridgeSocket aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);
    BridgeSocket bobOnNode1 = system.online(1, bob);
    BridgeSocket bobOnNode0 = system.online(0, bob);
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
    User alice = system.register();
    User bob = system.register();
    User stranger = system.register();
    system.workspace(alice, bob);
    system.workspace(stranger);
    BridgeSocket aliceSocket = system.online(0, alice);

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
    User alice = system.register();
    User carol = system.register();
    User bob = system.register();
    system.workspace(alice, carol, bob);
    BridgeSocket aliceSocket = system.online(0, alice);
    BridgeSocket carolSocket = system.online(0, carol);
    subscribe(aliceSocket, bob);

    system.online(1, bob);

    awaitChange(aliceSocket, alice, bob, "available", BATCH);
    pause(Duration.ofSeconds(1));
    assertThat(carolSocket.events(inbox(carol), "presence.changed")).isEmpty();
  }

  @Test
  @DisplayName("changes within 2 s reach a subscriber as one presence.changed per user, with the latest state")
  void batched() {
    User alice = system.register();
    User bob = system.register();
    User dan = system.register();
    system.workspace(alice, bob, dan);
    BridgeSocket aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob, dan);

    BridgeSocket bobSocket = system.online(1, bob);
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
    User alice = system.register();
    User bob = system.register();
    system.workspace(alice, bob);
    BridgeSocket aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);
    BridgeSocket bobSocket = system.online(1, bob);
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
    User alice = system.register();
    User bob = system.register();
    system.workspace(alice, bob);
    BridgeSocket aliceSocket = system.online(0, alice);
    subscribe(aliceSocket, bob);
    BridgeSocket bobSocket = system.online(1, bob);
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
    User alice = system.register();
    User bob = system.register();
    String chatId = system.workspace(alice, bob);
    BridgeSocket aliceSocket = system.connect(0, alice);
    BridgeSocket bobSocket = system.connect(1, bob);
    bobSocket.register("chat." + chatId);

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
