package dev.ocomms.system.replica;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.search.SearchVerticle;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestPostgresReplica;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.ocomms.testkit.Blocking.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node with a streaming read replica ({@code OCOMMS_PG_REPLICA_URL}): which reads it serves is seen by pausing its
 * replay, so that it holds back what the primary already has. Older history pages and searches read it; the newest
 * page, which a client relies on to show what it just sent, reads the primary.
 */
@DisplayName("Reads from a PostgreSQL read replica")
class ReadReplicaTest {
  private static TestPostgresReplica postgres;
  private static TestSystem system;

  @BeforeAll
  static void start() {
    postgres = TestPostgresReplica.start();
    try {
      system = TestSystem.builder()
          .configure(config -> config.with(Setting.PG_URL, postgres.primaryUrl())
              .with(Setting.PG_REPLICA_URL, postgres.replicaUrl()))
          .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(SearchVerticle::new)
          .deploy(GatewayVerticle::new)
          .start();
    } catch (RuntimeException e) {
      postgres.close();
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
      postgres.close();
    }
  }

  @AfterEach
  void replayAgain() {
    postgres.resumeReplay();
  }

  private static JsonObject send(Account sender, String chatId, String content) {
    return system.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", sender.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", content));
  }

  private static List<String> contents(JsonObject page) {
    return page.getJsonArray("messages").stream().map(JsonObject.class::cast)
        .map(message -> message.getString("content")).toList();
  }

  @Test
  @DisplayName("the newest page shows a message the replica does not have yet; an older page comes from the replica")
  void newestFromThePrimaryOlderFromTheReplica() {
    Account alice = system.register();
    String chatId = system.general(alice, system.workspace(alice, List.of()));
    send(alice, chatId, "first");
    postgres.awaitCaughtUp();
    postgres.pauseReplay();

    long seq = send(alice, chatId, "second").getLong("seq");

    JsonObject newest = system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/messages", alice.token(), null);
    JsonObject older = system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/messages?before=" + (seq + 1),
        alice.token(), null);
    assertThat(contents(newest)).containsExactly("second", "first");
    assertThat(contents(older)).containsExactly("first");
  }

  @Test
  @DisplayName("once the replica replays again, an older page has everything")
  void olderPagesCatchUp() {
    Account alice = system.register();
    String chatId = system.general(alice, system.workspace(alice, List.of()));
    postgres.awaitCaughtUp();
    postgres.pauseReplay();
    long seq = send(alice, chatId, "while paused").getLong("seq");

    postgres.resumeReplay();
    postgres.awaitCaughtUp();

    JsonObject older = system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/messages?before=" + (seq + 1),
        alice.token(), null);
    assertThat(contents(older)).containsExactly("while paused");
  }

  @Test
  @DisplayName("a search reads the replica: a message indexed on the primary is found once the replica has it")
  void searchesReadTheReplica() {
    Account alice = system.register();
    String workspaceId = system.workspace(alice, List.of());
    String chatId = system.general(alice, workspaceId);
    postgres.awaitCaughtUp();
    postgres.pauseReplay();
    String word = "zq" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String messageId = send(alice, chatId, "the " + word + " report").getString("id");
    awaitIndexedOnPrimary(messageId);

    int whilePaused = search(alice, workspaceId, word).getJsonArray("results").size();
    postgres.resumeReplay();
    postgres.awaitCaughtUp();
    int afterReplay = search(alice, workspaceId, word).getJsonArray("results").size();

    assertThat(whilePaused).as("found while the replica lags").isZero();
    assertThat(afterReplay).as("found once it has replayed").isEqualTo(1);
  }

  private static JsonObject search(Account account, String workspaceId, String query) {
    return system.expect(200, HttpMethod.GET, "/search?workspaceId=" + workspaceId + "&q=" + query, account.token(),
        null);
  }

  private static void awaitIndexedOnPrimary(String messageId) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (postgres.onPrimary("SELECT count(*) FROM search.documents WHERE message_id = '" + messageId + "'")
        .equals("0")) {
      assertThat(System.nanoTime()).as("indexed on the primary within 20 s").isLessThan(deadline);
      pause(100);
    }
  }
}
