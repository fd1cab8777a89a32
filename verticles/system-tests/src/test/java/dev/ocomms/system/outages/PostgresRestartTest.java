package dev.ocomms.system.outages;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.runtime.EmbeddedPostgresServer;
import dev.ocomms.runtime.FreePorts;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
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
 * PostgreSQL restarting under a node that keeps sending, with a PostgreSQL of this class's own (the shared test server
 * must stay up): the same data directory and port before and after, as a restarted server or a failover to the same
 * address looks to the node.
 */
@DisplayName("A PostgreSQL restart while messages are being sent")
class PostgresRestartTest {
  /** Sends are paced below the per-user limit (10 a second): every refusal here is about PostgreSQL. */
  private static final long SEND_INTERVAL_MS = 150;

  @TempDir
  Path postgresDirectory;
  private int postgresPort;
  private EmbeddedPostgresServer postgres;
  private TestSystem system;
  private final ExecutorService sender = Executors.newSingleThreadExecutor();

  @BeforeEach
  void start() throws IOException {
    postgresPort = FreePorts.next();
    postgres = EmbeddedPostgresServer.start(postgresDirectory, postgresPort);
    system = TestSystem.builder()
        .configure(config -> config.with(Setting.PG_URL, postgres.url(EmbeddedPostgresServer.DATABASE)))
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new)
        .start();
  }

  @AfterEach
  void stop() throws IOException, InterruptedException {
    sender.shutdownNow();
    sender.awaitTermination(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    try {
      system.close();
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  /** What one send was answered: the stored message's id, or the status and problem code of a refusal. */
  private record Answer(int status, String code, String messageId) {
    boolean acked() {
      return status == 201;
    }
  }

  @Test
  @DisplayName("sends are refused as unavailable (never internal) while it is down, succeed again by themselves "
      + "when it is back, and every acknowledged message is in the history")
  void recoversWithoutLosingAckedMessages() throws Exception {
    Account alice = system.register();
    String workspaceId = system.workspace(alice, List.of());
    String chatId = system.general(alice, workspaceId);
    List<Answer> answers = new CopyOnWriteArrayList<>();
    AtomicBoolean sending = new AtomicBoolean(true);
    Future<?> sends = sender.submit(() -> {
      while (sending.get()) {
        answers.add(send(alice, chatId));
        pause(SEND_INTERVAL_MS);
      }
      return null;
    });

    awaitCount(() -> answers.stream().filter(Answer::acked).count(), 5, "sends acknowledged before the restart");
    postgres.close();
    postgres = null;
    int before = answers.size();
    awaitCount(() -> answers.stream().skip(before).filter(answer -> !answer.acked()).count(), 5,
        "sends refused while PostgreSQL is down");
    postgres = EmbeddedPostgresServer.start(postgresDirectory, postgresPort);
    int restarted = answers.size();
    awaitCount(() -> answers.stream().skip(restarted).filter(Answer::acked).count(), 5,
        "sends acknowledged after the restart, with nothing restarted on the node");
    sending.set(false);
    sends.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(answers.stream().filter(answer -> !answer.acked()).map(answer -> answer.status() + " " + answer.code())
        .collect(Collectors.toSet())).as("how sends were refused").isEqualTo(Set.of("503 unavailable"));
    Set<String> acked = answers.stream().filter(Answer::acked).map(Answer::messageId).collect(Collectors.toSet());
    assertThat(system.messageIds(0, alice, chatId)).as("the chat's history").containsAll(acked);
  }

  private Answer send(Account sender, String chatId) {
    HttpResponse<Buffer> response = system.call(0, HttpMethod.POST, "/chats/" + chatId + "/messages", sender.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", "still sending"));
    JsonObject body = response.body() == null ? new JsonObject() : response.bodyAsJsonObject();
    return response.statusCode() == 201
        ? new Answer(201, null, body.getString("id"))
        : new Answer(response.statusCode(), body.getString("code"), null);
  }

  private static void awaitCount(Supplier<Long> count, long atLeast, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (count.get() < atLeast) {
      assertThat(System.nanoTime()).as("%s: %d of %d within 30 s", what, count.get(), atLeast).isLessThan(deadline);
      pause(50);
    }
  }
}
