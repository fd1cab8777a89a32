package dev.ocomms.search;

import dev.ocomms.search.Answer.Via;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.Blocking;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static dev.ocomms.search.SearchRequest.messages;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * 5 searches per second per user (5 at once, then 5 a second): the 6th of a burst is {@code 429 rate_limited}, limit
 * {@code search.query}, on REST and the bridge alike.
 */
@DisplayName("Search rate limit")
@ExtendWith(SearchSystem.Resolver.class)
class SearchRateLimitTest {
  private static final int ALLOWED = 5;
  private static SearchSystem system;

  /**
   * REST calls of this test's own: a pool with a connection for each search of a burst (the test system's client
   * keeps 5 per server, so a 6th request would wait for an answer, and the limit's bucket would refill meanwhile).
   */
  private static WebClient rest;

  @BeforeAll
  static void setUp(SearchSystem searchSystem) {
    system = searchSystem;
    rest = WebClient.create(Vertx.newInstance(system.server.clientVertx()), new WebClientOptions(),
        new PoolOptions().setHttp1MaxSize(16));
  }

  @AfterAll
  static void tearDown() {
    rest.close();
  }

  /** Members of a new workspace of their own, none of whom has searched yet. */
  private static List<Account> members(int count) {
    List<Account> users = system.users(count);
    system.workspace(users.get(0), users.subList(1, count));
    return users;
  }

  private static String workspaceOf(Account member) {
    return system.server.get("/workspaces", member.token()).bodyAsJsonObject().getJsonArray("workspaces")
        .getJsonObject(0).getString("id");
  }

  /**
   * One search per entry of {@code vias} by {@code searcher}, all sent at once: the bridge requests written first
   * without waiting, then the REST calls in parallel; every answer.
   */
  private static List<Answer> atOnce(Account searcher, String workspaceId, List<Via> vias) {
    SearchRequest query = messages(workspaceId, "anything");
    BridgeClient bridge = system.bridge(searcher);
    openConnections(searcher, vias.size());
    List<JsonObject> frames = vias.stream().filter(via -> via == Via.BRIDGE)
        .map(via -> Frames.request(Addresses.SEARCH_QUERY, query.body(), searcher.token())).toList();
    frames.forEach(bridge::send);
    List<Answer> answers = new ArrayList<>(Single.concatEager(vias.stream().filter(via -> via == Via.REST)
            .map(via -> rest.get(system.server.port(0), "127.0.0.1", TestSystem.API + query.path())
                .bearerTokenAuthentication(searcher.token()).rxSend().map(Answer::of)).toList())
        .toList().blockingGet());
    frames.forEach(frame -> answers.add(Answer.of(bridge.await(Frames.about(frame.getString("replyAddress")),
        SearchSystem.WAIT))));
    return answers;
  }

  /**
   * Opens {@code count} connections to the server (reads that no limit counts), so that a burst's requests need not
   * connect first: connecting takes long enough on a busy machine for the limit's bucket to refill.
   */
  private static void openConnections(Account caller, int count) {
    Single.concatEager(IntStream.range(0, count).mapToObj(i -> rest
            .get(system.server.port(0), "127.0.0.1", TestSystem.API + "/users/me")
            .bearerTokenAuthentication(caller.token()).rxSend()).toList())
        .toList().blockingGet();
  }

  private static void assertRefused(Answer answer) {
    JsonObject error = answer.error(429, "rate_limited");
    assertThat(error.getString("limit")).isEqualTo("search.query");
    assertThat(error.getLong("retryAfter")).isPositive();
    assertThat(error.getLong("retryAfterMs")).isPositive();
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("of 6 searches at once, 5 are answered and 1 is 429 rate_limited with limit search.query and retryAfter")
  void sixthIsRefused(Via via) {
    Account alice = members(1).get(0);

    List<Answer> answers = atOnce(alice, workspaceOf(alice), IntStream.range(0, ALLOWED + 1).mapToObj(i -> via)
        .toList());

    assertThat(answers.stream().filter(answer -> answer.status() == 200)).as("answered").hasSize(ALLOWED);
    assertThat(answers.stream().filter(answer -> answer.status() != 200)).as("refused").singleElement()
        .satisfies(SearchRateLimitTest::assertRefused);
  }

  @Test
  @DisplayName("REST and the bridge share one budget: 3 + 3 at once, one refused")
  void oneBudgetForBothVias() {
    Account alice = members(1).get(0);

    List<Answer> answers = atOnce(alice, workspaceOf(alice),
        List.of(Via.REST, Via.BRIDGE, Via.REST, Via.BRIDGE, Via.REST, Via.BRIDGE));

    assertThat(answers.stream().filter(answer -> answer.status() == 200)).as("answered").hasSize(ALLOWED);
    assertThat(answers.stream().filter(answer -> answer.status() != 200)).singleElement()
        .satisfies(SearchRateLimitTest::assertRefused);
  }

  @Test
  @DisplayName("the limit is per user: someone else searches while one is refused; after retryAfterMs, one may again")
  void perUserAndRecovers() {
    List<Account> users = members(2);
    Account alice = users.get(0);
    Account bob = users.get(1);
    String workspaceId = workspaceOf(alice);

    // More than the 6th, so that one is refused however slowly this machine serves the first ones.
    List<Answer> answers = atOnce(alice, workspaceId, IntStream.range(0, 2 * ALLOWED).mapToObj(i -> Via.REST)
        .toList());
    Answer refused = answers.stream().filter(answer -> answer.status() == 429).findFirst()
        .orElseThrow(() -> new AssertionError("none refused: " + answers));

    assertThat(system.searchOnce(Via.REST, bob, messages(workspaceId, "anything")).status()).as("bob")
        .isEqualTo(200);
    Blocking.pause(refused.body().getLong("retryAfterMs"));
    assertThat(system.searchOnce(Via.REST, alice, messages(workspaceId, "anything")).status())
        .as("alice after retryAfterMs").isEqualTo(200);
  }
}
