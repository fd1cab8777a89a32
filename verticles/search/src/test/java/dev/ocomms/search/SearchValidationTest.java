package dev.ocomms.search;

import dev.ocomms.search.Answer.Via;
import dev.ocomms.testkit.Account;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static dev.ocomms.search.SearchRequest.channels;
import static dev.ocomms.search.SearchRequest.messages;
import static dev.ocomms.search.SearchRequest.people;
import static dev.ocomms.search.SearchSystem.ids;
import static dev.ocomms.search.SearchSystem.uniqueWord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Searches the server must refuse, and how: {@code 400 validation_failed} with {@code field} (and for a malformed
 * operator, {@code operator}: the term as typed), the same over REST and the bridge; and input that is merely odd,
 * which is never a 500.
 */
@DisplayName("Malformed searches")
@ExtendWith(SearchSystem.Resolver.class)
class SearchValidationTest {
  private static SearchSystem system;
  private static Account alice;
  /** Alice and three more members: many odd queries, spread over them, stay under 5 searches a second each. */
  private static List<Account> members;
  private static String workspaceId;

  @BeforeAll
  static void setUp(SearchSystem searchSystem) {
    system = searchSystem;
    members = system.users(4);
    alice = members.get(0);
    workspaceId = system.workspace(alice, members.subList(1, members.size()));
    String general = system.general(alice, workspaceId);
    String tag = uniqueWord();
    // Something to find, so that odd queries meet a non-empty index.
    system.awaitIndexed(alice, messages(workspaceId, tag), ids(
        system.send(alice, general, tag + " budget review with \"quotes\" & <tags> at 10:30"),
        system.send(alice, general, tag + " another budget line")));
  }

  private static Answer search(Via via, SearchRequest query) {
    return system.search(via, alice, query);
  }

  static Stream<Arguments> malformedOperators() {
    List<String> terms = List.of("before:yesterday", "after:2026-02-30", "on:12/25/2026", "on:2026-13-01",
        "has:pizza", "is:banana", "from:", "from:@", "in:", "in:#", "mentions:", "sort:oldest");
    return Arrays.stream(Via.values()).flatMap(via -> terms.stream().map(term -> Arguments.of(via, term)));
  }

  @ParameterizedTest(name = "{1} over {0}")
  @MethodSource("malformedOperators")
  @DisplayName("a malformed operator is 400 validation_failed with field q, operator (the term as typed) and a detail naming it")
  void malformedOperator(Via via, String term) {
    var error = search(via, messages(workspaceId, "budget " + term)).invalid("q");

    assertThat(error.getString("operator")).isEqualTo(term);
    assertThat(error.getString("detail")).contains(term);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("a query with nothing to match (empty, blank, only exclusions) is 400 validation_failed, field q")
  void nothingToMatch(Via via) {
    for (String q : List.of("", "   ", "-budget", "-\"budget review\"", "-budget -review")) {
      search(via, messages(workspaceId, q)).invalid("q");
    }
    search(via, new SearchRequest(workspaceId, null, null, null, null, null, null)).invalid("q");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("q is at most 500 characters: 500 are searched, 501 are 400 validation_failed, field q")
  void queryLength(Via via) {
    String q500 = "budget " + "x".repeat(493);

    assertThat(search(via, messages(workspaceId, q500)).status()).as("500 characters").isEqualTo(200);
    search(via, messages(workspaceId, q500 + "x")).invalid("q");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("q is at most 24 terms: 24 are searched, 25 are 400 validation_failed, field q")
  void termCount(Via via) {
    String terms24 = "budget " + "review ".repeat(23).trim();

    assertThat(search(via, messages(workspaceId, terms24)).status()).as("24 terms").isEqualTo(200);
    search(via, messages(workspaceId, terms24 + " line")).invalid("q");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("a q that reads as JSON or holds % (42, true, null, [1], {\"a\": 1}, 100%) is searched as text")
  void textThatLooksLikeJson(Via via) {
    List<String> refused = Stream.of("42", "true", "null", "[1]", "{\"a\": 1}", "100%", "budget 100%")
        .flatMap(q -> {
          Answer answer = search(via, messages(workspaceId, q));
          return answer.status() == 200 ? Stream.<String>empty() : Stream.of(q + " → " + answer);
        }).toList();

    assertThat(refused).isEmpty();
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("a NUL in q is 400 validation_failed, field q")
  void nulInQuery(Via via) {
    search(via, messages(workspaceId, "budget\u0000review")).invalid("q");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("an unknown scope, sort or tz, a cursor that is none, or a limit out of range is 400 naming that field")
  void badParameters(Via via) {
    search(via, messages(workspaceId, "budget").scope("everything")).invalid("scope");
    search(via, messages(workspaceId, "budget").sort("oldest")).invalid("sort");
    search(via, messages(workspaceId, "budget").tz("Mars/Olympus_Mons")).invalid("tz");
    search(via, messages(workspaceId, "budget").cursor("not-a-cursor")).invalid("cursor");
    search(via, messages(workspaceId, "budget").limit(0)).invalid("limit");
    search(via, messages(workspaceId, "budget").limit(51)).invalid("limit");
    search(via, messages(workspaceId, "budget").limit("ten")).invalid("limit");
    search(via, people(workspaceId, "a").limit(21)).invalid("limit");
    search(via, channels(workspaceId, "a").limit(21)).invalid("limit");
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("limits at their bounds are served: 1 and 50 messages, 20 people or channels")
  void limitsAtTheirBounds(Via via) {
    assertThat(search(via, messages(workspaceId, "budget").limit(1)).results()).hasSize(1);
    assertThat(search(via, messages(workspaceId, "budget").limit(50)).results()).hasSize(2);
    assertThat(search(via, people(workspaceId, "").limit(20)).results()).hasSize(members.size());
    assertThat(search(via, channels(workspaceId, "").limit(20)).results()).hasSize(1);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("without workspaceId it is 400 validation_failed, field workspaceId")
  void workspaceRequired(Via via) {
    search(via, new SearchRequest(null, "budget", null, null, null, null, null)).invalid("workspaceId");
  }

  @Test
  @DisplayName("without a token it is 401 unauthorized")
  void tokenRequired() {
    Answer answer = Answer.of(system.server.call(0, HttpMethod.GET, messages(workspaceId, "budget").path(), null,
        null));
    answer.error(401, "unauthorized");
  }

  static Stream<Arguments> oddQueries() {
    List<String> queries = List.of("\"", "\"budget", "budget\"", "\"\"", "*", "**", "budget**", "*budget",
        "budget*review", "-", "--budget", "- budget", ":", "::", "a:b:c", "budget:", ":budget", "(budget", "budget)",
        "!budget", "budget & review", "budget | review", "budget <-> review", "'", "''budget", "\\", "budget\\",
        "%", "_", "%_%", "budget;", "budget'); drop table messages; --", "${budget}", "<script>", "&amp;",
        "from:@nobody_at_all", "from:@@x", "in:#no-such-channel", "in:@nobody_at_all", "mentions:@nobody_at_all",
        "on:0001-01-01", "on:9999-12-31", "before:2026-1-1", "after:-2026-01-01", "has:", "is:", "sort:",
        "from:@" + "x".repeat(200), "日本語", "👍🏽", "e\u0301", "\u200b", "budget\u200bbudget", "\t", "budget\nreview",
        "x".repeat(500), "-x -y -z budget", "budget -budget", "budget sort:recent sort:relevance");
    return Arrays.stream(Via.values()).flatMap(via -> queries.stream().map(q -> Arguments.of(via, q)));
  }

  @ParameterizedTest(name = "{1} over {0}")
  @MethodSource("oddQueries")
  @DisplayName("odd input is searched or refused as 400 validation_failed naming a field, never an internal error")
  void neverInternal(Via via, String q) {
    Account searcher = members.get(Math.floorMod(q.hashCode(), members.size()));
    Answer answer = system.search(via, searcher, messages(workspaceId, q));

    assertThat(answer.status()).as("%s", answer).isIn(200, 400);
    if (answer.status() == 400) {
      assertThat(answer.body().getString("code")).as("%s", answer).isEqualTo("validation_failed");
      assertThat(answer.body().getString("field")).as("%s", answer).isNotBlank();
    } else {
      assertThat(answer.body().getJsonArray("results")).as("%s", answer).isNotNull();
    }
  }
}
