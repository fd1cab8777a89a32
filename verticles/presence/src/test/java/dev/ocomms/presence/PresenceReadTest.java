package dev.ocomms.presence;

import dev.ocomms.shared.bus.Addresses;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.presence.PresenceApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("presence.read: who is online, for other verticles (notifications asks before it toasts or pushes)")
class PresenceReadTest {
  private static PresenceApi api;

  @BeforeAll
  static void start() {
    api = PresenceApi.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  @DisplayName("a user with a live connection reads as available, one without as offline, in the order asked")
  void readsStates() {
    String online = newUser();
    String offline = newUser();
    api.sessionOpened(online);

    List<String> statuses = awaitStatuses(List.of(online, offline), List.of("available", "offline"));

    assertThat(statuses).containsExactly("available", "offline");
  }

  @Test
  @DisplayName("a user whose last connection closed reads as offline")
  void closedSessionIsOffline() {
    String user = newUser();
    JsonObject session = api.sessionOpened(user);
    awaitStatuses(List.of(user), List.of("available"));

    api.sessionClosed(session);

    assertThat(awaitStatuses(List.of(user), List.of("offline"))).containsExactly("offline");
  }

  /** Asks until the statuses are the expected ones (the gateway's reports are not answered) or 10 s passed. */
  private static List<String> awaitStatuses(List<String> userIds, List<String> expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> statuses = read(userIds);
    while (!statuses.equals(expected) && System.nanoTime() < deadline) {
      PresenceApi.pause(Duration.ofMillis(50));
      statuses = read(userIds);
    }
    return statuses;
  }

  private static List<String> read(List<String> userIds) {
    return api.cluster.node(0).eventBus()
        .<JsonObject>rxRequest(Addresses.PRESENCE_READ, new JsonObject().put("userIds", new JsonArray(userIds)))
        .timeout(10, TimeUnit.SECONDS).blockingGet().body().getJsonArray("users").stream()
        .map(state -> ((JsonObject) state).getString("status")).toList();
  }
}
