package dev.ocomms.system.bots;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.TcpBridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.ocomms.testkit.bridge.Frames.about;
import static dev.ocomms.testkit.bridge.Frames.any;
import static dev.ocomms.testkit.bridge.Frames.err;
import static dev.ocomms.testkit.bridge.Frames.errCode;
import static dev.ocomms.testkit.bridge.Frames.event;
import static dev.ocomms.testkit.bridge.Frames.marker;
import static dev.ocomms.testkit.bridge.Frames.testEvent;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event bus over TCP ({@code OCOMMS_BOT_BRIDGE_PORT}) on a two-node cluster: the Vert.x TCP bridge framing around
 * the browser bridge's frames, with the browser bridge's permissions, errors and node-local delivery.
 */
@DisplayName("The event bus over TCP")
class TcpBridgeTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration QUIET = Duration.ofMillis(500);
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder().nodes(2).everyNodeServes().deploy(AccountsVerticle::new)
        .deploy(MessagingVerticle::new).deploy(GatewayVerticle::new).withoutConnectionRateLimits().start();
  }

  @AfterEach
  void closeClients() {
    system.closeClients();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  /** A workspace of {@code owner}'s with a bot in its general channel: {workspaceId, chatId, botId, token}. */
  private static JsonObject botInGeneral(Account owner) {
    String workspaceId = system.workspace(owner, List.of());
    JsonObject created = system.bot(owner, workspaceId, "Echo");
    String botId = created.getJsonObject("bot").getString("id");
    String chatId = system.general(owner, workspaceId);
    system.expect(200, HttpMethod.POST, "/chats/" + chatId + "/members", owner.token(),
        new JsonObject().put("userId", botId));
    return new JsonObject().put("workspaceId", workspaceId).put("chatId", chatId).put("botId", botId)
        .put("token", created.getString("token"));
  }

  private static JsonObject refusedRegister(BridgeClient client, String address, String token) {
    JsonObject register = Frames.register(address, token);
    client.send(register);
    JsonObject refusal = client.await(err(address), WAIT);
    client.assertNothing(about(register.getString("replyAddress")), Duration.ZERO);
    return refusal;
  }

  @Test
  @DisplayName("a bot's ocb_ token works on the TCP bridge: it registers on its chat, hears a message sent on the other"
      + " node, and its send is stored as the bot's")
  void botOverTcp() {
    Account owner = system.register("Owner");
    JsonObject bot = botInGeneral(owner);
    String address = Addresses.chat(bot.getString("chatId"));
    TcpBridgeClient tcp = system.connectTcp(1);
    tcp.signedInAs(bot.getString("token"));
    tcp.listen(address);

    system.call(0, HttpMethod.POST, "/chats/" + bot.getString("chatId") + "/messages", owner.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", "hello bot"));
    JsonObject heard = tcp.awaitEvent(address, "message.new", e -> true, WAIT);
    assertThat(heard.getJsonObject("message").getString("content")).isEqualTo("hello bot");

    JsonObject sent = tcp.call(Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", bot.getString("chatId"))
        .put("clientId", UUID.randomUUID().toString()).put("content", "beep"));
    assertThat(sent.getString("senderId")).isEqualTo(bot.getString("botId"));
  }

  @Test
  @DisplayName("a bot's ocb_ token works on the browser bridge too")
  void botOverWebSocket() {
    Account owner = system.register("Owner");
    JsonObject bot = botInGeneral(owner);
    BridgeClient browser = system.connect(1, Transport.RAW_WEBSOCKET).signedInAs(bot.getString("token"));
    String address = Addresses.chat(bot.getString("chatId"));
    browser.listen(address);

    String marker = marker();
    system.publish(0, address, testEvent(marker));
    browser.await(event(address, marker), WAIT);
  }

  @Test
  @DisplayName("a user's own access token works on the TCP bridge too")
  void userTokenOverTcp() {
    Account alice = system.register("Alice");
    TcpBridgeClient tcp = system.connectTcp(0);
    tcp.signedInAs(alice.token());
    String own = Addresses.user(alice.id());
    tcp.listen(own);

    String marker = marker();
    system.publish(1, own, testEvent(marker));
    tcp.await(event(own, marker), WAIT);
  }

  @Test
  @DisplayName("another workspace's chat is refused over TCP with exactly the browser bridge's error frame")
  void otherWorkspacesChat() {
    Account owner = system.register("Owner");
    JsonObject bot = botInGeneral(owner);
    Account stranger = system.register("Stranger");
    String elsewhere = Addresses.chat(system.general(stranger, system.workspace(stranger, List.of())));

    TcpBridgeClient tcp = system.connectTcp(0);
    JsonObject overTcp = refusedRegister(tcp, elsewhere, bot.getString("token"));
    BridgeClient browser = system.connect(0, Transport.RAW_WEBSOCKET);
    JsonObject overWebSocket = refusedRegister(browser, elsewhere, bot.getString("token"));

    assertThat(overTcp.getInteger("failureCode")).isEqualTo(403);
    assertThat(overTcp).isEqualTo(overWebSocket);
  }

  @Test
  @DisplayName("deleting a bot refuses its token and closes its open TCP connection on the other node (401, then close)")
  void deletedBotDisconnected() {
    Account owner = system.register("Owner");
    JsonObject bot = botInGeneral(owner);
    String address = Addresses.chat(bot.getString("chatId"));
    TcpBridgeClient tcp = system.connectTcp(1);
    tcp.signedInAs(bot.getString("token"));
    tcp.listen(address);

    system.expect(204, HttpMethod.DELETE, "/bots/" + bot.getString("botId"), owner.token(), null);

    JsonObject farewell = tcp.await(errCode("unauthorized"), WAIT);
    assertThat(farewell.getInteger("failureCode")).isEqualTo(401);
    tcp.awaitClosedByServer(WAIT);
    TcpBridgeClient again = system.connectTcp(0);
    JsonObject refusal = refusedRegister(again, address, bot.getString("token"));
    assertThat(refusal.getJsonObject("body").getString("code")).isEqualTo("unauthorized");
  }

  @Test
  @DisplayName("after a rotation the old token is refused on the TCP bridge and the new one is accepted")
  void rotatedToken() {
    Account owner = system.register("Owner");
    JsonObject bot = botInGeneral(owner);
    String address = Addresses.chat(bot.getString("chatId"));
    String rotated = system.expect(200, HttpMethod.POST, "/bots/" + bot.getString("botId") + "/token", owner.token(),
        null).getString("token");

    TcpBridgeClient tcp = system.connectTcp(1);
    assertThat(refusedRegister(tcp, address, bot.getString("token")).getJsonObject("body").getString("code"))
        .isEqualTo("unauthorized");
    tcp.listen(address, rotated);
  }

  @Test
  @DisplayName("malformed frames, an empty one included, get the browser bridge's errors and the connection stays usable")
  void malformedFrames() {
    Account alice = system.register("Alice");
    TcpBridgeClient tcp = system.connectTcp(0);
    for (String text : List.of("", "{not json", "[1,2,3]", "42", "null", "{}", "{\"type\":\"bogus\"}",
        "{\"type\":\"register\"}")) {
      tcp.sendText(text);
      JsonObject error = tcp.await(f -> "err".equals(f.getString("type")), WAIT);
      assertThat(error.getInteger("failureCode")).as("error for '%s': %s", text, error).isBetween(400, 499);
      assertThat(error.getJsonObject("body").getString("code")).isIn("malformed_json", "validation_failed",
          "unauthorized");
    }
    tcp.assertNothing(any(), QUIET);

    tcp.listen(Addresses.user(alice.id()), alice.token());
  }

  @Test
  @DisplayName("a frame over 64 KB is skipped with 413 payload_too_large, and the next frame is served")
  void oversizedFrame() {
    Account alice = system.register("Alice");
    TcpBridgeClient tcp = system.connectTcp(0);
    JsonObject huge = Frames.request(Addresses.SEARCH_QUERY, new JsonObject().put("q", "x".repeat(70 * 1024)),
        alice.token());

    tcp.sendText(huge.encode());
    JsonObject error = tcp.await(errCode("payload_too_large"), WAIT);
    assertThat(error.getInteger("failureCode")).isEqualTo(413);
    tcp.assertNothing(about(huge.getString("replyAddress")), Duration.ZERO);

    tcp.listen(Addresses.user(alice.id()), alice.token());
  }

  @Test
  @DisplayName("a frame announced over 64 KB is refused as soon as its length arrives; its bytes are skipped after")
  void refusedOnItsLength() {
    Account alice = system.register("Alice");
    TcpBridgeClient tcp = system.connectTcp(0);
    tcp.sendRaw(Buffer.buffer().appendInt(100_000));

    tcp.await(errCode("payload_too_large"), WAIT);
    tcp.sendRaw(Buffer.buffer(new byte[100_000]));
    tcp.listen(Addresses.user(alice.id()), alice.token());
    assertThat(tcp.closedByServer()).isFalse();
  }
}
