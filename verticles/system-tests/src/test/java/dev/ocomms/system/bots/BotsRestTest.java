package dev.ocomms.system.bots;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.reactivex.rxjava3.core.Flowable;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.buffer.Buffer;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/** Bots over REST on a two-node cluster: managed by the workspace's owners and admins, signed in by their ocb_ token. */
@DisplayName("Bots over REST")
class BotsRestTest {
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder().nodes(2).everyNodeServes().deploy(AccountsVerticle::new)
        .deploy(MessagingVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  private static int status(int node, String path, String token) {
    return system.call(node, HttpMethod.GET, path, token, null).statusCode();
  }

  @Test
  @DisplayName("POST creates a bot (201 {bot, token}), GET lists it, DELETE removes it (204) and the list is empty")
  void createListDelete() {
    Account owner = system.register("Owner");
    String workspaceId = system.workspace(owner, List.of());
    JsonObject created = system.bot(owner, workspaceId, "Echo");
    assertThat(created.getString("token")).startsWith("ocb_");
    assertThat(created.getJsonObject("bot").getString("kind")).isEqualTo("bot");
    String botId = created.getJsonObject("bot").getString("id");

    JsonObject listed = system.expect(200, HttpMethod.GET, "/workspaces/" + workspaceId + "/bots", owner.token(), null);
    assertThat(listed.getJsonArray("bots").getJsonObject(0).getString("id")).isEqualTo(botId);

    system.expect(204, HttpMethod.DELETE, "/bots/" + botId, owner.token(), null);
    assertThat(system.expect(200, HttpMethod.GET, "/workspaces/" + workspaceId + "/bots", owner.token(), null)
        .getJsonArray("bots")).isEmpty();
  }

  @Test
  @DisplayName("a deleted bot leaves its workspace's channels and member list")
  void deletedBotLeaves() {
    Account owner = system.register("Owner");
    String workspaceId = system.workspace(owner, List.of());
    String botId = system.bot(owner, workspaceId, "Echo").getJsonObject("bot").getString("id");
    String chatId = system.general(owner, workspaceId);
    system.expect(200, HttpMethod.POST, "/chats/" + chatId + "/members", owner.token(),
        new JsonObject().put("userId", botId));

    system.expect(204, HttpMethod.DELETE, "/bots/" + botId, owner.token(), null);

    assertThat(system.expect(200, HttpMethod.GET, "/chats/" + chatId + "/members", owner.token(), null)
        .getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("userId"))).doesNotContain(botId);
    assertThat(system.expect(200, HttpMethod.GET, "/workspaces/" + workspaceId + "/members", owner.token(), null)
        .getJsonArray("members").stream().map(m -> ((JsonObject) m).getString("userId"))).doesNotContain(botId);
  }

  @Test
  @DisplayName("a member who is not an owner or admin cannot create, delete or rotate a bot: 403 forbidden")
  void onlyOwnersAndAdmins() {
    Account owner = system.register("Owner");
    Account member = system.register("Member");
    String workspaceId = system.workspace(owner, List.of(member));
    String botId = system.bot(owner, workspaceId, "Echo").getJsonObject("bot").getString("id");

    assertProblem(system.post("/workspaces/" + workspaceId + "/bots",
        new JsonObject().put("username", "bot_" + UUID.randomUUID().toString().substring(0, 8))
            .put("displayName", "Nope"), member.token()), 403, "forbidden");
    assertProblem(system.delete("/bots/" + botId, member.token()), 403, "forbidden");
    assertProblem(system.post("/bots/" + botId + "/token", null, member.token()), 403, "forbidden");
  }

  @Test
  @DisplayName("an ocb_ token authenticates REST on every node: the bot reads its profile and posts in a chat it was added to")
  void tokenOnRest() {
    Account owner = system.register("Owner");
    String workspaceId = system.workspace(owner, List.of());
    JsonObject created = system.bot(owner, workspaceId, "Echo");
    String botId = created.getJsonObject("bot").getString("id");
    String token = created.getString("token");
    String chatId = system.general(owner, workspaceId);
    system.expect(200, HttpMethod.POST, "/chats/" + chatId + "/members", owner.token(),
        new JsonObject().put("userId", botId));

    for (int node = 0; node < 2; node++) {
      var me = system.call(node, HttpMethod.GET, "/users/me", token, null);
      assertThat(me.statusCode()).as("node %s: %s", node, me.bodyAsString()).isEqualTo(200);
      assertThat(me.bodyAsJsonObject().getJsonObject("user").getString("id")).isEqualTo(botId);
    }
    var sent = system.call(1, HttpMethod.POST, "/chats/" + chatId + "/messages", token,
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", "beep"));
    assertThat(sent.statusCode()).as("send: %s", sent.bodyAsString()).isEqualTo(201);
    assertThat(sent.bodyAsJsonObject().getString("senderId")).isEqualTo(botId);
  }

  @Test
  @DisplayName("a bot cannot log in, create a workspace, invite or join one: 403 with reason bot_not_allowed")
  void notForBots() {
    Account owner = system.register("Owner");
    String workspaceId = system.workspace(owner, List.of());
    JsonObject created = system.bot(owner, workspaceId, "Echo");
    String token = created.getString("token");
    String code = system.expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/invites", owner.token(),
        new JsonObject()).getString("code");

    List.of(
        system.post("/auth/login", new JsonObject().put("login", created.getJsonObject("bot").getString("username"))
            .put("password", TestSystem.PASSWORD)),
        system.post("/workspaces", new JsonObject().put("name", "Bot land"), token),
        system.post("/workspaces/" + workspaceId + "/invites", new JsonObject(), token),
        system.post("/workspaces/join", new JsonObject().put("code", code), token))
        .forEach(response -> assertThat(assertProblem(response, 403, "forbidden").getString("reason"))
            .isEqualTo("bot_not_allowed"));
  }

  @Test
  @DisplayName("a deleted bot's token is refused at once on every node, also where it was just accepted (cached)")
  void deletedTokenRefusedEverywhere() {
    Account owner = system.register("Owner");
    String workspaceId = system.workspace(owner, List.of());
    JsonObject created = system.bot(owner, workspaceId, "Echo");
    String token = created.getString("token");
    assertThat(status(0, "/users/me", token)).isEqualTo(200);
    assertThat(status(1, "/users/me", token)).isEqualTo(200);

    system.expect(204, HttpMethod.DELETE, "/bots/" + created.getJsonObject("bot").getString("id"), owner.token(),
        null);

    assertProblem(system.call(1, HttpMethod.GET, "/users/me", token, null), 401, "unauthorized");
    assertProblem(system.call(0, HttpMethod.GET, "/users/me", token, null), 401, "unauthorized");
  }

  @Test
  @DisplayName("rotating the token (200 {bot, token}): the old token is refused on every node, the new one works")
  void rotatedTokenRefused() {
    Account owner = system.register("Owner");
    String workspaceId = system.workspace(owner, List.of());
    JsonObject created = system.bot(owner, workspaceId, "Echo");
    String old = created.getString("token");
    assertThat(status(1, "/users/me", old)).isEqualTo(200);

    String rotated = system.expect(200, HttpMethod.POST, "/bots/" + created.getJsonObject("bot").getString("id")
        + "/token", owner.token(), null).getString("token");

    assertProblem(system.call(1, HttpMethod.GET, "/users/me", old, null), 401, "unauthorized");
    assertProblem(system.call(0, HttpMethod.GET, "/users/me", old, null), 401, "unauthorized");
    assertThat(status(1, "/users/me", rotated)).isEqualTo(200);
  }

  @Test
  @DisplayName("a bot has its own limit: past a burst of 50 requests it is told 429 rate_limited, limit bot.requests")
  void botsOwnLimit() {
    Account owner = system.register("Owner");
    String token = system.bot(owner, system.workspace(owner, List.of()), "Busy").getString("token");

    List<HttpResponse<Buffer>> answers = Flowable.range(0, 100)
        .flatMapSingle(i -> system.callAsync(0, HttpMethod.GET, "/users/me", token, null), false, 20)
        .toList().blockingGet();

    assertThat(answers.stream().filter(answer -> answer.statusCode() == 200).count()).isGreaterThanOrEqualTo(50);
    HttpResponse<Buffer> refused = answers.stream().filter(answer -> answer.statusCode() == 429).findFirst()
        .orElseThrow();
    assertThat(assertProblem(refused, 429, "rate_limited").getString("limit")).isEqualTo("bot.requests");
    assertThat(status(0, "/users/me", owner.token())).isEqualTo(200);
  }

  @Test
  @DisplayName("an unknown ocb_ token is refused: 401 unauthorized")
  void unknownToken() {
    assertProblem(system.get("/users/me", "ocb_" + "A".repeat(43)), 401, "unauthorized");
  }
}
