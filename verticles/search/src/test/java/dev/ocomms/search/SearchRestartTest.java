package dev.ocomms.search;

import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.Blocking;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static dev.ocomms.search.SearchRequest.messages;
import static dev.ocomms.search.SearchSystem.findsExactly;
import static dev.ocomms.search.SearchSystem.id;
import static dev.ocomms.search.SearchSystem.ids;
import static dev.ocomms.search.SearchSystem.uniqueWord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The index keeps its place in messaging's event stream: what was sent while the search verticle was stopped is
 * indexed once it runs again. A system of its own, since the test stops search.
 */
@DisplayName("Search after a restart")
class SearchRestartTest {
  private static final int WHILE_STOPPED = 100;
  @AutoClose
  private final SearchSystem system = SearchSystem.withoutSearch();

  @Test
  @DisplayName("100 messages sent while search is stopped are all found once it is deployed again")
  void catchesUpAfterRestart() {
    List<Account> users = system.users(5);
    Account alice = users.get(0);
    String workspaceId = system.workspace(alice, users.subList(1, users.size()));
    String general = system.general(alice, workspaceId);
    String tag = uniqueWord();
    String running = system.deploySearch();
    JsonObject before = system.send(alice, general, tag + " before the stop");
    system.awaitAnswer(alice, messages(workspaceId, tag), findsExactly(ids(before)), "indexed before the stop");

    system.undeploySearch(running);
    List<JsonObject> sent = system.sendAll(users, general,
        IntStream.range(0, WHILE_STOPPED).mapToObj(i -> tag + " while stopped " + i).toList());
    assertThat(system.search(alice, messages(workspaceId, tag)).status()).as("search is stopped").isEqualTo(503);
    system.deploySearch();

    Set<String> expected = new HashSet<>(ids(sent.toArray(JsonObject[]::new)));
    expected.add(id(before));
    long deadline = System.nanoTime() + SearchSystem.WAIT.toNanos();
    Set<String> found = everyPage(alice, messages(workspaceId, tag).limit(50));
    while (!found.equals(expected) && System.nanoTime() < deadline) {
      Blocking.pause(SearchSystem.POLL.toMillis());
      found = everyPage(alice, messages(workspaceId, tag).limit(50));
    }
    assertThat(found).as("found after the restart").containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  @DisplayName("after an operator's reindex, every message is found again, and only once")
  void reindexRebuildsTheIndex() {
    List<Account> users = system.users(3);
    Account alice = users.get(0);
    String workspaceId = system.workspace(alice, users.subList(1, users.size()));
    String general = system.general(alice, workspaceId);
    String tag = uniqueWord();
    system.deploySearch();
    List<JsonObject> sent = system.sendAll(users, general,
        IntStream.range(0, 30).mapToObj(i -> tag + " before the reindex " + i).toList());
    Set<String> expected = new HashSet<>(ids(sent.toArray(JsonObject[]::new)));
    system.awaitAnswer(alice, messages(workspaceId, tag).limit(50), findsExactly(expected), "indexed");

    assertThat(system.reindex()).as("reindex answered").isEqualTo(202);

    long deadline = System.nanoTime() + SearchSystem.WAIT.toNanos();
    Set<String> found = everyPage(alice, messages(workspaceId, tag).limit(50));
    while (!found.equals(expected) && System.nanoTime() < deadline) {
      Blocking.pause(SearchSystem.POLL.toMillis());
      found = everyPage(alice, messages(workspaceId, tag).limit(50));
    }
    assertThat(found).as("found after the reindex").containsExactlyInAnyOrderElementsOf(expected);
    assertThat(system.search(alice, messages(workspaceId, tag).limit(50)).body().getInteger("total"))
        .as("each message indexed once").isEqualTo(expected.size());
  }

  /** The ids of every page's results. */
  private Set<String> everyPage(Account searcher, SearchRequest query) {
    Set<String> found = new HashSet<>();
    system.allPages(Answer.Via.REST, searcher, query).forEach(result -> found.add(result.getString("messageId")));
    return found;
  }
}
