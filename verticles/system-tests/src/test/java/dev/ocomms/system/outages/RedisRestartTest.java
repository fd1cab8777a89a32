package dev.ocomms.system.outages;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.runtime.EmbeddedRedisServer;
import dev.ocomms.runtime.FreePorts;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static dev.ocomms.testkit.Blocking.pause;
import static dev.ocomms.testkit.TestSystem.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis restarting under a node that keeps sending, with a Redis of this class's own (the shared test server must stay
 * up), on the same port before and after. Sending needs no Redis (limits count in the node's memory meanwhile), so
 * nothing is refused and nothing acknowledged is lost; what lives in Redis (presence) works again by itself.
 */
@DisplayName("A Redis restart while messages are being sent")
class RedisRestartTest {
  /** Sends are paced below the per-user limit (10 a second): a refusal here would be about Redis. */
  private static final long SEND_INTERVAL_MS = 150;
  private static final int REDIS_TIMEOUT_MILLIS = 500;

  @TempDir
  Path redisDirectory;
  private int redisPort;
  private EmbeddedRedisServer redis;
  private TestSystem system;
  private final ExecutorService sender = Executors.newSingleThreadExecutor();

  @BeforeEach
  void start() throws IOException {
    redisPort = FreePorts.next();
    redis = EmbeddedRedisServer.start(redisDirectory, redisPort, 16);
    system = TestSystem.builder()
        .configure(config -> config.with(Setting.REDIS_URL, redis.url(0))
            .with(Setting.REDIS_TIMEOUT_MILLIS, REDIS_TIMEOUT_MILLIS))
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(PresenceVerticle::new)
        .deploy(GatewayVerticle::new)
        .start();
  }

  @AfterEach
  void stop() throws IOException, InterruptedException {
    sender.shutdownNow();
    sender.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    try {
      system.close();
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  @Test
  @DisplayName("every send is acknowledged before, during and after the restart, and every one is in the history")
  void sendsGoOnWithoutLoss() throws Exception {
    Account alice = system.register();
    String chatId = system.general(alice, system.workspace(alice, List.of()));
    List<HttpResponse<Buffer>> answers = new CopyOnWriteArrayList<>();
    AtomicBoolean sending = new AtomicBoolean(true);
    Future<?> sends = sender.submit(() -> {
      while (sending.get()) {
        answers.add(system.call(0, HttpMethod.POST, "/chats/" + chatId + "/messages", alice.token(),
            new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", "still sending")));
        pause(SEND_INTERVAL_MS);
      }
      return null;
    });

    awaitCount(() -> (long) answers.size(), 5, "sends before the restart");
    redis.close();
    redis = null;
    int before = answers.size();
    awaitCount(() -> (long) answers.size() - before, 5, "sends while Redis is down");
    redis = EmbeddedRedisServer.start(redisDirectory, redisPort, 16);
    int restarted = answers.size();
    awaitCount(() -> (long) answers.size() - restarted, 5, "sends after the restart");
    sending.set(false);
    sends.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(answers.stream().map(HttpResponse::statusCode).collect(Collectors.toSet())).as("answers")
        .isEqualTo(Set.of(201));
    Set<String> acked = answers.stream().map(answer -> answer.bodyAsJsonObject().getString("id"))
        .collect(Collectors.toSet());
    assertThat(system.messageIds(0, alice, chatId)).as("the chat's history").containsAll(acked);
  }

  @Test
  @DisplayName("after the restart, someone connecting comes online for a subscriber, with nothing restarted on the node")
  void presenceComesBack() throws Exception {
    Account alice = system.register();
    Account bob = system.register();
    system.workspace(alice, List.of(bob));
    redis.close();
    redis = EmbeddedRedisServer.start(redisDirectory, redisPort, 16);

    BridgeClient aliceSocket = system.online(0, alice);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonObject subscribed = null;
    while (subscribed == null) {
      // The first calls after the restart may find the node's connections still failing over (503 unavailable).
      JsonObject reply = aliceSocket.request("presence.subscribe",
          new JsonObject().put("userIds", new JsonArray().add(bob.id())), alice.token());
      if ("rec".equals(reply.getString("type"))) {
        subscribed = reply.getJsonObject("body");
      } else {
        assertThat(System.nanoTime()).as("presence.subscribe answered within 30 s: %s", reply).isLessThan(deadline);
        pause(500);
      }
    }
    system.online(0, bob);

    aliceSocket.awaitEvent("user." + alice.id(), "presence.changed",
        event -> bob.id().equals(event.getString("userId")) && "available".equals(event.getString("status")),
        Duration.ofSeconds(10));
  }

  private static void awaitCount(Supplier<Long> count, long atLeast, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (count.get() < atLeast) {
      assertThat(System.nanoTime()).as("%s: %d of %d within 30 s", what, count.get(), atLeast).isLessThan(deadline);
      pause(50);
    }
  }
}
