package dev.ocomms.notes;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Notes: a chat's note and a personal note, through REST and the bridge")
class NotesTest {
  private static final String PLAN = "# Launch\n\n- design: Ana\n- build: Ben\n- test: Cleo\n- ship: Dan\n";
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(NotesVerticle::new)
        .deploy(GatewayVerticle::new)
        .withoutConnectionRateLimits()
        .start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  @AfterEach
  void closeClients() {
    system.closeClients();
  }

  @Test
  @DisplayName("a note nobody saved is empty at version 0; a save from 0 makes version 1, recording who and when")
  void firstSave() {
    Team team = team();

    JsonObject empty = system.expect(200, HttpMethod.GET, note(team.channel), team.alice.token(), null);
    assertThat(empty).isEqualTo(new JsonObject().put("chatId", team.channel).put("content", "").put("version", 0)
        .putNull("lastEditedBy").putNull("updatedAt"));

    JsonObject saved = save(team.alice, team.channel, PLAN, 0);
    assertThat(saved.getString("content")).isEqualTo(PLAN);
    assertThat(saved.getInteger("version")).isEqualTo(1);
    assertThat(saved.getString("lastEditedBy")).isEqualTo(team.alice.id());
    assertThat(saved.getString("updatedAt")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(saved.getBoolean("merged")).isFalse();
    assertThat(system.expect(200, HttpMethod.GET, note(team.channel), team.bob.token(), null).getString("content"))
        .isEqualTo(PLAN);
  }

  @Test
  @DisplayName("two members saving from the same version with edits on different lines both get their change in (merged)")
  void nonOverlappingSavesMerge() {
    Team team = team();
    save(team.alice, team.channel, PLAN, 0);

    JsonObject first = save(team.alice, team.channel, PLAN.replace("design: Ana", "design: Ana and Eve"), 1);
    JsonObject second = save(team.bob, team.channel, PLAN.replace("ship: Dan", "ship: Dan (Friday)"), 1);

    assertThat(first.getBoolean("merged")).isFalse();
    assertThat(second.getBoolean("merged")).isTrue();
    assertThat(second.getInteger("version")).isEqualTo(3);
    String both = PLAN.replace("design: Ana", "design: Ana and Eve").replace("ship: Dan", "ship: Dan (Friday)");
    assertThat(second.getString("content")).isEqualTo(both);
    assertThat(system.expect(200, HttpMethod.GET, note(team.channel), team.alice.token(), null).getString("content"))
        .isEqualTo(both);
  }

  @Test
  @DisplayName("two members saving overlapping edits at once: exactly one succeeds, the other gets 409 with the winner's note")
  void overlappingSavesConflict() {
    Team team = team();
    save(team.alice, team.channel, PLAN, 0);
    JsonObject aliceEdit = new JsonObject().put("content", PLAN.replace("build: Ben", "build: Ben and Fay"))
        .put("expectedVersion", 1);
    JsonObject bobEdit = new JsonObject().put("content", PLAN.replace("build: Ben", "build: Gus"))
        .put("expectedVersion", 1);

    List<HttpResponse<Buffer>> answers = Single.zip(
            system.callAsync(0, HttpMethod.PUT, note(team.channel), team.alice.token(), aliceEdit),
            system.callAsync(0, HttpMethod.PUT, note(team.channel), team.bob.token(), bobEdit), List::of)
        .timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();

    List<Integer> statuses = answers.stream().map(HttpResponse::statusCode).sorted().toList();
    assertThat(statuses).as("answers: %s", answers.stream().map(HttpResponse::bodyAsString).toList())
        .containsExactly(200, 409);
    JsonObject winner = answers.stream().filter(a -> a.statusCode() == 200).findFirst().orElseThrow()
        .bodyAsJsonObject();
    JsonObject loser = answers.stream().filter(a -> a.statusCode() == 409).findFirst().orElseThrow()
        .bodyAsJsonObject();
    assertThat(loser.getString("code")).isEqualTo("conflict");
    winner.remove("merged");
    assertThat(loser.getJsonObject("note")).isEqualTo(winner);
    assertThat(system.expect(200, HttpMethod.GET, note(team.channel), team.alice.token(), null)).isEqualTo(winner);
  }

  @Test
  @DisplayName("revisions list every version newest first; one shows its text and its diff to the current note")
  void revisionsAndDiff() {
    Team team = team();
    save(team.alice, team.channel, PLAN, 0);
    save(team.bob, team.channel, PLAN.replace("test: Cleo", "test: Cleo and Hal"), 1);

    JsonObject list = system.expect(200, HttpMethod.GET, note(team.channel) + "/revisions", team.alice.token(), null);
    assertThat(list.getJsonArray("revisions").stream().map(r -> ((JsonObject) r).getInteger("version")).toList())
        .containsExactly(2, 1);
    JsonObject newest = list.getJsonArray("revisions").getJsonObject(0);
    assertThat(newest.getString("editedBy")).isEqualTo(team.bob.id());
    assertThat(newest.getString("kind")).isEqualTo("edit");

    JsonObject first = system.expect(200, HttpMethod.GET, note(team.channel) + "/revisions/1", team.alice.token(),
        null);
    assertThat(first.getJsonObject("revision").getString("content")).isEqualTo(PLAN);
    assertThat(first.getJsonObject("diff").getJsonArray("hunks").getJsonObject(0).getJsonArray("lines").stream()
        .map(JsonObject.class::cast).filter(line -> !line.getString("op").equals("context"))
        .map(line -> line.getString("op") + " " + line.getString("text")).toList())
        .containsExactly("removed - test: Cleo", "added - test: Cleo and Hal");
    assertThat(system.call(0, HttpMethod.GET, note(team.channel) + "/revisions/9", team.alice.token(), null)
        .statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("a restore brings an old version back as a new revision, and keeps the versions in between")
  void restoreIsANewRevision() {
    Team team = team();
    save(team.alice, team.channel, PLAN, 0);
    save(team.alice, team.channel, "scrapped\n", 1);

    JsonObject restored = system.expect(200, HttpMethod.POST, note(team.channel) + "/revisions/1/restore",
        team.bob.token(), null);

    assertThat(restored.getInteger("version")).isEqualTo(3);
    assertThat(restored.getString("content")).isEqualTo(PLAN);
    assertThat(restored.getString("lastEditedBy")).isEqualTo(team.bob.id());
    JsonObject newest = system.expect(200, HttpMethod.GET, note(team.channel) + "/revisions", team.alice.token(), null)
        .getJsonArray("revisions").getJsonObject(0);
    assertThat(newest.getInteger("version")).isEqualTo(3);
    assertThat(newest.getString("kind")).isEqualTo("restore");
    assertThat(newest.getInteger("restoredFrom")).isEqualTo(1);
    assertThat(system.expect(200, HttpMethod.GET, note(team.channel) + "/revisions", team.alice.token(), null)
        .getJsonArray("revisions")).hasSize(3);
  }

  @Test
  @DisplayName("only the last 100 versions are kept")
  void keepsTheLastHundred() {
    Team team = team();
    for (int version = 0; version < 102; version++) {
      save(team.alice, team.channel, "draft " + (version + 1) + "\n", version);
    }

    List<Integer> versions = system.expect(200, HttpMethod.GET, note(team.channel) + "/revisions",
            team.alice.token(), null).getJsonArray("revisions").stream()
        .map(r -> ((JsonObject) r).getInteger("version")).toList();
    assertThat(versions).hasSize(100);
    assertThat(versions.get(0)).isEqualTo(102);
    assertThat(versions.get(99)).isEqualTo(3);
  }

  @Test
  @DisplayName("someone outside the chat gets 404 for its note, reading or writing, and for its revisions")
  void nonMembersGetNotFound() {
    Team team = team();
    save(team.alice, team.channel, PLAN, 0);
    Account outsider = system.register();

    assertThat(system.call(0, HttpMethod.GET, note(team.channel), outsider.token(), null).statusCode()).isEqualTo(404);
    assertThat(system.call(0, HttpMethod.PUT, note(team.channel), outsider.token(),
        new JsonObject().put("content", "mine now").put("expectedVersion", 1)).statusCode()).isEqualTo(404);
    assertThat(system.call(0, HttpMethod.GET, note(team.channel) + "/revisions/1", outsider.token(), null)
        .statusCode()).isEqualTo(404);
    assertThat(system.expect(200, HttpMethod.GET, note(team.channel), team.alice.token(), null).getString("content"))
        .isEqualTo(PLAN);
  }

  @Test
  @DisplayName("a personal note is its owner's alone: the workspace's owner (its admin) reads only their own, empty one")
  void personalNotesArePrivate() {
    Team team = team();
    String path = "/workspaces/" + team.workspaceId + "/note";
    JsonObject saved = system.expect(200, HttpMethod.PUT, path, team.bob.token(),
        new JsonObject().put("content", "bob's secret todo\n").put("expectedVersion", 0));
    assertThat(saved.getString("workspaceId")).isEqualTo(team.workspaceId);

    JsonObject ownersView = system.expect(200, HttpMethod.GET, path, team.alice.token(), null);
    assertThat(ownersView.getString("content")).isEmpty();
    assertThat(ownersView.getInteger("version")).isZero();
    assertThat(system.expect(200, HttpMethod.GET, path + "/revisions", team.alice.token(), null)
        .getJsonArray("revisions")).isEmpty();
    assertThat(system.expect(200, HttpMethod.GET, path, team.bob.token(), null).getString("content"))
        .isEqualTo("bob's secret todo\n");
    assertThat(system.call(0, HttpMethod.GET, path, system.register().token(), null).statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("an archived channel's note can be read but not saved (403, reason chat_archived)")
  void archivedIsReadOnly() {
    Team team = team();
    save(team.alice, team.channel, PLAN, 0);
    system.expect(200, HttpMethod.PATCH, "/chats/" + team.channel, team.alice.token(),
        new JsonObject().put("archived", true));

    HttpResponse<Buffer> refused = system.call(0, HttpMethod.PUT, note(team.channel), team.bob.token(),
        new JsonObject().put("content", "late edit").put("expectedVersion", 1));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.bodyAsJsonObject().getString("code")).isEqualTo("forbidden");
    assertThat(refused.bodyAsJsonObject().getString("reason")).isEqualTo("chat_archived");
    assertThat(system.expect(200, HttpMethod.GET, note(team.channel), team.bob.token(), null).getString("content"))
        .isEqualTo(PLAN);
  }

  @Test
  @DisplayName("a note over 256 KB is validation_failed with reason content_too_long; a save without expectedVersion is validation_failed")
  void validation() {
    Team team = team();

    HttpResponse<Buffer> tooLong = system.call(0, HttpMethod.PUT, note(team.channel), team.alice.token(),
        new JsonObject().put("content", "é".repeat(128 * 1024 + 1)).put("expectedVersion", 0));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.bodyAsJsonObject().getString("code")).isEqualTo("validation_failed");
    assertThat(tooLong.bodyAsJsonObject().getString("reason")).isEqualTo("content_too_long");

    HttpResponse<Buffer> noVersion = system.call(0, HttpMethod.PUT, note(team.channel), team.alice.token(),
        new JsonObject().put("content", "x"));
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(noVersion.bodyAsJsonObject().getString("code")).isEqualTo("validation_failed");
    assertThat(system.expect(200, HttpMethod.GET, note(team.channel), team.alice.token(), null).getInteger("version"))
        .isZero();
  }

  @Test
  @DisplayName("over the bridge: notes.save and notes.get answer the note; members hear note.updated without the text")
  void bridgeAndLiveUpdates() {
    Team team = team();
    BridgeClient alice = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.alice.token());
    BridgeClient bob = system.connect(Transport.SOCKJS_WEBSOCKET).signedInAs(team.bob.token());
    bob.listen("chat." + team.channel);

    JsonObject saved = alice.call("notes.save",
        new JsonObject().put("chatId", team.channel).put("content", PLAN).put("expectedVersion", 0));
    assertThat(saved.getInteger("version")).isEqualTo(1);
    assertThat(bob.call("notes.get", new JsonObject().put("chatId", team.channel)).getString("content"))
        .isEqualTo(PLAN);

    JsonObject event = bob.awaitEvent("chat." + team.channel, "note.updated", e -> true, TestSystem.WAIT);
    assertThat(event).isEqualTo(new JsonObject().put("type", "note.updated").put("chatId", team.channel)
        .put("version", 1).put("editedBy", team.alice.id()).put("updatedAt", saved.getString("updatedAt")));
  }

  @Test
  @DisplayName("notes.versions tells where the notes of the caller's chats stand, leaving out chats without a note and chats of others")
  void versionsOfMyChats() {
    Team team = team();
    Team others = team();
    String quiet = system.channel(team.alice, team.workspaceId, "quiet");
    save(team.alice, team.channel, PLAN, 0);
    save(team.bob, team.channel, PLAN + "more\n", 1);
    save(others.alice, others.channel, "not yours\n", 0);
    BridgeClient bob = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.bob.token());

    JsonObject answer = bob.call("notes.versions", new JsonObject()
        .put("chatIds", new JsonArray().add(team.channel).add(quiet).add(others.channel)));

    assertThat(answer).isEqualTo(new JsonObject().put("notes", new JsonObject()
        .put(team.channel, new JsonObject().put("version", 2).put("lastEditedBy", team.bob.id()))));
  }

  @Test
  @DisplayName("a member who opens the note to edit shows as editing to the others, with an expiry")
  void editingIsShown() {
    Team team = team();
    BridgeClient alice = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.alice.token());
    BridgeClient bob = system.connect(Transport.RAW_WEBSOCKET).signedInAs(team.bob.token());
    bob.listen("chat." + team.channel);

    alice.call("notes.editing", new JsonObject().put("chatId", team.channel).put("active", true));

    JsonObject event = bob.awaitEvent("chat." + team.channel, "note.editing", e -> true, TestSystem.WAIT);
    assertThat(event.getString("userId")).isEqualTo(team.alice.id());
    assertThat(event.getBoolean("active")).isTrue();
    assertThat(event.getLong("expiresInMs")).isPositive();
  }

  @Test
  @DisplayName("saving one's personal note tells one's other sessions (note.personal.updated on user.<id>)")
  void personalUpdatesReachOtherDevices() {
    Team team = team();
    BridgeClient otherDevice = system.online(0, team.bob);

    system.expect(200, HttpMethod.PUT, "/workspaces/" + team.workspaceId + "/note", team.bob.token(),
        new JsonObject().put("content", "buy milk\n").put("expectedVersion", 0));

    JsonObject event = otherDevice.awaitEvent("user." + team.bob.id(), "note.personal.updated", e -> true,
        TestSystem.WAIT);
    assertThat(event.getString("workspaceId")).isEqualTo(team.workspaceId);
    assertThat(event.getInteger("version")).isEqualTo(1);
  }

  @Test
  @DisplayName("what search reads (notes.chat.changes) holds chat notes in the order they were saved, never personal ones")
  void changesForSearchHoldNoPersonalNote() {
    Team team = team();
    String start = java.time.Instant.now().minusSeconds(1).toString();
    save(team.alice, team.channel, "first\n", 0);
    system.expect(200, HttpMethod.PUT, "/workspaces/" + team.workspaceId + "/note", team.alice.token(),
        new JsonObject().put("content", "private thoughts\n").put("expectedVersion", 0));
    save(team.bob, team.channel, "second\n", 1);

    JsonObject page = system.cluster().node(0).eventBus()
        .<JsonObject>rxRequest(Addresses.NOTES_CHAT_CHANGES, new JsonObject().put("afterTime", start).put("limit", 500))
        .timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet().body();

    List<JsonObject> notes = page.getJsonArray("notes").stream().map(JsonObject.class::cast).toList();
    assertThat(notes).extracting(note -> note.getString("content")).doesNotContain("private thoughts\n");
    assertThat(notes).filteredOn(note -> team.channel.equals(note.getString("chatId")))
        .singleElement().satisfies(note -> {
          assertThat(note.getString("content")).isEqualTo("second\n");
          assertThat(note.getInteger("version")).isEqualTo(2);
        });
  }

  // A workspace of Alice (its owner) with Bob, and a channel of theirs.
  private record Team(Account alice, Account bob, String workspaceId, String channel) {
  }

  private static Team team() {
    List<Account> people = system.register(2, 2);
    String workspaceId = system.workspace(people.get(0), List.of(people.get(1)));
    String channel = system.channel(people.get(0), workspaceId, "launch");
    system.joinChat(people.get(1), channel);
    return new Team(people.get(0), people.get(1), workspaceId, channel);
  }

  private static String note(String chatId) {
    return "/chats/" + chatId + "/note";
  }

  private static JsonObject save(Account editor, String chatId, String content, int expectedVersion) {
    return system.expect(200, HttpMethod.PUT, note(chatId), editor.token(),
        new JsonObject().put("content", content).put("expectedVersion", expectedVersion));
  }
}
