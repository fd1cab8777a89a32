package dev.ocomms.system.http;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Pins and saved items over REST")
class PinsAndSavedRestTest {
  private static TestSystem server;

  @BeforeAll
  static void start() {
    server = TestSystem.builder().deploy(AccountsVerticle::new).deploy(MessagingVerticle::new)
        .deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Alice and Bob in a workspace; a message of Alice's in #general. */
  private record Scene(Account alice, Account bob, String chatId, String messageId) {
  }

  private static Scene scene() {
    Account alice = server.register();
    Account bob = server.register();
    server.workspace(alice, List.of(bob));
    String chatId = server.expect(200, HttpMethod.GET, "/chats", alice.token(), null).getJsonArray("chats").stream()
        .map(JsonObject.class::cast).filter(chat -> "general".equals(chat.getString("name"))).findFirst()
        .orElseThrow().getString("id");
    String messageId = server.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", alice.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", "the plan"))
        .getString("id");
    return new Scene(alice, bob, chatId, messageId);
  }

  @Test
  @DisplayName("POST and DELETE /messages/{id}/pin pin and unpin; GET /chats/{id}/pins lists the pin with who made it")
  void pinAndListOverRest() {
    Scene s = scene();

    JsonObject pinned = server.expect(200, HttpMethod.POST, "/messages/" + s.messageId() + "/pin", s.bob().token(),
        null);

    assertThat(pinned.getBoolean("pinned")).isTrue();
    JsonArray pins = server.expect(200, HttpMethod.GET, "/chats/" + s.chatId() + "/pins", s.alice().token(), null)
        .getJsonArray("pins");
    assertThat(pins).hasSize(1);
    assertThat(pins.getJsonObject(0).getString("userId")).isEqualTo(s.bob().id());
    assertThat(pins.getJsonObject(0).getJsonObject("message").getBoolean("pinned")).isTrue();
    server.expect(200, HttpMethod.DELETE, "/messages/" + s.messageId() + "/pin", s.alice().token(), null);
    assertThat(server.expect(200, HttpMethod.GET, "/chats/" + s.chatId() + "/pins", s.alice().token(), null)
        .getJsonArray("pins")).isEmpty();
  }

  @Test
  @DisplayName("POST /messages/{id}/save saves for the caller alone; GET /users/me/saved lists it; DELETE removes it")
  void saveAndListOverRest() {
    Scene s = scene();

    server.expect(200, HttpMethod.POST, "/messages/" + s.messageId() + "/save", s.bob().token(), null);

    JsonArray items = server.expect(200, HttpMethod.GET, "/users/me/saved?limit=10", s.bob().token(), null)
        .getJsonArray("items");
    assertThat(items).hasSize(1);
    assertThat(items.getJsonObject(0).getString("messageId")).isEqualTo(s.messageId());
    assertThat(server.expect(200, HttpMethod.GET, "/users/me/saved", s.alice().token(), null).getJsonArray("items"))
        .isEmpty();
    server.expect(200, HttpMethod.DELETE, "/messages/" + s.messageId() + "/save", s.bob().token(), null);
    assertThat(server.expect(200, HttpMethod.GET, "/users/me/saved", s.bob().token(), null).getJsonArray("items"))
        .isEmpty();
  }
}
