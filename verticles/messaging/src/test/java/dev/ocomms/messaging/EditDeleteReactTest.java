package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Observable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static dev.ocomms.messaging.MessagingApi.newUser;
import static dev.ocomms.messaging.MessagingApi.objects;
import static dev.ocomms.messaging.MessagingApi.syncedMessages;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Editing, deleting and reacting: each change takes its own seq and is replayed by sync")
class EditDeleteReactTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  private static List<JsonObject> events(UUID caller, String chatId, long after) {
    return objects(api.sync(1, caller, chatId, after).getJsonArray("events"));
  }

  private static JsonObject reaction(String emoji, UUID... users) {
    return new JsonObject().put("emoji", emoji).put("count", users.length)
        .put("userIds", new JsonArray(List.of(users).stream().map(UUID::toString).toList()));
  }

  @Test
  @DisplayName("an edit takes the next seq: the chat hears message.updated with the new content, and sync replays it")
  void editTakesSeq() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    JsonObject sent = api.send(alice, chatId, "helo");
    try (EventProbe chat = api.listenToChat(chatId)) {
      JsonObject edited = api.edit(alice, sent.getString("id"), "hello");

      assertThat(edited.getString("content")).isEqualTo("hello");
      assertThat(edited.getString("editedAt")).isNotNull();
      assertThat(edited.getLong("seq")).as("a message keeps the seq it was created with").isEqualTo(1);
      JsonObject event = chat.awaitOne("message.updated");
      assertThat(event.getLong("seq")).isEqualTo(2);
      assertThat(event.getString("messageId")).isEqualTo(sent.getString("id"));
      assertThat(event.getJsonObject("message")).isEqualTo(edited);
      JsonObject synced = api.sync(1, bob, chatId, 1);
      assertThat(objects(synced.getJsonArray("events"))).singleElement().satisfies(replayed -> {
        assertThat(replayed.getString("type")).isEqualTo("message.updated");
        assertThat(replayed.getLong("seq")).isEqualTo(2);
      });
      assertThat(syncedMessages(synced)).containsExactly(edited);
      assertThat(api.chat(bob, chatId).getLong("lastSeq")).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("a delete leaves a tombstone under the next seq: no content, deleted=true, heard by the chat and in sync")
  void deleteLeavesTombstone() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    JsonObject sent = api.send(alice, chatId, "oops, a secret");
    api.send(alice, chatId, "still here");
    try (EventProbe chat = api.listenToChat(chatId)) {
      JsonObject deleted = api.delete(alice, sent.getString("id"));

      assertThat(deleted.getBoolean("deleted")).isTrue();
      assertThat(deleted.getString("content")).isEmpty();
      assertThat(deleted.getString("deletedAt")).isNotNull();
      JsonObject event = chat.awaitOne("message.deleted");
      assertThat(event.getLong("seq")).isEqualTo(3);
      assertThat(event.getString("messageId")).isEqualTo(sent.getString("id"));
      assertThat(event.getJsonObject("message")).isEqualTo(deleted);
      assertThat(events(bob, chatId, 0)).extracting(e -> e.getString("type") + "@" + e.getLong("seq"))
          .containsExactly("message.new@1", "message.new@2", "message.deleted@3");
      assertThat(syncedMessages(api.sync(1, bob, chatId, 0)).get(0))
          .as("sync shows the message as it is now").isEqualTo(deleted);
      assertThat(api.historyMessages(bob, chatId, new JsonObject())).extracting(m -> m.getString("content"))
          .containsExactly("still here", "");
    }
  }

  @Test
  @DisplayName("reactions aggregate per emoji with the reacting users' ids, each change under its own seq")
  void reactionsAggregate() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(alice, chatId, "ship it?").getString("id");
    try (EventProbe chat = api.listenToChat(chatId)) {
      api.react(alice, messageId, "+1", "add");
      api.react(bob, messageId, "+1", "add");
      JsonObject reply = api.react(bob, messageId, "tada", "add");

      JsonArray expected = new JsonArray().add(reaction("+1", alice, bob)).add(reaction("tada", bob));
      assertThat(reply).isEqualTo(new JsonObject().put("messageId", messageId).put("reactions", expected));
      List<JsonObject> heard = chat.settledAbout(chatId).stream()
          .filter(e -> "message.reaction".equals(e.getString("type"))).toList();
      assertThat(heard).extracting(e -> e.getLong("seq")).containsExactlyInAnyOrder(2L, 3L, 4L);
      JsonObject last = heard.stream().filter(e -> e.getLong("seq") == 4).findFirst().orElseThrow();
      assertThat(last.getString("messageId")).isEqualTo(messageId);
      assertThat(last.getString("emoji")).isEqualTo("tada");
      assertThat(last.getString("userId")).isEqualTo(bob.toString());
      assertThat(last.getString("action")).isEqualTo("add");
      assertThat(last.getJsonArray("reactions")).isEqualTo(expected);
      List<JsonObject> replayed = events(bob, chatId, 1);
      assertThat(replayed).extracting(e -> e.getString("type") + " " + e.getString("emoji") + " " + e.getString("userId"))
          .containsExactly("message.reaction +1 " + alice, "message.reaction +1 " + bob, "message.reaction tada " + bob);
      assertThat(replayed).extracting(e -> e.getLong("seq")).containsExactly(2L, 3L, 4L);
    }
  }

  @Test
  @DisplayName("a repeated add and a remove of nothing change nothing: same reactions, no seq, no event")
  void repeatedReactionChangesNothing() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(alice, chatId, "nice").getString("id");
    JsonObject once = api.react(bob, messageId, "heart", "add");
    try (EventProbe chat = api.listenToChat(chatId)) {
      assertThat(api.react(bob, messageId, "heart", "add")).isEqualTo(once);
      assertThat(api.react(bob, messageId, "smile", "remove")).isEqualTo(once);

      assertThat(chat.settledAbout(chatId)).as("nothing after seq 2").noneMatch(e -> e.getLong("seq", 0L) > 2);
      assertThat(api.chat(alice, chatId).getLong("lastSeq")).isEqualTo(2);
      assertThat(events(alice, chatId, 0)).hasSize(2);
    }
  }

  @Test
  @DisplayName("removing a reaction takes a seq and drops the user (and the emoji once nobody is left)")
  void removeReaction() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(alice, chatId, "vote").getString("id");
    api.react(alice, messageId, "+1", "add");
    api.react(bob, messageId, "+1", "add");

    assertThat(api.react(alice, messageId, "+1", "remove").getJsonArray("reactions"))
        .containsExactly(reaction("+1", bob));
    assertThat(api.react(bob, messageId, "+1", "remove").getJsonArray("reactions")).isEmpty();
    assertThat(events(alice, chatId, 3)).extracting(e -> e.getString("action") + "@" + e.getLong("seq"))
        .containsExactly("remove@4", "remove@5");
  }

  @Test
  @DisplayName("a 51st different emoji on a message is conflict with reason too_many_emoji and uses no seq; more of an emoji already there is fine")
  void distinctEmojiAreCapped() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(alice, chatId, "pick one").getString("id");
    api.sql("INSERT INTO messaging.reactions (message_id, emoji, user_id)"
        + " SELECT $1, 'e' || i, $2 FROM generate_series(1, 50) i", UUID.fromString(messageId), alice);

    OcommsException refused = api.fails(ErrorCode.CONFLICT, bob, Addresses.CHAT_MESSAGE_REACT,
        new JsonObject().put("messageId", messageId).put("emoji", "one-too-many").put("action", "add"));

    assertThat(refused.details().getString("reason")).isEqualTo("too_many_emoji");
    assertThat(refused.details().getInteger("max")).isEqualTo(50);
    assertThat(api.chat(bob, chatId).getLong("lastSeq")).as("no seq used").isEqualTo(1);
    assertThat(api.react(alice, messageId, "e1", "add").getJsonArray("reactions")).as("a repeated add changes nothing")
        .hasSize(50);
    JsonArray after = api.react(bob, messageId, "e7", "add").getJsonArray("reactions");
    assertThat(objects(after)).hasSize(50).filteredOn(r -> r.getString("emoji").equals("e7")).singleElement()
        .satisfies(r -> assertThat(r.getInteger("count")).isEqualTo(2));
  }

  @Test
  @DisplayName("a message takes at most 1000 reactions: one more is conflict with reason too_many_reactions, and once one is removed another fits")
  void reactionsAreCapped() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String messageId = api.send(alice, chatId, "popular").getString("id");
    api.sql("INSERT INTO messaging.reactions (message_id, emoji, user_id)"
        + " SELECT $1, 'e' || (i % 10), gen_random_uuid() FROM generate_series(1, 999) i", UUID.fromString(messageId));
    api.react(alice, messageId, "e1", "add");

    OcommsException refused = api.fails(ErrorCode.CONFLICT, bob, Addresses.CHAT_MESSAGE_REACT,
        new JsonObject().put("messageId", messageId).put("emoji", "e1").put("action", "add"));

    assertThat(refused.details().getString("reason")).isEqualTo("too_many_reactions");
    assertThat(refused.details().getInteger("max")).isEqualTo(1000);
    assertThat(api.chat(bob, chatId).getLong("lastSeq")).as("only alice's reaction took a seq").isEqualTo(2);
    api.react(alice, messageId, "e1", "remove");
    assertThat(objects(api.react(bob, messageId, "e1", "add").getJsonArray("reactions")).stream()
        .mapToInt(r -> r.getInteger("count")).sum()).isEqualTo(1000);
  }

  @Test
  @DisplayName("twelve people adding a new emoji at once to a message with 45: exactly five are added, the others are too_many_emoji")
  void emojiCapHoldsUnderConcurrency() {
    UUID alice = newUser();
    List<UUID> reactors = IntStream.range(0, 12).mapToObj(i -> newUser()).toList();
    String chatId = api.general(alice, reactors.toArray(UUID[]::new));
    String messageId = api.send(alice, chatId, "crowded").getString("id");
    api.sql("INSERT INTO messaging.reactions (message_id, emoji, user_id)"
        + " SELECT $1, 'e' || i, $2 FROM generate_series(1, 45) i", UUID.fromString(messageId), alice);

    List<Object> outcomes = Observable.range(0, reactors.size())
        .flatMapSingle(i -> api.request(i % 2, reactors.get(i), Addresses.CHAT_MESSAGE_REACT, new JsonObject()
                .put("messageId", messageId).put("emoji", "new" + i).put("action", "add"))
            .<Object>map(reply -> reply)
            .onErrorReturn(failure -> failure))
        .toList().blockingGet();

    assertThat(outcomes).filteredOn(JsonObject.class::isInstance).hasSize(5);
    assertThat(outcomes).filteredOn(OcommsException.class::isInstance).hasSize(7)
        .allSatisfy(failure -> assertThat(((OcommsException) failure).details().getString("reason"))
            .isEqualTo("too_many_emoji"));
    assertThat(api.historyMessages(alice, chatId, new JsonObject()).get(0).getJsonArray("reactions")).hasSize(50);
    assertThat(api.chat(alice, chatId).getLong("lastSeq")).isEqualTo(6);
  }

  @Test
  @DisplayName("bad emoji or action, and edits with bad content, are validation_failed")
  void changeValidation() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "x").getString("id");
    for (JsonObject body : List.of(
        new JsonObject().put("emoji", "two words").put("action", "add"),
        new JsonObject().put("emoji", "").put("action", "add"),
        new JsonObject().put("emoji", "+1").put("action", "toggle"),
        new JsonObject().put("action", "add"))) {
      api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_MESSAGE_REACT, body.put("messageId", messageId));
    }
    for (Object content : new Object[] {"  ", null}) {
      api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_MESSAGE_EDIT,
          new JsonObject().put("messageId", messageId).put("content", content));
    }
    assertThat(api.chat(alice, chatId).getLong("lastSeq")).isEqualTo(1);
  }

  @Test
  @DisplayName("an edit over 16 KB is validation_failed with reason content_too_long, naming the field")
  void editTooLong() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "short").getString("id");

    OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_MESSAGE_EDIT,
        new JsonObject().put("messageId", messageId).put("content", "x".repeat(MessageActions.MAX_CONTENT_BYTES + 1)));

    assertThat(failure.details().getString("reason")).isEqualTo("content_too_long");
    assertThat(failure.details().getString("field")).isEqualTo("content");
    assertThat(api.historyMessages(alice, chatId, new JsonObject())).extracting(m -> m.getString("content"))
        .containsExactly("short");
  }

  @Test
  @DisplayName("in an archived channel messages cannot be edited, deleted or reacted to: forbidden with reason "
      + "chat_archived, and no seq is used")
  void archivedChannelRefusesChanges() {
    UUID alice = newUser();
    String chatId = api.createChannel(alice, api.workspace(alice), "old", false).getString("id");
    String messageId = api.send(alice, chatId, "kept as it is").getString("id");
    api.call(alice, Addresses.CHAT_UPDATE, new JsonObject().put("chatId", chatId).put("archived", true));

    for (var refused : List.of(
        api.fails(ErrorCode.FORBIDDEN, alice, Addresses.CHAT_MESSAGE_EDIT,
            new JsonObject().put("messageId", messageId).put("content", "changed")),
        api.fails(ErrorCode.FORBIDDEN, alice, Addresses.CHAT_MESSAGE_DELETE,
            new JsonObject().put("messageId", messageId)),
        api.fails(ErrorCode.FORBIDDEN, alice, Addresses.CHAT_MESSAGE_REACT,
            new JsonObject().put("messageId", messageId).put("emoji", "+1").put("action", "add")))) {
      assertThat(refused.details().getString("reason")).isEqualTo("chat_archived");
    }
    assertThat(api.chat(alice, chatId).getLong("lastSeq")).as("the message and the archiving's system message")
        .isEqualTo(2);
    assertThat(api.historyMessages(alice, chatId, new JsonObject())).filteredOn(MessagingApi::written)
        .extracting(m -> m.getString("content")).containsExactly("kept as it is");
  }

  @Test
  @DisplayName("a deleted message cannot be edited or reacted to (not_found); deleting it again changes nothing")
  void deletedIsFinal() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String messageId = api.send(alice, chatId, "gone soon").getString("id");
    JsonObject tombstone = api.delete(alice, messageId);

    api.fails(ErrorCode.NOT_FOUND, alice, Addresses.CHAT_MESSAGE_EDIT,
        new JsonObject().put("messageId", messageId).put("content", "back"));
    api.fails(ErrorCode.NOT_FOUND, alice, Addresses.CHAT_MESSAGE_REACT,
        new JsonObject().put("messageId", messageId).put("emoji", "+1").put("action", "add"));
    assertThat(api.delete(alice, messageId)).isEqualTo(tombstone);
    assertThat(api.chat(alice, chatId).getLong("lastSeq")).isEqualTo(2);
  }
}
