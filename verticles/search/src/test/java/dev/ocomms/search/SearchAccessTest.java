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

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.ocomms.search.SearchRequest.messages;
import static dev.ocomms.search.SearchSystem.FRESHNESS;
import static dev.ocomms.search.SearchSystem.findsExactly;
import static dev.ocomms.search.SearchSystem.findsNoneOf;
import static dev.ocomms.search.SearchSystem.id;
import static dev.ocomms.search.SearchSystem.ids;
import static dev.ocomms.search.SearchSystem.uniqueWord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who finds what: members find their chats' messages and everyone of a workspace its public channels' messages; a
 * private channel or DM reveals nothing to anyone else, not even a count, and stops showing once its member leaves.
 * Workspace W: alice (owner), bob, eve; #secret (private: alice, bob), #open (public: alice), the DM of alice and bob.
 * Workspace X: mallory's, which alice joined.
 */
@DisplayName("Who may find what")
@ExtendWith(SearchSystem.Resolver.class)
class SearchAccessTest {
  private static SearchSystem system;
  private static Account alice;
  private static Account bob;
  private static Account eve;
  private static Account mallory;
  private static String workspaceId;
  private static String otherWorkspaceId;
  private static String secretChannel;
  private static String openChannel;
  private static JsonObject secret;
  private static JsonObject open;
  private static JsonObject direct;
  private static JsonObject general;
  private static JsonObject elsewhere;

  @BeforeAll
  static void setUp(SearchSystem searchSystem) {
    system = searchSystem;
    List<Account> users = system.users(4);
    alice = users.get(0);
    bob = users.get(1);
    eve = users.get(2);
    mallory = users.get(3);
    workspaceId = system.workspace(alice, List.of(bob, eve));
    otherWorkspaceId = system.workspace(mallory, List.of(alice));
    secretChannel = system.privateChannel(alice, workspaceId, "secret", List.of(bob));
    openChannel = system.publicChannel(alice, workspaceId, "open", List.of());
    String dm = system.dm(alice, workspaceId, bob).getString("id");
    String tag = uniqueWord();
    secret = system.send(bob, secretChannel, tag + " hush plans");
    open = system.send(alice, openChannel, tag + " open plans");
    direct = system.send(alice, dm, tag + " direct plans");
    general = system.send(alice, system.general(alice, workspaceId), tag + " general plans");
    elsewhere = system.send(mallory, system.general(mallory, otherWorkspaceId), tag + " elsewhere plans");
    system.awaitIndexed(alice, messages(workspaceId, tag), ids(secret, open, direct, general));
    system.awaitIndexed(alice, messages(otherWorkspaceId, tag), ids(elsewhere));
  }

  private static Map<String, JsonObject> byMessage(Answer answer) {
    return answer.results().stream().collect(Collectors.toMap(result -> result.getString("messageId"),
        Function.identity()));
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("a private channel's message never appears for a non-member: no result, no cursor, no count")
  void privateChannelHiddenFromNonMembers(Via via) {
    Answer answer = system.search(via, eve, messages(workspaceId, "hush"));

    assertThat(answer.results()).isEmpty();
    assertThat(answer.nextCursor()).isNull();
    assertThat(answer.body().getValue("total")).as("total, if any").isIn(null, 0);
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("a non-member finds the workspace's public channels, marked joined: false, and no private chat")
  void publicChannelsForEveryMember(Via via) {
    Answer answer = system.search(via, eve, messages(workspaceId, "plans"));

    assertThat(Set.copyOf(answer.messageIds())).isEqualTo(ids(open, general));
    assertThat(answer.body().getValue("total")).as("total, if any").isIn(null, 2);
    JsonObject openChat = byMessage(answer).get(id(open)).getJsonObject("chat");
    assertThat(openChat.getString("id")).isEqualTo(openChannel);
    assertThat(openChat.getBoolean("private")).isFalse();
    assertThat(openChat.getBoolean("joined")).isFalse();
    assertThat(byMessage(answer).get(id(general)).getJsonObject("chat").getBoolean("joined")).isTrue();
  }

  @Test
  @DisplayName("members find their private channel's and DM's messages, marked private and joined")
  void membersFindTheirPrivateChats() {
    Answer answer = system.search(bob, messages(workspaceId, "plans"));

    assertThat(Set.copyOf(answer.messageIds())).isEqualTo(ids(secret, open, direct, general));
    JsonObject secretChat = byMessage(answer).get(id(secret)).getJsonObject("chat");
    assertThat(secretChat.getBoolean("private")).isTrue();
    assertThat(secretChat.getBoolean("joined")).isTrue();
    assertThat(byMessage(answer).get(id(direct)).getJsonObject("chat").getString("kind")).isEqualTo("dm");
  }

  @Test
  @DisplayName("in:#private-channel by a non-member answers exactly as in:# a channel that does not exist")
  void privateChannelNameRevealsNothing() {
    Answer secretOne = system.search(eve, messages(workspaceId, "plans in:#secret"));
    Answer missing = system.search(eve, messages(workspaceId, "plans in:#no-such-channel"));

    assertThat(secretOne.status()).isEqualTo(missing.status());
    if (secretOne.status() == 200) {
      assertThat(secretOne.results()).isEmpty();
      assertThat(secretOne.body().getValue("total")).isEqualTo(missing.body().getValue("total"));
    } else {
      assertThat(secretOne.body().getString("code")).isEqualTo(missing.body().getString("code"));
    }
  }

  @Test
  @DisplayName("someone else's DM is never found, not even with in:@ or from:@ its members")
  void othersDmHidden() {
    assertThat(system.find(eve, messages(workspaceId, "direct"))).isEmpty();
    assertThat(system.find(eve, messages(workspaceId, "plans from:@" + alice.username())))
        .doesNotContain(id(direct)).doesNotContain(id(secret));
    Answer inDm = system.search(eve, messages(workspaceId, "plans in:@" + alice.username()));
    if (inDm.status() == 200) {
      assertThat(inDm.results()).isEmpty();
    }
  }

  @Test
  @DisplayName("another workspace's messages never appear, even for someone in both")
  void otherWorkspaceNever() {
    assertThat(system.find(alice, messages(workspaceId, "elsewhere"))).isEmpty();
    assertThat(system.find(alice, messages(otherWorkspaceId, "plans"))).containsExactly(id(elsewhere));
  }

  @ParameterizedTest(name = "over {0}")
  @EnumSource(Via.class)
  @DisplayName("a workspace the caller is not in, an unknown one or a malformed id is 404 not_found")
  void foreignWorkspaceNotFound(Via via) {
    system.search(via, mallory, messages(workspaceId, "plans")).error(404, "not_found");
    system.search(via, mallory, messages(UUID.randomUUID().toString(), "plans")).error(404, "not_found");
    system.search(via, mallory, messages("not-a-uuid", "plans")).error(404, "not_found");
  }

  @Test
  @DisplayName("system messages (a join, a leave) are not found, not even by a query of operators alone")
  void systemMessagesAreNotFound() {
    String word = uniqueWord();
    String channel = system.publicChannel(alice, workspaceId, "joins-" + word, List.of(eve));
    system.leave(eve, channel);
    JsonObject note = system.send(alice, channel, word + " after the joins");
    system.awaitIndexed(alice, messages(workspaceId, word), ids(note));

    assertThat(system.find(alice, messages(workspaceId, "in:#joins-" + word))).containsExactly(id(note));
  }

  @Test
  @DisplayName("after leaving a private channel, its messages are gone from that person's results (within 1 s)")
  void leavingPrivateChannelHidesIt() {
    String word = uniqueWord();
    String channel = system.privateChannel(alice, workspaceId, "leaving-" + word, List.of(bob));
    JsonObject farewell = system.send(alice, channel, word + " farewell notes");
    system.awaitAnswer(bob, messages(workspaceId, word), findsExactly(ids(farewell)), "bob finds it");

    system.leave(bob, channel);
    long left = System.nanoTime();

    system.awaitAnswer(bob, messages(workspaceId, word), findsNoneOf(ids(farewell)), left, FRESHNESS,
        "bob no longer finds the private channel's message");
    assertThat(system.find(alice, messages(workspaceId, word))).containsExactly(id(farewell));
  }

  @Test
  @DisplayName("someone removed from a private channel no longer finds its messages (within 1 s)")
  void removedFromPrivateChannel() {
    String word = uniqueWord();
    String channel = system.privateChannel(alice, workspaceId, "removing-" + word, List.of(eve));
    JsonObject note = system.send(alice, channel, word + " staff notes");
    system.awaitAnswer(eve, messages(workspaceId, word), findsExactly(ids(note)), "eve finds it");

    system.removeMember(alice, channel, eve);
    long removed = System.nanoTime();

    system.awaitAnswer(eve, messages(workspaceId, word), findsNoneOf(ids(note)), removed, FRESHNESS,
        "eve no longer finds the private channel's message");
  }

  @Test
  @DisplayName("after leaving a public channel, its messages are still found, now with joined: false")
  void leavingPublicChannelKeepsIt() {
    String word = uniqueWord();
    String channel = system.publicChannel(alice, workspaceId, "public-" + word, List.of(bob));
    JsonObject note = system.send(alice, channel, word + " public notes");
    system.awaitAnswer(bob, messages(workspaceId, word), findsExactly(ids(note)), "bob finds it");

    system.leave(bob, channel);
    long left = System.nanoTime();

    Answer answer = system.awaitAnswer(bob, messages(workspaceId, word), found -> found.status() == 200
            && found.results().size() == 1 && !found.results().get(0).getJsonObject("chat").getBoolean("joined"),
        left, FRESHNESS, "bob finds it as a channel he has not joined");
    assertThat(answer.messageIds()).containsExactly(id(note));
  }
}
