package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static dev.ocomms.messaging.MessagingApi.newUser;
import static dev.ocomms.messaging.MessagingApi.objects;
import static dev.ocomms.messaging.MessagingApi.syncedMessages;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Pins: any member pins a message to its chat; the chat hears it and sync replays it")
class PinsTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  private static JsonObject pin(UUID caller, String messageId, boolean pinned) {
    return api.call(caller, Addresses.CHAT_MESSAGE_PIN, new JsonObject().put("messageId", messageId)
        .put("pinned", pinned));
  }

  private static List<JsonObject> pins(UUID caller, String chatId) {
    return objects(api.call(caller, Addresses.CHAT_PINS, new JsonObject().put("chatId", chatId)).getJsonArray("pins"));
  }

  @Test
  @DisplayName("a member who did not write the message pins it: the message says pinned, and unpinning clears it")
  void memberPinsAndUnpins() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(alice, chatId, "the plan").getString("id");

    JsonObject pinned = pin(bob, messageId, true);

    assertThat(pinned.getBoolean("pinned")).isTrue();
    assertThat(pinned.getString("pinnedAt")).isNotNull();
    assertThat(api.history(alice, chatId, new JsonObject()).getJsonArray("messages").getJsonObject(0)
        .getBoolean("pinned")).isTrue();
    assertThat(pin(alice, messageId, false).getBoolean("pinned")).isFalse();
    assertThat(pins(alice, chatId)).isEmpty();
  }

  @Test
  @DisplayName("someone outside the chat cannot pin its messages nor list its pins: not_found")
  void nonMemberCannotPin() {
    UUID alice = newUser();
    UUID mallory = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "members only").getString("id");

    api.fails(ErrorCode.NOT_FOUND, mallory, Addresses.CHAT_MESSAGE_PIN,
        new JsonObject().put("messageId", messageId).put("pinned", true));
    api.fails(ErrorCode.NOT_FOUND, mallory, Addresses.CHAT_PINS, new JsonObject().put("chatId", chatId));
    assertThat(pins(alice, chatId)).isEmpty();
  }

  @Test
  @DisplayName("the pinned list is newest pin first, each with who pinned it and the message")
  void pinsListNewestFirst() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String first = api.send(alice, chatId, "first").getString("id");
    String second = api.send(alice, chatId, "second").getString("id");
    pin(bob, second, true);
    pin(alice, first, true);

    List<JsonObject> pins = pins(bob, chatId);

    assertThat(pins).extracting(pin -> pin.getString("messageId")).containsExactly(first, second);
    assertThat(pins.get(0).getString("userId")).isEqualTo(alice.toString());
    assertThat(pins.get(1).getString("userId")).isEqualTo(bob.toString());
    assertThat(pins.get(0).getJsonObject("message").getString("content")).isEqualTo("first");
  }

  @Test
  @DisplayName("a chat takes at most 100 pins: one more is conflict with reason too_many_pins and takes no seq")
  void pinsAreCapped() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "one too many").getString("id");
    api.sql("WITH m AS (INSERT INTO messaging.messages (id, chat_id, seq, client_id, sender_id, content)"
        + " SELECT gen_random_uuid(), $1, 100000 + i, gen_random_uuid(), $2, 'x' FROM generate_series(1, 100) i"
        + " RETURNING id) INSERT INTO messaging.pins (message_id, chat_id, pinned_by) SELECT id, $1, $2 FROM m",
        UUID.fromString(chatId), alice);
    long lastSeq = api.chat(alice, chatId).getLong("lastSeq");

    OcommsException refused = api.fails(ErrorCode.CONFLICT, alice, Addresses.CHAT_MESSAGE_PIN,
        new JsonObject().put("messageId", messageId).put("pinned", true));

    assertThat(refused.details().getString("reason")).isEqualTo("too_many_pins");
    assertThat(refused.details().getInteger("max")).isEqualTo(100);
    assertThat(api.chat(alice, chatId).getLong("lastSeq")).isEqualTo(lastSeq);
  }

  @Test
  @DisplayName("a pin is message.pinned under the next seq: the chat hears it live and sync replays it")
  void pinIsSequencedEvent() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(alice, chatId, "remember this").getString("id");
    long before = api.chat(bob, chatId).getLong("lastSeq");
    try (EventProbe chat = api.listenToChat(chatId)) {
      pin(alice, messageId, true);

      JsonObject event = chat.awaitOne("message.pinned");
      assertThat(event.getLong("seq")).isEqualTo(before + 1);
      assertThat(event.getString("messageId")).isEqualTo(messageId);
      assertThat(event.getString("userId")).isEqualTo(alice.toString());
      assertThat(event.getString("pinnedAt")).isNotNull();
      assertThat(event.getJsonObject("message").getBoolean("pinned")).isTrue();
      JsonObject synced = api.sync(1, bob, chatId, before);
      assertThat(objects(synced.getJsonArray("events"))).singleElement().satisfies(replayed -> {
        assertThat(replayed.getString("type")).isEqualTo("message.pinned");
        assertThat(replayed.getString("userId")).isEqualTo(alice.toString());
        assertThat(replayed.getString("pinnedAt")).isEqualTo(event.getString("pinnedAt"));
      });
      assertThat(syncedMessages(synced)).singleElement()
          .satisfies(message -> assertThat(message.getBoolean("pinned")).isTrue());

      pin(bob, messageId, false);
      assertThat(chat.awaitOne("message.unpinned").getLong("seq")).isEqualTo(before + 2);
    }
  }

  @Test
  @DisplayName("system messages cannot be pinned (forbidden), deleted ones are not_found, and a delete removes the pin")
  void onlyLiveMessagesArePinned() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "soon gone").getString("id");
    pin(alice, messageId, true);

    api.delete(alice, messageId);

    assertThat(pins(alice, chatId)).isEmpty();
    api.fails(ErrorCode.NOT_FOUND, alice, Addresses.CHAT_MESSAGE_PIN,
        new JsonObject().put("messageId", messageId).put("pinned", true));
  }
}
