package dev.ocomms.search;

import dev.ocomms.search.Answer.Via;
import dev.ocomms.testkit.Account;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.ocomms.search.SearchRequest.messages;
import static dev.ocomms.search.SearchSystem.id;
import static dev.ocomms.search.SearchSystem.ids;
import static dev.ocomms.search.SearchSystem.uniqueWord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a message result holds and how results come: its fields (enough to open the message in its chat), its HTML
 * snippet, pages by cursor, and the same answer over REST and the bridge.
 */
@DisplayName("Search results")
@ExtendWith(SearchSystem.Resolver.class)
class SearchResultsTest {
  private static final int PAGED = 12;
  private static SearchSystem system;
  private static Account alice;
  private static Account bob;
  private static String workspaceId;
  private static String general;
  private static JsonObject dmChat;
  private static String pageWord;
  private static JsonObject plain;
  private static JsonObject inDm;
  private static JsonObject script;
  private static JsonObject longOne;
  private static List<JsonObject> paged;

  @BeforeAll
  static void setUp(SearchSystem searchSystem) {
    system = searchSystem;
    List<Account> users = system.users(2);
    alice = users.get(0);
    bob = users.get(1);
    workspaceId = system.workspace(alice, List.of(bob));
    general = system.general(alice, workspaceId);
    dmChat = system.dm(alice, workspaceId, bob);
    String tag = uniqueWord();
    plain = system.send(bob, general, tag + " the shipping checklist is ready");
    inDm = system.send(bob, dmChat.getString("id"), tag + " checklist for you alone");
    script = system.send(bob, general, tag + " <script>alert('x')</script> & <b>bold</b> payload");
    String filler = "lorem ipsum dolor sit amet ".repeat(20);
    longOne = system.send(alice, general, tag + " " + filler + "needle " + filler);
    pageWord = uniqueWord();
    paged = system.sendAll(List.of(alice, bob), general,
        IntStream.range(0, PAGED).mapToObj(i -> tag + " " + pageWord + " number " + i).toList());
    List<JsonObject> all = new ArrayList<>(List.of(plain, inDm, script, longOne));
    all.addAll(paged);
    system.awaitIndexed(alice, messages(workspaceId, tag), ids(all.toArray(JsonObject[]::new)));
  }

  private static JsonObject only(Answer answer) {
    assertThat(answer.results()).as("%s", answer).hasSize(1);
    return answer.results().get(0);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("a channel message's result names the message, its chat, seq, sender and times, with a snippet")
  void channelMessageResult(Via via) {
    JsonObject result = only(system.search(via, alice, messages(workspaceId, "shipping")));

    assertThat(result.getString("type")).isEqualTo("message");
    assertThat(result.getString("messageId")).isEqualTo(id(plain));
    assertThat(result.getString("chatId")).isEqualTo(general);
    JsonObject chat = result.getJsonObject("chat");
    assertThat(chat.getString("id")).isEqualTo(general);
    assertThat(chat.getString("kind")).isEqualTo("channel");
    assertThat(chat.getString("name")).isEqualTo("general");
    assertThat(chat.getBoolean("private")).isFalse();
    assertThat(chat.getBoolean("joined")).isTrue();
    assertThat(chat.getValue("memberIds")).as("memberIds are for DMs only").isNull();
    assertThat(result.getLong("seq")).isEqualTo(plain.getLong("seq"));
    assertThat(result.getValue("rootId")).isNull();
    assertThat(result.getString("senderId")).isEqualTo(bob.id());
    assertThat(result.getJsonObject("sender")).isEqualTo(new JsonObject().put("id", bob.id())
        .put("username", bob.username()).put("displayName", bob.displayName()));
    assertThat(OffsetDateTime.parse(result.getString("createdAt")).toInstant())
        .isEqualTo(OffsetDateTime.parse(plain.getString("createdAt")).toInstant());
    assertThat(result.getValue("editedAt")).isNull();
    assertThat(result.getString("snippet")).contains("<mark>shipping</mark>").contains("checklist");
  }

  @Test
  @DisplayName("a DM's result has kind dm, no name, and its members")
  void dmResult() {
    JsonObject result = only(system.search(alice, messages(workspaceId, "checklist alone")));

    assertThat(result.getString("messageId")).isEqualTo(id(inDm));
    JsonObject chat = result.getJsonObject("chat");
    assertThat(chat.getString("id")).isEqualTo(dmChat.getString("id"));
    assertThat(chat.getString("kind")).isEqualTo("dm");
    assertThat(chat.getValue("name")).isNull();
    assertThat(chat.getJsonArray("memberIds").getList()).containsExactlyInAnyOrder(alice.id(), bob.id());
  }

  @Test
  @DisplayName("a result opens its message in context: history around its seq holds it")
  void jumpToResult() {
    JsonObject result = only(system.search(alice, messages(workspaceId, "shipping")));

    JsonObject page = system.around(alice, result.getString("chatId"), result.getLong("seq"));

    assertThat(page.getJsonArray("messages").stream().map(JsonObject.class::cast).map(SearchSystem::id))
        .contains(result.getString("messageId"));
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("the snippet is HTML: <script> and & come back escaped, only the matches in <mark>")
  void snippetIsEscaped(Via via) {
    String snippet = only(system.search(via, alice, messages(workspaceId, "payload"))).getString("snippet");

    assertThat(snippet).contains("<mark>payload</mark>")
        .contains("&lt;script&gt;alert(").contains("&lt;/script&gt;").contains("&amp;").contains("&lt;b&gt;")
        .doesNotContain("<script").doesNotContain("<b>");
    assertThat(snippet.replace("<mark>", "").replace("</mark>", ""))
        .as("nothing but <mark> is markup").doesNotContain("<").doesNotContain(">");
  }

  @Test
  @DisplayName("words between tags are words: alert in <script>alert('x')</script> finds the message, marked")
  void wordsBetweenTags() {
    String snippet = only(system.search(alice, messages(workspaceId, "alert"))).getString("snippet");

    assertThat(snippet).contains("&lt;script&gt;<mark>alert</mark>(");
  }

  @Test
  @DisplayName("a long message's snippet is the text around the match, cut with …")
  void snippetIsCut() {
    String snippet = only(system.search(alice, messages(workspaceId, "needle"))).getString("snippet");

    assertThat(snippet).contains("<mark>needle</mark>").contains("…");
    assertThat(snippet.length()).isLessThan(longOne.getString("content").length() / 2);
  }

  static Stream<Arguments> pagings() {
    return Arrays.stream(Via.values())
        .flatMap(via -> Stream.of("relevance", "recent").map(sort -> Arguments.of(via, sort)));
  }

  @ParameterizedTest(name = "sort {1} over {0}")
  @MethodSource("pagings")
  @DisplayName("following nextCursor gives every match exactly once, then null")
  void cursorPagination(Via via, String sort) {
    List<JsonObject> pages = new ArrayList<>();
    SearchRequest first = messages(workspaceId, pageWord).sort(sort).limit(5);
    SearchRequest query = first;
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Answer answer = system.search(via, alice, query);
      sizes.add(answer.results().size());
      pages.addAll(answer.results());
      if (answer.nextCursor() == null) {
        break;
      }
      query = first.cursor(answer.nextCursor());
    }

    assertThat(pages).extracting(result -> result.getString("messageId"))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(ids(paged.toArray(JsonObject[]::new)));
    assertThat(sizes).as("page sizes").containsExactly(5, 5, 2);
    if ("recent".equals(sort)) {
      assertThat(pages).extracting(result -> OffsetDateTime.parse(result.getString("createdAt")).toInstant())
          .as("newest first across pages").isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }
  }

  @Test
  @DisplayName("total, when given, is the exact number of matches")
  void total() {
    Answer answer = system.search(alice, messages(workspaceId, pageWord).limit(5));

    if (answer.body().containsKey("total")) {
      assertThat(answer.body().getInteger("total")).isEqualTo(PAGED);
    }
    assertThat(answer.nextCursor()).isNotNull();
  }

  @Test
  @DisplayName("REST and the bridge answer the same search alike")
  void restAndBridgeAgree() {
    SearchRequest query = messages(workspaceId, pageWord + " sort:recent").limit(20);

    Answer rest = system.search(Via.REST, alice, query);
    Answer bridge = system.search(Via.BRIDGE, alice, query);

    assertThat(bridge.body().getJsonArray("results")).isEqualTo(rest.body().getJsonArray("results"));
    assertThat(bridge.nextCursor()).isEqualTo(rest.nextCursor());
    assertThat(Set.copyOf(rest.messageIds())).hasSize(PAGED);
  }
}
