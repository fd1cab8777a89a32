package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
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

  /** The user's counts once counting has caught up with {@code expected} (or as they are after 5 s). */
  private static JsonObject settledCounts(UUID user, String chatId, JsonObject expected) {
    return MessagingApi.eventually(() -> counts(user, chatId), expected);
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
  @DisplayName("each new message raises the recipient's unread count, @channel and @here their mention count, on both devices")
  void countsAndBadges() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    try (EventProbe bobsPhone = api.listenToUser(0, bob);
         EventProbe bobsLaptop = api.listenToUser(1, bob);
         EventProbe alices = api.listenToUser(1, alice)) {
      api.send(alice, chatId, "one");
      api.send(alice, chatId, "hey @channel");
      api.send(alice, chatId, "@here as well");
      api.send(alice, chatId, "four");

      bobsPhone.awaitMatching("notification.badge", badge(chatId, 4, 2)::equals);
      bobsLaptop.awaitMatching("notification.badge", badge(chatId, 4, 2)::equals);
      assertThat(bobsPhone.settledBadges()).as("bob's phone and laptop get the same badges")
          .isEqualTo(bobsLaptop.settledBadges())
          .endsWith(badge(chatId, 4, 2))
          // One per message, unless counting the first one built the cache after the next had committed.
          .isSubsetOf(badge(chatId, 1, 0), badge(chatId, 2, 1), badge(chatId, 3, 2), badge(chatId, 4, 2));
      assertThat(alices.settled()).as("the sender has nothing unread").noneMatch(e ->
          "notification.badge".equals(e.getString("type")));
      assertThat(counts(bob, chatId)).isEqualTo(counts(4, 2));
      assertThat(counts(alice, chatId)).isEqualTo(counts(0, 0));
    }
  }

  @Test
  @DisplayName("reading on one device answers the new counts, badges both devices, and tells the chat a read receipt")
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
      bobsPhone.awaitMatching("notification.badge", badge(chatId, 3, 2)::equals);

      JsonObject reply = api.read(bob, chatId, 2);

      assertThat(reply).isEqualTo(new JsonObject().put("chatId", chatId).put("seq", 2)
          .put("unreadCount", 1).put("mentionCount", 1));
      bobsPhone.awaitMatching("notification.badge", badge(chatId, 1, 1)::equals);
      bobsLaptop.awaitMatching("notification.badge", badge(chatId, 1, 1)::equals);
      assertThat(bobsPhone.settledBadges()).as("the device that did not read is told too, in the same order")
          .isEqualTo(bobsLaptop.settledBadges())
          .endsWith(badge(chatId, 3, 2), badge(chatId, 1, 1));
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
      assertThat(bobs.settled()).as("only the first read changed bob's counts")
          .filteredOn(e -> "notification.badge".equals(e.getString("type"))).last().isEqualTo(badge(chatId, 1, 0));
      assertThat(chat.settled()).as("one receipt, for seq 3")
          .filteredOn(e -> "read.receipt".equals(e.getString("type"))).singleElement()
          .satisfies(receipt -> assertThat(receipt.getLong("seq")).isEqualTo(3));
    }
    assertThat(api.read(bob, chatId, 1000).getLong("seq")).as("no further than the chat's last seq").isEqualTo(4);
    api.fails(ErrorCode.VALIDATION_FAILED, bob, Addresses.CHAT_READ, new JsonObject().put("chatId", chatId));
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.CHAT_READ, new JsonObject().put("chatId", chatId).put("seq", 1));
  }

  @Test
  @DisplayName("sending marks the sender's chat read: their counts drop to zero and their devices are told")
  void sendingMarksRead() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    try (EventProbe bobs = api.listenToUser(bob)) {
      api.send(alice, chatId, "@channel one");
      api.send(alice, chatId, "two");
      bobs.awaitMatching("notification.badge", badge(chatId, 2, 1)::equals);

      long seq = api.send(bob, chatId, "caught up").getLong("seq");

      bobs.awaitMatching("notification.badge", badge(chatId, 0, 0)::equals);
      assertThat(counts(bob, chatId)).isEqualTo(counts(0, 0));
      assertThat(readSeq(alice, chatId, bob)).isEqualTo(seq);
      assertThat(settledCounts(alice, chatId, counts(1, 0))).isEqualTo(counts(1, 0));
    }
  }

  @Test
  @DisplayName("after Redis is flushed, the next chat list rebuilds every chat's counts from PostgreSQL")
  void countsRebuiltAfterRedisFlush() {
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
    assertThat(settledCounts(bob, chatId, counts(2, 1))).as("cached").isEqualTo(counts(2, 1));
    assertThat(settledCounts(bob, other, counts(1, 1))).as("cached").isEqualTo(counts(1, 1));

    api.flushRedis();

    assertThat(counts(bob, chatId)).isEqualTo(counts(2, 1));
    assertThat(counts(bob, other)).isEqualTo(counts(1, 1));
    assertThat(counts(alice, other)).isEqualTo(counts(0, 0));
    try (EventProbe bobs = api.listenToUser(bob)) {
      api.send(alice, chatId, "counting goes on from the rebuilt counts");
      assertThat(bobs.awaitOne("notification.badge")).isEqualTo(badge(chatId, 3, 1));
    }
  }

  @Test
  @DisplayName("a deleted message no longer counts as unread or as a mention")
  void deletedMessagesDoNotCount() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    String mention = api.send(alice, chatId, "@channel oops").getString("id");
    api.send(alice, chatId, "fine");
    assertThat(settledCounts(bob, chatId, counts(2, 1))).isEqualTo(counts(2, 1));

    api.delete(alice, mention);

    assertThat(counts(bob, chatId)).isEqualTo(counts(1, 0));
  }

  @Test
  @DisplayName("an edit that adds @channel makes it a mention for the recipients, and their devices are told")
  void editedMentionsCount() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    try (EventProbe bobs = api.listenToUser(bob)) {
      String messageId = api.send(alice, chatId, "lunch?").getString("id");
      bobs.awaitMatching("notification.badge", badge(chatId, 1, 0)::equals);

      api.edit(alice, messageId, "lunch, @channel?");

      bobs.awaitMatching("notification.badge", badge(chatId, 1, 1)::equals);
      assertThat(counts(bob, chatId)).isEqualTo(counts(1, 1));
    }
  }

  @Test
  @DisplayName("someone joining a channel with history starts with nothing unread, and still so after a rebuild")
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
    assertThat(settledCounts(bob, chatId, counts(1, 0))).isEqualTo(counts(1, 0));
    api.flushRedis();
    assertThat(counts(bob, chatId)).as("PostgreSQL agrees with the cache").isEqualTo(counts(1, 0));
  }
}
