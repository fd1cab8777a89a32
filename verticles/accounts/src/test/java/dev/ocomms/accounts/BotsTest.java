package dev.ocomms.accounts;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_LOGIN;
import static dev.ocomms.shared.bus.Addresses.BOTS_CREATE;
import static dev.ocomms.shared.bus.Addresses.BOTS_DELETE;
import static dev.ocomms.shared.bus.Addresses.BOTS_LIST;
import static dev.ocomms.shared.bus.Addresses.BOTS_TOKEN_ROTATE;
import static dev.ocomms.shared.bus.Addresses.BOTS_TOKEN_VERIFY;
import static dev.ocomms.shared.bus.Addresses.WORKSPACE_CREATE;
import static dev.ocomms.shared.bus.Addresses.WORKSPACE_INVITE_CREATE;
import static dev.ocomms.shared.bus.Addresses.WORKSPACE_JOIN;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Bots over the event bus (accounts.bots.*): users of kind bot that a workspace's owners and admins manage")
class BotsTest {
  private static AccountsApi accounts;

  @BeforeAll
  static void start() {
    accounts = AccountsApi.startWithMessaging();
  }

  @AfterAll
  static void stop() {
    accounts.close();
  }

  private static String workspace(AccountsApi.Session owner) {
    return accounts.call(owner, WORKSPACE_CREATE, new JsonObject().put("name", "Team " + owner.username()))
        .getJsonObject("workspace").getString("id");
  }

  private static void join(AccountsApi.Session owner, String workspaceId, AccountsApi.Session member) {
    String code = accounts.call(owner, WORKSPACE_INVITE_CREATE, new JsonObject().put("workspaceId", workspaceId))
        .getString("code");
    accounts.call(member, WORKSPACE_JOIN, new JsonObject().put("code", code));
  }

  private static JsonObject newBot(String workspaceId) {
    return new JsonObject().put("workspaceId", workspaceId)
        .put("username", "bot_" + UUID.randomUUID().toString().substring(0, 8)).put("displayName", "Echo");
  }

  /** What the gateway sends to look a token up: its SHA-256, base64. */
  private static JsonObject lookup(String token) throws Exception {
    return new JsonObject().put("tokenHash", Base64.getEncoder().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  @DisplayName("an owner creates a bot: a user of kind bot in the workspace, and an ocb_ token that verifies as it")
  void create() throws Exception {
    AccountsApi.Session owner = accounts.register();
    String workspaceId = workspace(owner);
    JsonObject created = accounts.call(owner, BOTS_CREATE, newBot(workspaceId).put("description", "says it back"));

    JsonObject bot = created.getJsonObject("bot");
    assertThat(bot.getString("kind")).isEqualTo("bot");
    assertThat(bot.getString("workspaceId")).isEqualTo(workspaceId);
    assertThat(bot.getString("description")).isEqualTo("says it back");
    assertThat(created.getString("token")).startsWith("ocb_").hasSizeGreaterThan(40);
    JsonObject verified = accounts.call(BOTS_TOKEN_VERIFY, lookup(created.getString("token")));
    assertThat(verified.getString("userId")).isEqualTo(bot.getString("id"));
  }

  @Test
  @DisplayName("the token is stored only as its hash")
  void tokenStoredHashed() {
    AccountsApi.Session owner = accounts.register();
    JsonObject created = accounts.call(owner, BOTS_CREATE, newBot(workspace(owner)));

    var rows = accounts.sql("SELECT token_hash FROM accounts.bots WHERE user_id = $1",
        UUID.fromString(created.getJsonObject("bot").getString("id")));
    byte[] stored = rows.iterator().next().getBuffer("token_hash").getBytes();
    assertThat(stored).hasSize(32);
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(created.getString("token"));
  }

  @Test
  @DisplayName("the list shows the workspace's bots, without tokens")
  void list() {
    AccountsApi.Session owner = accounts.register();
    String workspaceId = workspace(owner);
    String botId = accounts.call(owner, BOTS_CREATE, newBot(workspaceId)).getJsonObject("bot").getString("id");

    JsonObject listed = accounts.call(owner, BOTS_LIST, new JsonObject().put("workspaceId", workspaceId));
    assertThat(listed.getJsonArray("bots")).hasSize(1);
    assertThat(listed.getJsonArray("bots").getJsonObject(0).getString("id")).isEqualTo(botId);
    assertThat(listed.encode()).doesNotContain("ocb_");
  }

  @Test
  @DisplayName("a member who is not an owner or admin may not create or list bots: forbidden")
  void membersMayNotManageBots() {
    AccountsApi.Session owner = accounts.register();
    AccountsApi.Session member = accounts.register();
    String workspaceId = workspace(owner);
    join(owner, workspaceId, member);

    accounts.fails(ErrorCode.FORBIDDEN, member, BOTS_CREATE, newBot(workspaceId));
    accounts.fails(ErrorCode.FORBIDDEN, member, BOTS_LIST, new JsonObject().put("workspaceId", workspaceId));
  }

  @Test
  @DisplayName("someone outside the workspace gets not_found, for its bots as for the workspace")
  void outsidersSeeNothing() {
    AccountsApi.Session owner = accounts.register();
    AccountsApi.Session outsider = accounts.register();
    String workspaceId = workspace(owner);
    String botId = accounts.call(owner, BOTS_CREATE, newBot(workspaceId)).getJsonObject("bot").getString("id");

    accounts.fails(ErrorCode.NOT_FOUND, outsider, BOTS_LIST, new JsonObject().put("workspaceId", workspaceId));
    accounts.fails(ErrorCode.NOT_FOUND, outsider, BOTS_DELETE, new JsonObject().put("botId", botId));
    accounts.fails(ErrorCode.NOT_FOUND, outsider, BOTS_TOKEN_ROTATE, new JsonObject().put("botId", botId));
  }

  @Test
  @DisplayName("a bot's username is taken like anyone's: conflict")
  void usernameTaken() {
    AccountsApi.Session owner = accounts.register();
    String workspaceId = workspace(owner);
    JsonObject request = newBot(workspaceId).put("username", owner.username().toUpperCase());

    accounts.fails(ErrorCode.CONFLICT, owner, BOTS_CREATE, request);
  }

  @Test
  @DisplayName("deleting a bot revokes its token's id cluster-wide, and the token no longer verifies")
  void delete() throws Exception {
    AccountsApi.Session owner = accounts.register();
    String workspaceId = workspace(owner);
    JsonObject created = accounts.call(owner, BOTS_CREATE, newBot(workspaceId));
    String botId = created.getJsonObject("bot").getString("id");
    String tokenId = accounts.call(BOTS_TOKEN_VERIFY, lookup(created.getString("token"))).getString("tokenId");
    BlockingQueue<JsonObject> revoked = new LinkedBlockingQueue<>();
    MessageConsumer<JsonObject> listener = accounts.client().eventBus()
        .consumer(Addresses.SESSION_REVOKED, message -> revoked.add(message.body()));
    listener.rxCompletion().blockingAwait();
    try {
      accounts.call(owner, BOTS_DELETE, new JsonObject().put("botId", botId));

      JsonObject announced = revoked.poll(10, TimeUnit.SECONDS);
      assertThat(announced).isEqualTo(new JsonObject().put("sessionId", tokenId).put("userId", botId));
      accounts.fails(ErrorCode.UNAUTHORIZED, BOTS_TOKEN_VERIFY, lookup(created.getString("token")));
      assertThat(accounts.call(owner, BOTS_LIST, new JsonObject().put("workspaceId", workspaceId))
          .getJsonArray("bots")).isEmpty();
    } finally {
      listener.rxUnregister().blockingAwait();
    }
  }

  @Test
  @DisplayName("rotating gives a new token that verifies; the old one does not")
  void rotate() throws Exception {
    AccountsApi.Session owner = accounts.register();
    JsonObject created = accounts.call(owner, BOTS_CREATE, newBot(workspace(owner)));
    String botId = created.getJsonObject("bot").getString("id");

    JsonObject rotated = accounts.call(owner, BOTS_TOKEN_ROTATE, new JsonObject().put("botId", botId));
    assertThat(rotated.getString("token")).startsWith("ocb_").isNotEqualTo(created.getString("token"));
    assertThat(accounts.call(BOTS_TOKEN_VERIFY, lookup(rotated.getString("token"))).getString("userId"))
        .isEqualTo(botId);
    accounts.fails(ErrorCode.UNAUTHORIZED, BOTS_TOKEN_VERIFY, lookup(created.getString("token")));
  }

  @Test
  @DisplayName("a bot cannot log in, whatever password is tried: forbidden, reason bot_not_allowed")
  void botsCannotLogIn() {
    AccountsApi.Session owner = accounts.register();
    JsonObject bot = accounts.call(owner, BOTS_CREATE, newBot(workspace(owner))).getJsonObject("bot");

    OcommsException refused = accounts.fails(ErrorCode.FORBIDDEN, ACCOUNTS_LOGIN, new JsonObject()
        .put("login", bot.getString("username")).put("password", "anything at all").put("clientIp", "192.0.2.1"));
    assertThat(refused.details().getString("reason")).isEqualTo("bot_not_allowed");
  }
}
