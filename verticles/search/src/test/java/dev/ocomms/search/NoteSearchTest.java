package dev.ocomms.search;

import dev.ocomms.testkit.Account;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static dev.ocomms.search.SearchSystem.uniqueWord;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Channel notes are searched by the members of their chat ({@code scope: notes}). Workspace: alice (owner), bob,
 * eve; #plans (private: alice, bob) and #lobby (public: alice only) each with a note.
 */
@DisplayName("Searching channel notes")
@ExtendWith(SearchSystem.Resolver.class)
class NoteSearchTest {
  private static SearchSystem system;
  private static Account alice;
  private static Account bob;
  private static Account eve;
  private static String workspaceId;
  private static String plans;
  private static String lobby;
  private static String word;

  @BeforeAll
  static void setUp(SearchSystem searchSystem) {
    system = searchSystem;
    List<Account> users = system.users(3);
    alice = users.get(0);
    bob = users.get(1);
    eve = users.get(2);
    workspaceId = system.workspace(alice, List.of(bob, eve));
    plans = system.privateChannel(alice, workspaceId, "plans", List.of(bob));
    lobby = system.publicChannel(alice, workspaceId, "lobby", List.of());
    word = uniqueWord();
    saveNote(alice, plans, "# Roadmap\n\nThe " + word + " migration ships in March.\n", 0);
    saveNote(alice, lobby, "Welcome! Ask about " + word + " here.\n", 0);
  }

  @Test
  @DisplayName("a member finds the note of their chat by a word in it, with the word marked in the snippet")
  void memberFindsNote() {
    Answer answer = system.awaitAnswer(bob, notes(word), found -> found.status() == 200
        && found.results().size() == 1, "bob finds the #plans note");

    JsonObject result = answer.results().get(0);
    assertThat(result.getString("type")).isEqualTo("note");
    assertThat(result.getString("chatId")).isEqualTo(plans);
    assertThat(result.getJsonObject("chat").getString("name")).isEqualTo("plans");
    assertThat(result.getInteger("version")).isEqualTo(1);
    assertThat(result.getString("snippet")).contains("<mark>" + word + "</mark>");
  }

  @Test
  @DisplayName("notes of chats one is not a member of are not found: a private channel's, nor an unjoined public one's")
  void nonMembersFindNothing() {
    system.awaitAnswer(alice, notes(word), found -> found.status() == 200 && found.results().size() == 2,
        "alice (member of both) finds both notes");

    assertThat(system.search(eve, notes(word)).results()).isEmpty();
    assertThat(system.search(bob, notes(word)).results()).extracting(result -> result.getString("chatId"))
        .containsOnly(plans);
  }

  @Test
  @DisplayName("a saved change is found by its new words, and no longer by the words it removed")
  void followsChanges() {
    String before = uniqueWord();
    String after = uniqueWord();
    String chat = system.privateChannel(alice, workspaceId, "changes-" + before.substring(0, 6), List.of());
    saveNote(alice, chat, "status: " + before + "\n", 0);
    system.awaitAnswer(alice, notes(before), found -> found.status() == 200 && found.results().size() == 1,
        "the first version is indexed");

    saveNote(alice, chat, "status: " + after + "\n", 1);

    system.awaitAnswer(alice, notes(after), found -> found.status() == 200 && found.results().size() == 1
        && found.results().get(0).getInteger("version") == 2, "the second version is indexed");
    assertThat(system.search(alice, notes(before)).results()).isEmpty();
  }

  @Test
  @DisplayName("a notes search needs words: operators alone are validation_failed")
  void needsWords() {
    Answer answer = system.search(alice, notes("in:#plans"));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body().getString("code")).isEqualTo("validation_failed");
  }

  private static SearchRequest notes(String q) {
    return SearchRequest.messages(workspaceId, q).scope("notes");
  }

  private static void saveNote(Account editor, String chatId, String content, int expectedVersion) {
    system.server.expect(200, HttpMethod.PUT, "/chats/" + chatId + "/note", editor.token(),
        new JsonObject().put("content", content).put("expectedVersion", expectedVersion));
  }
}
