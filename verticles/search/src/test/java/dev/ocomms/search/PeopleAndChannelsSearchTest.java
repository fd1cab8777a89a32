package dev.ocomms.search;

import dev.ocomms.search.Answer.Via;
import dev.ocomms.testkit.Account;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.ocomms.search.SearchRequest.channels;
import static dev.ocomms.search.SearchRequest.people;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Autocomplete for @mentions and the quick switcher: {@code scope: people} (display name or username prefix, people
 * of the workspace) and {@code scope: channels} (name or topic prefix, channels the caller may see), top 5 unless
 * a limit says otherwise. Workspace W: alice (owner), seven "Quill n" people, Nadia (username "zorro…"); its channels
 * roadmap-1…7 (public), roadmap-secret (private, alice's) and misc (topic "Roadmap planning"). Workspace X, which
 * bob shares with an outsider "Quill Outsider", has a public channel roadmap-elsewhere.
 */
@DisplayName("People and channels search")
@ExtendWith(SearchSystem.Resolver.class)
class PeopleAndChannelsSearchTest {
  private static final int QUILLS = 7;
  private static SearchSystem system;
  private static Account alice;
  private static Account bob;
  private static Account nadia;
  private static List<Account> quills;
  private static String workspaceId;
  private static Set<String> publicRoadmaps;
  private static String secretRoadmap;
  private static String misc;

  @BeforeAll
  static void setUp(SearchSystem searchSystem) {
    system = searchSystem;
    alice = system.user("Alice Owner", "alice");
    quills = new ArrayList<>();
    for (int i = 1; i <= QUILLS; i++) {
      quills.add(system.user("Quill " + i, "ql" + i + "_"));
    }
    bob = quills.get(0);
    nadia = system.user("Nadia Other", "zorro_");
    List<Account> members = new ArrayList<>(quills);
    members.add(nadia);
    workspaceId = system.workspace(alice, members);
    publicRoadmaps = IntStream.rangeClosed(1, 7)
        .mapToObj(i -> system.publicChannel(alice, workspaceId, "roadmap-" + i, List.of()))
        .collect(Collectors.toSet());
    secretRoadmap = system.privateChannel(alice, workspaceId, "roadmap-secret", List.of());
    misc = system.channel(alice, workspaceId, new JsonObject().put("name", "misc").put("private", false)
        .put("topic", "Roadmap planning"), List.of());
    Account outsider = system.user("Quill Outsider", "qlx_");
    String otherWorkspace = system.workspace(outsider, List.of(bob));
    system.publicChannel(outsider, otherWorkspace, "roadmap-elsewhere", List.of());
    // People and channels may reach the index through the event stream: wait until all are there.
    system.awaitAnswer(alice, people(workspaceId, "").limit(20),
        answer -> answer.status() == 200 && answer.results().size() == QUILLS + 2, "the workspace's people");
    // #general, roadmap-1…7, roadmap-secret (alice's) and misc.
    system.awaitAnswer(alice, channels(workspaceId, "").limit(20),
        answer -> answer.status() == 200 && answer.results().size() == publicRoadmaps.size() + 3, "the workspace's channels");
  }

  private static Set<String> userIds(Answer answer) {
    return answer.results().stream().map(result -> {
      assertThat(result.getString("type")).isEqualTo("person");
      return result.getJsonObject("user").getString("id");
    }).collect(Collectors.toSet());
  }

  private static Map<String, JsonObject> chatsById(Answer answer) {
    return answer.results().stream().map(result -> {
      assertThat(result.getString("type")).isEqualTo("channel");
      return result.getJsonObject("chat");
    }).collect(Collectors.toMap(chat -> chat.getString("id"), Function.identity()));
  }

  private static Set<String> ids(List<Account> accounts) {
    return accounts.stream().map(Account::id).collect(Collectors.toSet());
  }

  // People

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("people by display-name prefix, any case: the top 5 by default, all 7 with limit 20, none from elsewhere")
  void peopleByDisplayName(Via via) {
    Answer top = system.search(via, bob, people(workspaceId, "quill"));
    Answer all = system.search(via, bob, people(workspaceId, "QUI").limit(20));

    assertThat(top.results()).hasSize(5);
    assertThat(ids(quills)).containsAll(userIds(top));
    assertThat(userIds(all)).isEqualTo(ids(quills));
  }

  @Test
  @DisplayName("people by username prefix, even when the display name does not start with it")
  void peopleByUsername() {
    Answer answer = system.search(bob, people(workspaceId, "zorro"));

    assertThat(answer.results()).singleElement().satisfies(result -> assertThat(result).isEqualTo(new JsonObject()
        .put("type", "person").put("user", new JsonObject().put("id", nadia.id()).put("username", nadia.username())
            .put("displayName", nadia.displayName()))));
  }

  @Test
  @DisplayName("an empty prefix lists the workspace's people, up to the limit")
  void peopleEmptyPrefix() {
    assertThat(system.search(bob, people(workspaceId, "")).results()).hasSize(5);
    Set<String> everyone = new HashSet<>(ids(quills));
    everyone.add(alice.id());
    everyone.add(nadia.id());
    assertThat(userIds(system.search(bob, people(workspaceId, "").limit(20)))).isEqualTo(everyone);
  }

  @Test
  @DisplayName("a prefix nobody has finds nobody")
  void peopleNoMatch() {
    assertThat(system.search(bob, people(workspaceId, "xylophone")).results()).isEmpty();
  }

  // Channels

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("channels by name or topic prefix: the public ones (joined: false), not a private one bob is not in")
  void channelsForNonMember(Via via) {
    Map<String, JsonObject> found = chatsById(system.search(via, bob, channels(workspaceId, "roadmap").limit(20)));

    Set<String> expected = new HashSet<>(publicRoadmaps);
    expected.add(misc);
    assertThat(found.keySet()).isEqualTo(expected);
    assertThat(found.values()).allSatisfy(chat -> {
      assertThat(chat.getBoolean("private")).isFalse();
      assertThat(chat.getBoolean("joined")).isFalse();
    });
    assertThat(found.get(misc)).isEqualTo(new JsonObject().put("id", misc).put("name", "misc")
        .put("topic", "Roadmap planning").put("private", false).put("joined", false).put("memberCount", 1));
  }

  @Test
  @DisplayName("the top 5 by default")
  void channelsTopFive() {
    assertThat(system.search(bob, channels(workspaceId, "road")).results()).hasSize(5);
  }

  @Test
  @DisplayName("a member finds her private channel, marked private and joined")
  void channelsForMember() {
    Map<String, JsonObject> found = chatsById(system.search(alice, channels(workspaceId, "roadmap-s")));

    assertThat(found.keySet()).containsExactly(secretRoadmap);
    assertThat(found.get(secretRoadmap).getBoolean("private")).isTrue();
    assertThat(found.get(secretRoadmap).getBoolean("joined")).isTrue();
    assertThat(found.get(secretRoadmap).getString("name")).isEqualTo("roadmap-secret");
  }

  @Test
  @DisplayName("a private channel's name prefix finds nothing for a non-member")
  void privateChannelHidden() {
    assertThat(system.search(bob, channels(workspaceId, "roadmap-s")).results()).isEmpty();
  }

  @Test
  @DisplayName("another workspace's channels and people are not found, even for someone in both")
  void otherWorkspace() {
    assertThat(chatsById(system.search(bob, channels(workspaceId, "roadmap-e")))).isEmpty();
    assertThat(system.search(bob, people(workspaceId, "quill out")).results()).isEmpty();
  }
}
