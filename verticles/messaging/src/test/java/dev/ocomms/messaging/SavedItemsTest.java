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
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Saved items: a user saves messages for later, privately")
class SavedItemsTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  private static JsonObject save(UUID caller, String messageId, boolean saved) {
    return api.call(caller, Addresses.CHAT_MESSAGE_SAVE, new JsonObject().put("messageId", messageId)
        .put("saved", saved));
  }

  private static JsonObject saved(UUID caller, JsonObject options) {
    return api.call(caller, Addresses.CHAT_SAVED, options);
  }

  private static List<String> savedIds(UUID caller) {
    return objects(saved(caller, new JsonObject()).getJsonArray("items")).stream()
        .map(item -> item.getString("messageId")).toList();
  }

  @Test
  @DisplayName("a saved message is listed with its message; removing it takes it off the list")
  void saveAndUnsave() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "read later").getString("id");

    assertThat(save(alice, messageId, true).getBoolean("saved")).isTrue();

    List<JsonObject> items = objects(saved(alice, new JsonObject()).getJsonArray("items"));
    assertThat(items).singleElement().satisfies(item -> {
      assertThat(item.getString("chatId")).isEqualTo(chatId);
      assertThat(item.getString("savedAt")).isNotNull();
      assertThat(item.getJsonObject("message").getString("content")).isEqualTo("read later");
    });
    save(alice, messageId, false);
    assertThat(savedIds(alice)).isEmpty();
  }

  @Test
  @DisplayName("the list is newest saved first and pages on with nextCursor")
  void listNewestFirstPaged() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    List<String> ids = api.sendMany(List.of(alice), chatId, 3).stream().map(m -> m.getString("id")).toList();
    for (String id : ids) {
      save(alice, id, true);
      api.sql("SELECT pg_sleep(0.005)");
    }

    JsonObject first = saved(alice, new JsonObject().put("limit", 2));
    JsonObject second = saved(alice, new JsonObject().put("limit", 2).put("cursor", first.getString("nextCursor")));

    assertThat(first.getBoolean("hasMore")).isTrue();
    assertThat(objects(first.getJsonArray("items"))).extracting(i -> i.getString("messageId"))
        .containsExactly(ids.get(2), ids.get(1));
    assertThat(second.getBoolean("hasMore")).isFalse();
    assertThat(objects(second.getJsonArray("items"))).extracting(i -> i.getString("messageId"))
        .containsExactly(ids.get(0));
  }

  @Test
  @DisplayName("saved items are private: another member of the chat does not see them, and an outsider cannot save")
  void privateToUser() {
    UUID alice = newUser();
    UUID bob = newUser();
    UUID mallory = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(alice, chatId, "mine").getString("id");
    save(alice, messageId, true);

    assertThat(savedIds(bob)).isEmpty();
    api.fails(ErrorCode.NOT_FOUND, mallory, Addresses.CHAT_MESSAGE_SAVE,
        new JsonObject().put("messageId", messageId).put("saved", true));
  }

  @Test
  @DisplayName("messages of a chat the user left drop out of their saved list")
  void leftChatsDropOut() {
    UUID alice = newUser();
    UUID bob = newUser();
    String workspaceId = api.workspace(alice, bob);
    String chatId = api.createChannel(alice, workspaceId, "plans-" + alice.toString().substring(0, 6), false)
        .getString("id");
    api.call(bob, Addresses.CHAT_JOIN, new JsonObject().put("chatId", chatId));
    String messageId = api.send(alice, chatId, "plan").getString("id");
    save(bob, messageId, true);

    api.call(bob, Addresses.CHAT_LEAVE, new JsonObject().put("chatId", chatId));

    assertThat(savedIds(bob)).isEmpty();
  }

  @Test
  @DisplayName("the user's other devices hear message.saved on user.<id>; a repeated save sends nothing")
  void otherDevicesHear() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "keep").getString("id");
    try (EventProbe devices = api.listenToUser(1, alice)) {
      save(alice, messageId, true);

      JsonObject event = devices.awaitOne("message.saved");
      assertThat(event.getString("messageId")).isEqualTo(messageId);
      assertThat(event.getString("chatId")).isEqualTo(chatId);
      assertThat(event.getBoolean("saved")).isTrue();
      save(alice, messageId, true);
      save(alice, messageId, false);
      assertThat(devices.awaitMatching("message.saved", e -> !e.getBoolean("saved")).getString("messageId"))
          .isEqualTo(messageId);
      assertThat(devices.settled().stream().filter(e -> "message.saved".equals(e.getString("type")))).hasSize(2);
    }
  }

  @Test
  @DisplayName("a user keeps at most 1000 saved items: one more is conflict with reason too_many_saved_items")
  void savedAreCapped() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "one too many").getString("id");
    api.sql("WITH m AS (INSERT INTO messaging.messages (id, chat_id, seq, client_id, sender_id, content)"
        + " SELECT gen_random_uuid(), $1, 100000 + i, gen_random_uuid(), $2, 'x' FROM generate_series(1, 1000) i"
        + " RETURNING id) INSERT INTO messaging.saved_items (user_id, message_id) SELECT $2, id FROM m",
        UUID.fromString(chatId), alice);

    OcommsException refused = api.fails(ErrorCode.CONFLICT, alice, Addresses.CHAT_MESSAGE_SAVE,
        new JsonObject().put("messageId", messageId).put("saved", true));

    assertThat(refused.details().getString("reason")).isEqualTo("too_many_saved_items");
  }
}
