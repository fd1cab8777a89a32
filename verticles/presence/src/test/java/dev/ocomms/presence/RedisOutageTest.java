package dev.ocomms.presence;

import dev.ocomms.presence.PresenceApi.Probe;
import dev.ocomms.runtime.EmbeddedRedisServer;
import dev.ocomms.runtime.FreePorts;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.errors.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static dev.ocomms.presence.PresenceApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis going away and coming back, with a Redis of this class's own (the shared test Redis must stay up). Messaging
 * checks Redis when it starts, so Redis stops only once everything is deployed.
 */
@DisplayName("Presence while Redis is down")
class RedisOutageTest {
  @TempDir
  Path redisDirectory;
  private int redisPort;
  private EmbeddedRedisServer redis;
  private PresenceApi api;

  @BeforeEach
  void start() throws IOException {
    redisPort = FreePorts.next();
    redis = EmbeddedRedisServer.start(redisDirectory.resolve("a"), redisPort, 16);
    api = PresenceApi.start(config -> config.with(Setting.REDIS_URL, redis.url(0)));
  }

  @AfterEach
  void stop() throws IOException {
    try {
      api.close();
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  @Test
  @DisplayName("messages are still sent and delivered, presence answers unknown, and recovers when Redis is back")
  void degradesAndRecovers() throws IOException {
    String alice = newUser();
    String bob = newUser();
    String chatId = api.workspace(alice, bob);
    Probe chat = api.listen("chat." + chatId);
    Probe aliceInbox = api.listen("user." + alice);
    JsonObject bobSession = api.sessionOpened(bob);
    awaitStatus(alice, bob, "available", Duration.ofSeconds(3));

    redis.close();
    redis = null;

    JsonObject sent = api.send(alice, chatId, "still here");
    assertThat(sent.getString("content")).isEqualTo("still here");
    assertThat(chat.await(event -> "message.new".equals(event.getString("type")), Duration.ofSeconds(3))
        .getJsonObject("message").getString("id")).isEqualTo(sent.getString("id"));
    assertThat(api.subscribe(alice, bob)).isEqualTo(new JsonArray()
        .add(new JsonObject().put("userId", bob).put("status", "unknown")));
    assertThat(api.fails(bob, "presence.update", new JsonObject().put("status", "dnd")).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);

    redis = EmbeddedRedisServer.start(redisDirectory.resolve("b"), redisPort, 16);
    // The new Redis is empty: bob's connection counts again with the gateway's next heartbeat, and alice's client,
    // told "unknown", subscribes again.
    api.heartbeat(bobSession);
    awaitStatus(alice, bob, "available", Duration.ofSeconds(10));
    api.sessionClosed(bobSession);

    JsonObject offline = aliceInbox.await(event -> bob.equals(event.getString("userId")), Duration.ofSeconds(5));
    assertThat(offline.getString("status")).isEqualTo("offline");
    assertThat(offline.getString("lastSeen")).isNotNull();
  }

  /** Asks again (as a client does after "unknown") until {@code userId} shows as {@code status}. */
  private void awaitStatus(String caller, String userId, String status, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonArray users;
    do {
      users = api.subscribe(caller, userId);
      if (users.getJsonObject(0).getString("status").equals(status)) {
        return;
      }
      PresenceApi.pause(Duration.ofMillis(100));
    } while (System.nanoTime() < deadline);
    assertThat(users).as("presence of %s after %s", userId, timeout)
        .isEqualTo(new JsonArray().add(new JsonObject().put("userId", userId).put("status", status)));
  }
}
