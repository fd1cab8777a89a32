package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static dev.ocomms.messaging.MessagingApi.badge;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static dev.ocomms.messaging.MessagingApi.objects;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Read state: watermarks, unread and mention counts, badges on every device")
class ReadStateTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  private static JsonObject counts(UUID user, String chatId) {
    JsonObject listed = api.listed(user, chatId);
    return new JsonObject().put("unread", listed.getLong("unreadCount")).put("mentions", listed.getLong("mentionCount"));
  }

  private static JsonObject counts(long unread, long mentions) {
    return new JsonObject().put("unread", unread).put("mentions", mentions);
  }

  private static long readSeq(UUID caller, String chatId, UUID member) {
    return objects(api.call(caller, Addresses.CHAT_MEMBERS, new JsonObject().put("chatId", chatId))
        .getJsonArray("members")).stream()
        .filter(m -> member.toString().equals(m.getString("userId")))
        .findFirst().orElseThrow().getLong("readSeq");
  }

  @Test
  @DisplayName("each new message raises the recipient's counts (@channel and @here as mentions) and sends no badge: message.new carries what clients count with")
  void newMessagesAreCountedWithoutBadges() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    try (EventProbe bobsDevice = api.listenToUser(0, bob);
         EventProbe alices = api.listenToUser(1, alice);
         EventProbe chat = api.listenToChat(chatId)) {
      api.send(alice, chatId, "one");
      api.send(alice, chatId, "hey @channel");
      api.send(alice, chatId, "@here as well");
      api.send(alice, chatId, "four");

      assertThat(counts(bob, chatId)).isEqualTo(counts(4, 2));
      assertThat(counts(alice, chatId)).as("the sender has nothing unread").isEqualTo(counts(0, 0));
      assertThat(chat.awaitMatching("message.new", e -> e.getLong("seq") == 2).getJsonObject("message")
          .getJsonObject("mentions")).isEqualTo(new JsonObject().put("users", new JsonArray())
          .put("channel", true).put("here", false));
      assertThat(bobsDevice.settledBadges()).as("no badge per message").isEmpty();
      assertThat(alices.settledBadges()).isEmpty();
    }
  }

  @Test
  @DisplayName("reading on one device answers the new counts, badges every device of the reader, and tells the chat a read receipt")
  void readOnOneDevice() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    try (EventProbe bobsPhone = api.listenToUser(0, bob);
         EventProbe bobsLaptop = api.listenToUser(1, bob);
         EventProbe chat = api.listenToChat(chatId)) {
      api.send(alice, chatId, "one");
      api.send(alice, chatId, "two @channel");
      api.send(alice, chatId, "three @here");

      JsonObject reply = api.read(bob, chatId, 2);

      assertThat(reply).isEqualTo(new JsonObject().put("chatId", chatId).put("seq", 2)
          .put("unreadCount", 1).put("mentionCount", 1));
      bobsPhone.awaitMatching("notification.badge", badge(chatId, 1, 1)::equals);
      bobsLaptop.awaitMatching("notification.badge", badge(chatId, 1, 1)::equals);
      assertThat(bobsPhone.settledBadges()).as("the device that did not read is told too")
          .isEqualTo(bobsLaptop.settledBadges())
          .containsExactly(badge(chatId, 1, 1));
      assertThat(chat.awaitOne("read.receipt")).isEqualTo(new JsonObject().put("type", "read.receipt")
          .put("chatId", chatId).put("userId", bob.toString()).put("seq", 2));
      assertThat(counts(bob, chatId)).isEqualTo(counts(1, 1));
      assertThat(readSeq(alice, chatId, bob)).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("the watermark never moves backwards: reading an older seq answers the current one and tells nobody")
  void watermarkNeverMovesBack() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    for (int i = 0; i < 4; i++) {
      api.send(alice, chatId, "m" + i);
    }
    try (EventProbe bobs = api.listenToUser(bob); EventProbe chat = api.listenToChat(chatId)) {
      api.read(bob, chatId, 3);
      bobs.awaitMatching("notification.badge", badge(chatId, 1, 0)::equals);
      chat.awaitOne("read.receipt");

      JsonObject reply = api.read(bob, chatId, 1);

      assertThat(reply.getLong("seq")).isEqualTo(3);
      assertThat(reply.getLong("unreadCount")).isEqualTo(1);
      assertThat(readSeq(alice, chatId, bob)).isEqualTo(3);
      assertThat(bobs.settledBadges()).as("only the first read changed bob's counts")
          .containsExactly(badge(chatId, 1, 0));
      assertThat(chat.settled()).as("one receipt, for seq 3")
          .filteredOn(e -> "read.receipt".equals(e.getString("type"))).singleElement()
          .satisfies(receipt -> assertThat(receipt.getLong("seq")).isEqualTo(3));
    }
    assertThat(api.read(bob, chatId, 1000).getLong("seq")).as("no further than the chat's last seq").isEqualTo(4);
    api.fails(ErrorCode.VALIDATION_FAILED, bob, Addresses.CHAT_READ, new JsonObject().put("chatId", chatId));
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.CHAT_READ, new JsonObject().put("chatId", chatId).put("seq", 1));
  }

  @Test
  @DisplayName("sending marks the sender's chat read: their counts drop to zero and their watermark is their message")
  void sendingMarksRead() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    api.send(alice, chatId, "@channel one");
    api.send(alice, chatId, "two");
    assertThat(counts(bob, chatId)).isEqualTo(counts(2, 1));

    long seq = api.send(bob, chatId, "caught up").getLong("seq");

    assertThat(counts(bob, chatId)).isEqualTo(counts(0, 0));
    assertThat(readSeq(alice, chatId, bob)).isEqualTo(seq);
    assertThat(api.listed(bob, chatId).getLong("readSeq")).as("the chat list tells the client").isEqualTo(seq);
    assertThat(counts(alice, chatId)).isEqualTo(counts(1, 0));
  }

  @Test
  @DisplayName("the chat list gives each chat's counts and the caller's read watermark, whatever happened to Redis")
  void chatListCountsFromPostgres() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String other = api.createChannel(alice, api.workspace(alice, bob), "other", false).getString("id");
    api.call(alice, Addresses.CHAT_MEMBER_ADD, new JsonObject().put("chatId", other).put("userId", bob.toString()));
    api.send(alice, chatId, "one @channel");
    api.send(alice, chatId, "two");
    api.send(alice, chatId, "three @here");
    api.read(bob, chatId, 1);
    api.send(alice, other, "elsewhere");
    api.send(bob, other, "bob answers");
    api.send(alice, other, "@channel last");

    api.flushRedis();

    assertThat(counts(bob, chatId)).isEqualTo(counts(2, 1));
    assertThat(api.listed(bob, chatId).getLong("readSeq")).isEqualTo(1);
    assertThat(counts(bob, other)).isEqualTo(counts(1, 1));
    // After the system message of bob's add (seq 1): "elsewhere" is 2, bob's answer 3.
    assertThat(api.listed(bob, other).getLong("readSeq")).isEqualTo(3);
    assertThat(counts(alice, other)).isEqualTo(counts(0, 0));
  }

  @Test
  @DisplayName("a deleted message no longer counts as unread or as a mention, and those who had it unread are told")
  void deletedMessagesDoNotCount() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String mention = api.send(alice, chatId, "@channel oops").getString("id");
    api.send(alice, chatId, "fine");
    assertThat(counts(bob, chatId)).isEqualTo(counts(2, 1));
    try (EventProbe bobs = api.listenToUser(bob); EventProbe alices = api.listenToUser(alice)) {
      api.delete(alice, mention);

      bobs.awaitMatching("notification.badge", badge(chatId, 1, 0)::equals);
      assertThat(counts(bob, chatId)).isEqualTo(counts(1, 0));
      assertThat(alices.settledBadges()).as("the message was never unread for its sender").isEmpty();
    }
  }

  @Test
  @DisplayName("an edit that adds @channel makes it a mention for the recipients, and their devices are told")
  void editedMentionsCount() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    try (EventProbe bobs = api.listenToUser(bob)) {
      String messageId = api.send(alice, chatId, "lunch?").getString("id");
      assertThat(counts(bob, chatId)).isEqualTo(counts(1, 0));

      api.edit(alice, messageId, "lunch, @channel?");

      bobs.awaitMatching("notification.badge", badge(chatId, 1, 1)::equals);
      assertThat(counts(bob, chatId)).isEqualTo(counts(1, 1));
    }
  }

  @Test
  @DisplayName("someone joining a channel with history starts with nothing unread")
  void joinerStartsRead() {
    UUID alice = newUser();
    UUID bob = newUser();
    String workspaceId = api.workspace(alice, bob);
    String chatId = api.createChannel(alice, workspaceId, "history", false).getString("id");
    api.send(alice, chatId, "before bob @channel");
    api.send(alice, chatId, "also before bob");
    api.call(bob, Addresses.CHAT_JOIN, new JsonObject().put("chatId", chatId));

    assertThat(counts(bob, chatId)).isEqualTo(counts(0, 0));
    api.send(alice, chatId, "after bob");
    assertThat(counts(bob, chatId)).isEqualTo(counts(1, 0));
  }
}
