package dev.ocomms.presence;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Collections;

import static dev.ocomms.presence.PresenceApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

/** A bad request body is answered validation_failed with the field at fault, as every verticle answers it. */
@DisplayName("Presence request bodies")
class RequestValidationTest {
  private static PresenceApi api;

  @BeforeAll
  static void start() {
    api = PresenceApi.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static void invalid(String address, JsonObject body, String field) {
    OcommsException failure = api.fails(newUser(), address, body);
    assertThat(failure.code()).as("%s %s", address, body).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(failure.details().getString("field")).as("%s %s", address, body).isEqualTo(field);
  }

  @Test
  @DisplayName("presence.update needs a known status or a boolean idle")
  void update() {
    invalid(Addresses.PRESENCE_UPDATE, new JsonObject(), "status");
    invalid(Addresses.PRESENCE_UPDATE, new JsonObject().put("status", "busy"), "status");
    invalid(Addresses.PRESENCE_UPDATE, new JsonObject().put("status", 3), "status");
    invalid(Addresses.PRESENCE_UPDATE, new JsonObject().put("idle", "yes"), "idle");
    invalid(Addresses.PRESENCE_UPDATE, new JsonObject().put("status", "away").put("idle", 1), "idle");
  }

  @Test
  @DisplayName("presence.subscribe and presence.unsubscribe need an array of at most 500 user ids")
  void subscriptions() {
    for (String address : new String[] {Addresses.PRESENCE_SUBSCRIBE, Addresses.PRESENCE_UNSUBSCRIBE}) {
      invalid(address, new JsonObject(), "userIds");
      invalid(address, new JsonObject().put("userIds", "someone"), "userIds");
      invalid(address, new JsonObject().put("userIds", new JsonArray().add(42)), "userIds");
      invalid(address, new JsonObject().put("userIds", new JsonArray(Collections.nCopies(501, newUser()))),
          "userIds");
    }
  }

  @Test
  @DisplayName("chat.typing needs chatId, then a boolean active; a malformed chatId is not_found")
  void typing() {
    invalid(Addresses.CHAT_TYPING, new JsonObject(), "chatId");
    invalid(Addresses.CHAT_TYPING, new JsonObject().put("chatId", 7).put("active", true), "chatId");
    invalid(Addresses.CHAT_TYPING, new JsonObject().put("chatId", "not-a-chat"), "active");
    invalid(Addresses.CHAT_TYPING, new JsonObject().put("chatId", newUser()).put("active", "yes"), "active");
    assertThat(api.fails(newUser(), Addresses.CHAT_TYPING,
        new JsonObject().put("chatId", "not-a-chat").put("active", true)).code()).isEqualTo(ErrorCode.NOT_FOUND);
  }
}
