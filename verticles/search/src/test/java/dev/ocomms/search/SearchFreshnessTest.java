package dev.ocomms.search;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;

import static dev.ocomms.search.SearchRequest.messages;
import static dev.ocomms.search.SearchSystem.FRESHNESS;
import static dev.ocomms.search.SearchSystem.findsExactly;
import static dev.ocomms.search.SearchSystem.findsNoneOf;
import static dev.ocomms.search.SearchSystem.id;
import static dev.ocomms.search.SearchSystem.ids;
import static dev.ocomms.search.SearchSystem.uniqueWord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index follows the chat: a message is found within 1 s of its send's ack, an edit replaces what is found, a
 * delete removes it. Each test polls (every {@link SearchSystem#POLL}) and passes as soon as the index shows the change.
 */
@DisplayName("Search freshness")
@ExtendWith(SearchSystem.Resolver.class)
class SearchFreshnessTest {
  private static SearchSystem system;

  @BeforeAll
  static void setUp(SearchSystem searchSystem) {
    system = searchSystem;
  }

  /** A workspace of two fresh people (each polls at most 4 times a second, under the search limit): its #general. */
  private record Pair(Account alice, Account bob, String workspaceId, String general) {
  }

  private static Pair pair() {
    List<Account> users = system.users(2);
    String workspaceId = system.workspace(users.get(0), List.of(users.get(1)));
    return new Pair(users.get(0), users.get(1), workspaceId, system.general(users.get(0), workspaceId));
  }

  @Test
  @DisplayName("a message sent over REST is found within 1 s of its ack")
  void sentOverRest() {
    Pair pair = pair();
    String word = uniqueWord();

    JsonObject sent = system.send(pair.alice(), pair.general(), "fresh " + word);
    long acked = System.nanoTime();

    system.awaitAnswer(pair.bob(), messages(pair.workspaceId(), word), findsExactly(ids(sent)), acked, FRESHNESS,
        "the new message is found");
  }

  @Test
  @DisplayName("a message sent over the bridge is found within 1 s of its ack")
  void sentOverBridge() {
    Pair pair = pair();
    String word = uniqueWord();

    JsonObject sent = system.bridge(pair.alice()).call(Addresses.CHAT_MESSAGE_SEND, new JsonObject()
        .put("chatId", pair.general()).put("clientId", UUID.randomUUID().toString()).put("content", "fresh " + word));
    long acked = System.nanoTime();

    system.awaitAnswer(pair.bob(), messages(pair.workspaceId(), word), findsExactly(ids(sent)), acked, FRESHNESS,
        "the new message is found");
  }

  @Test
  @DisplayName("a thread reply is found within 1 s of its ack, naming its root")
  void threadReply() {
    Pair pair = pair();
    String word = uniqueWord();
    JsonObject root = system.send(pair.alice(), pair.general(), "a question");

    JsonObject reply = system.send(pair.bob(), pair.general(), new JsonObject().put("content", "answer " + word)
        .put("replyTo", id(root)));
    long acked = System.nanoTime();

    Answer answer = system.awaitAnswer(pair.alice(), messages(pair.workspaceId(), word), findsExactly(ids(reply)),
        acked, FRESHNESS, "the reply is found");
    assertThat(answer.results().get(0).getString("rootId")).isEqualTo(id(root));
  }

  @Test
  @DisplayName("an edit replaces the message within 1 s: its old word is gone, its new word finds it, editedAt set")
  void editReplaces() {
    Pair pair = pair();
    String oldWord = uniqueWord();
    String newWord = uniqueWord();
    JsonObject sent = system.send(pair.alice(), pair.general(), "draft " + oldWord);
    system.awaitAnswer(pair.bob(), messages(pair.workspaceId(), oldWord), findsExactly(ids(sent)),
        "the message is indexed");

    system.edit(pair.alice(), id(sent), "final " + newWord);
    long acked = System.nanoTime();

    // Two searchers, so that each polls within the search limit.
    Answer found = system.awaitAnswer(pair.alice(), messages(pair.workspaceId(), newWord), findsExactly(ids(sent)),
        acked, FRESHNESS, "the new word finds the edited message");
    system.awaitAnswer(pair.bob(), messages(pair.workspaceId(), oldWord), findsNoneOf(ids(sent)), acked, FRESHNESS,
        "the old word no longer finds it");
    JsonObject result = found.results().get(0);
    assertThat(result.getString("editedAt")).isNotNull();
    assertThat(result.getString("snippet")).contains("<mark>" + newWord + "</mark>").doesNotContain(oldWord);
  }

  @Test
  @DisplayName("a delete removes the message within 1 s")
  void deleteRemoves() {
    Pair pair = pair();
    String word = uniqueWord();
    JsonObject kept = system.send(pair.alice(), pair.general(), "keep " + word);
    JsonObject removed = system.send(pair.alice(), pair.general(), "remove " + word);
    system.awaitAnswer(pair.bob(), messages(pair.workspaceId(), word), findsExactly(ids(kept, removed)),
        "both are indexed");

    system.delete(pair.alice(), id(removed));
    long acked = System.nanoTime();

    system.awaitAnswer(pair.bob(), messages(pair.workspaceId(), word), findsExactly(ids(kept)), acked, FRESHNESS,
        "only the kept message is found");
  }
}
