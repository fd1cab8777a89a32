package dev.ocomms.system.http;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Workspaces, channels and DMs over REST")
class ChatsRestTest {
  private static TestSystem gateway;

  @BeforeAll
  static void start() {
    gateway = TestSystem.builder().deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    return response.body() == null || response.body().length() == 0 ? new JsonObject() : response.bodyAsJsonObject();
  }

  /** A workspace owned by {@code owner} that {@code members} joined by invite; its id. */
  private static String workspace(Account owner, Account... members) {
    String id = ok(gateway.post("/workspaces", new JsonObject().put("name", "Acme"), owner.token()), 201)
        .getJsonObject("workspace").getString("id");
    String code = ok(gateway.post("/workspaces/" + id + "/invites", new JsonObject(), owner.token()), 201)
        .getString("code");
    for (Account member : members) {
      ok(gateway.post("/workspaces/join", new JsonObject().put("code", code), member.token()), 200);
    }
    return id;
  }

  private static String channel(Account creator, String workspaceId, String name, boolean isPrivate) {
    return ok(gateway.post("/workspaces/" + workspaceId + "/channels",
        new JsonObject().put("name", name).put("private", isPrivate), creator.token()), 201)
        .getJsonObject("chat").getString("id");
  }

  @Test
  @DisplayName("a created workspace is listed with the creator as owner; an invited user joins as member")
  void workspacesAndInvites() {
    Account owner = gateway.register();
    Account bob = gateway.register();
    String id = workspace(owner, bob);

    JsonArray mine = ok(gateway.get("/workspaces", owner.token()), 200).getJsonArray("workspaces");
    assertThat(mine).hasSize(1);
    assertThat(mine.getJsonObject(0).getString("role")).isEqualTo("owner");
    JsonArray bobs = ok(gateway.get("/workspaces", bob.token()), 200).getJsonArray("workspaces");
    assertThat(bobs.getJsonObject(0).getString("role")).isEqualTo("member");
    JsonArray members = ok(gateway.get("/workspaces/" + id + "/members", owner.token()), 200)
        .getJsonArray("members");
    assertThat(members.stream().map(m -> ((JsonObject) m).getJsonObject("user").getString("username")))
        .containsExactlyInAnyOrder(owner.username(), bob.username());
  }

  @Test
  @DisplayName("another workspace's chats are 404 for outsiders, on reading, joining and listing")
  void otherWorkspaceIsInvisible() {
    Account owner = gateway.register();
    Account outsider = gateway.register();
    String id = workspace(owner);
    String general = channel(owner, id, "announcements", false);

    assertProblem(gateway.get("/chats/" + general, outsider.token()), 404, "not_found");
    assertProblem(gateway.post("/chats/" + general + "/join", new JsonObject(), outsider.token()), 404,
        "not_found");
    assertProblem(gateway.get("/workspaces/" + id + "/channels", outsider.token()), 404, "not_found");
    assertProblem(gateway.get("/chats/" + general + "/messages", outsider.token()), 404, "not_found");
  }

  @Test
  @DisplayName("a private channel is invisible to workspace members outside it, and visible once they are added")
  void privateChannels() {
    Account owner = gateway.register();
    Account bob = gateway.register();
    String id = workspace(owner, bob);
    String secret = channel(owner, id, "secret", true);

    assertProblem(gateway.get("/chats/" + secret, bob.token()), 404, "not_found");
    assertProblem(gateway.post("/chats/" + secret + "/join", new JsonObject(), bob.token()), 404, "not_found");
    JsonArray listed = ok(gateway.get("/workspaces/" + id + "/channels", bob.token()), 200)
        .getJsonArray("channels");
    assertThat(listed.stream().map(c -> ((JsonObject) c).getString("id"))).doesNotContain(secret);

    ok(gateway.post("/chats/" + secret + "/members", new JsonObject().put("userId", bob.id()), owner.token()),
        200);
    assertThat(ok(gateway.get("/chats/" + secret, bob.token()), 200).getJsonObject("chat").getString("name"))
        .isEqualTo("secret");
  }

  @Test
  @DisplayName("public channels are joined and left; members may not rename a channel they did not create (403)")
  void joinLeaveAndRoles() {
    Account owner = gateway.register();
    Account bob = gateway.register();
    String id = workspace(owner, bob);
    String random = channel(owner, id, "random", false);

    ok(gateway.post("/chats/" + random + "/join", new JsonObject(), bob.token()), 200);
    assertThat(ok(gateway.get("/chats/" + random + "/members", bob.token()), 200).getJsonArray("members"))
        .hasSize(2);
    assertProblem(gateway.patch("/chats/" + random, new JsonObject().put("name", "mine"), bob.token()), 403,
        "forbidden");
    assertThat(ok(gateway.patch("/chats/" + random, new JsonObject().put("topic", "anything goes"),
        bob.token()), 200).getJsonObject("chat").getString("topic")).isEqualTo("anything goes");
    ok(gateway.post("/chats/" + random + "/leave", new JsonObject(), bob.token()), 204);
    assertThat(ok(gateway.get("/chats", bob.token()), 200).getJsonArray("chats").stream()
        .map(c -> ((JsonObject) c).getString("id"))).doesNotContain(random);
  }

  @Test
  @DisplayName("the creator removes a member (204); the removed member no longer sees the private channel")
  void removeMember() {
    Account owner = gateway.register();
    Account bob = gateway.register();
    String id = workspace(owner, bob);
    String secret = channel(owner, id, "staff", true);
    ok(gateway.post("/chats/" + secret + "/members", new JsonObject().put("userId", bob.id()), owner.token()),
        200);

    assertProblem(gateway.delete("/chats/" + secret + "/members/" + owner.id(), bob.token()), 403, "forbidden");
    ok(gateway.delete("/chats/" + secret + "/members/" + bob.id(), owner.token()), 204);
    assertProblem(gateway.get("/chats/" + secret, bob.token()), 404, "not_found");
  }

  @Test
  @DisplayName("opening a DM with the same people twice gives the same chat; a duplicate channel name is a 409")
  void dmsAreIdempotentAndNamesUnique() {
    Account owner = gateway.register();
    Account bob = gateway.register();
    String id = workspace(owner, bob);
    JsonObject dm = new JsonObject().put("userIds", new JsonArray(List.of(bob.id())));

    String first = ok(gateway.post("/workspaces/" + id + "/dms", dm, owner.token()), 200)
        .getJsonObject("chat").getString("id");
    String again = ok(gateway.post("/workspaces/" + id + "/dms",
        new JsonObject().put("userIds", new JsonArray(List.of(owner.id()))), bob.token()), 200)
        .getJsonObject("chat").getString("id");
    assertThat(again).isEqualTo(first);

    channel(owner, id, "design", false);
    assertProblem(gateway.post("/workspaces/" + id + "/channels", new JsonObject().put("name", "Design"),
        owner.token()), 409, "conflict");
  }

  @Test
  @DisplayName("the chat list carries kind, name, member count, last seq and unread counts")
  void chatList() {
    Account owner = gateway.register();
    workspace(owner);
    JsonObject general = ok(gateway.get("/chats", owner.token()), 200).getJsonArray("chats").getJsonObject(0);
    assertThat(general.getString("kind")).isEqualTo("channel");
    assertThat(general.getString("name")).isEqualTo("general");
    assertThat(general.getInteger("memberCount")).isEqualTo(1);
    assertThat(general.getLong("lastSeq")).isZero();
    assertThat(general.getLong("unreadCount")).isZero();
    assertThat(general.getLong("mentionCount")).isZero();
  }

  @Test
  @DisplayName("workspace names and topics with a NUL, a line break, a bidi override or a zero-width character are 400 "
      + "problems naming the field; names are stored in NFC")
  void namesRefuseHiddenCharacters() {
    Account owner = gateway.register();
    String workspaceId = workspace(owner);
    for (String bad : List.of("a\u0000b", "a\nb", "\u202Eab", "a\u200Bb", "a\uD800b")) {
      assertThat(assertProblem(gateway.post("/workspaces", new JsonObject().put("name", bad), owner.token()), 400,
          "validation_failed").getString("field")).as("workspace name %s", bad).isEqualTo("name");
      assertThat(assertProblem(gateway.post("/workspaces/" + workspaceId + "/channels",
          new JsonObject().put("name", "topics").put("topic", bad), owner.token()), 400, "validation_failed")
          .getString("field")).as("topic %s", bad).isEqualTo("topic");
    }
    JsonObject created = ok(gateway.post("/workspaces", new JsonObject().put("name", "Cafe\u0301"), owner.token()),
        201).getJsonObject("workspace");
    assertThat(created.getString("name")).isEqualTo("Caf\u00E9");
  }
}
