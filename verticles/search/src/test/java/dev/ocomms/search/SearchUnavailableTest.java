package dev.ocomms.search;

import dev.ocomms.search.Answer.Via;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.ocomms.search.SearchRequest.messages;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Search down, chat up: with no search verticle (or one that does not answer), a search is refused quickly as
 * {@code 503 unavailable}, reason {@code search_unavailable}, and messaging works as before. A system of its own,
 * without search.
 */
@DisplayName("Search unavailable")
class SearchUnavailableTest {
  /** The contract's 1 s, with room for a loaded test machine; far below the 10 s a request may otherwise wait. */
  private static final Duration QUICKLY = Duration.ofMillis(1500);
  private static SearchSystem system;
  private static Account alice;
  private static Account bob;
  private static String workspaceId;
  private static String general;

  @BeforeAll
  static void setUp() {
    system = SearchSystem.withoutSearch();
    List<Account> users = system.users(2);
    alice = users.get(0);
    bob = users.get(1);
    workspaceId = system.workspace(alice, List.of(bob));
    general = system.general(alice, workspaceId);
  }

  @AfterAll
  static void tearDown() {
    system.close();
  }

  /** A search, timed: it must be refused as search_unavailable within {@link #QUICKLY}. */
  private static void assertUnavailable(Via via) {
    long started = System.nanoTime();
    Answer answer = system.searchOnce(via, alice, messages(workspaceId, "anything"));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    JsonObject error = answer.error(503, "unavailable");
    assertThat(error.getString("reason")).isEqualTo("search_unavailable");
    assertThat(took).as("time to refuse").isLessThan(QUICKLY);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("with no search verticle deployed, a search is 503 unavailable, reason search_unavailable, within ~1 s")
  void notDeployed(Via via) {
    assertUnavailable(via);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("with a search service that does not answer, a search is 503 search_unavailable after ~1 s, not a timeout")
  void notAnswering(Via via) {
    // Something takes search.query requests and never answers them, as a search verticle stuck on its database.
    MessageConsumer<Object> silent = system.server.cluster().node(0).eventBus()
        .consumer(Addresses.SEARCH_QUERY, request -> { });
    silent.rxCompletion().blockingAwait();
    try {
      assertUnavailable(via);
    } finally {
      silent.rxUnregister().blockingAwait();
    }
  }

  @Test
  @DisplayName("while search is unavailable, messages are sent over REST and the bridge and read back as usual")
  void messagingUnaffected() {
    assertUnavailable(Via.REST);

    JsonObject overRest = system.send(alice, general, "search is down, chat is not");
    JsonObject overBridge = system.bridge(bob).call(Addresses.CHAT_MESSAGE_SEND, new JsonObject()
        .put("chatId", general).put("clientId", UUID.randomUUID().toString()).put("content", "still talking"));

    assertThat(system.server.messageIds(0, bob, general)).contains(overRest.getString("id"),
        overBridge.getString("id"));
    assertThat(system.server.call(0, HttpMethod.GET, "/chats", alice.token(), null).statusCode()).isEqualTo(200);
  }
}
