package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static dev.ocomms.messaging.MessagingApi.message;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static dev.ocomms.messaging.MessagingApi.objects;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("History pages, threads, and sync after a gap")
class HistoryAndSyncTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.startOnBothNodes();

  private static List<UUID> users(int count) {
    return IntStream.range(0, count).mapToObj(i -> newUser()).toList();
  }

  @Test
  @DisplayName("history is newest first in pages of at most limit, hasMore until the first message; afterSeq reads forward")
  void historyPages() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    for (int i = 1; i <= 7; i++) {
      api.send(alice, chatId, "m" + i);
    }

    JsonObject newest = api.history(alice, chatId, new JsonObject().put("limit", 3));
    assertThat(objects(newest.getJsonArray("messages"))).extracting(m -> m.getLong("seq")).containsExactly(7L, 6L, 5L);
    assertThat(newest.getBoolean("hasMore")).isTrue();
    assertThat(newest.getString("chatId")).isEqualTo(chatId);
    JsonObject last = api.history(alice, chatId, new JsonObject().put("limit", 3).put("beforeSeq", 3));
    assertThat(objects(last.getJsonArray("messages"))).extracting(m -> m.getLong("seq")).containsExactly(2L, 1L);
    assertThat(last.getBoolean("hasMore")).isFalse();
    JsonObject forward = api.history(alice, chatId, new JsonObject().put("limit", 3).put("afterSeq", 4));
    assertThat(objects(forward.getJsonArray("messages"))).extracting(m -> m.getString("content"))
        .containsExactly("m5", "m6", "m7");
    assertThat(forward.getBoolean("hasMore")).isFalse();
  }

  @Test
  @DisplayName("a history limit over 100 or below 1, or both beforeSeq and afterSeq, is validation_failed")
  void historyValidation() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    for (JsonObject options : List.of(new JsonObject().put("limit", 101), new JsonObject().put("limit", 0),
        new JsonObject().put("beforeSeq", 5).put("afterSeq", 1), new JsonObject().put("beforeSeq", -1))) {
      api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_HISTORY, options.copy().put("chatId", chatId));
    }
  }

  @Test
  @DisplayName("a member who missed 50 messages gets exactly those 50 message.new events, in order, from the other node")
  void syncAfterGap() {
    UUID reader = newUser();
    List<UUID> writers = users(5);
    String chatId = api.general(reader, writers.toArray(UUID[]::new));
    api.sendMany(writers, chatId, 2);
    long lastSeen = api.chat(reader, chatId).getLong("lastSeq");

    List<JsonObject> missed = api.sendMany(writers, chatId, 10);
    JsonObject entry = api.sync(0, reader, chatId, lastSeen);

    assertThat(entry.getBoolean("tooLarge")).isFalse();
    assertThat(entry.getLong("lastSeq")).isEqualTo(lastSeen + 50);
    List<JsonObject> events = objects(entry.getJsonArray("events"));
    assertThat(events).hasSize(50);
    assertThat(events).extracting(e -> e.getString("type")).containsOnly("message.new");
    assertThat(events).extracting(e -> e.getString("chatId")).containsOnly(chatId);
    assertThat(events).extracting(e -> e.getLong("seq"))
        .containsExactlyElementsOf(LongStream.rangeClosed(lastSeen + 1, lastSeen + 50).boxed().toList());
    assertThat(events).extracting(e -> e.getJsonObject("message")).containsExactlyElementsOf(missed);
    assertThat(api.sync(1, reader, chatId, lastSeen + 50).getJsonArray("events")).as("caught up").isEmpty();
  }

  @Test
  @DisplayName("a member who missed 600 messages is told tooLarge instead of getting events")
  void syncTooLarge() {
    UUID reader = newUser();
    List<UUID> writers = users(24);
    String chatId = api.general(reader, writers.toArray(UUID[]::new));
    api.sendMany(writers, chatId, 25);

    JsonObject entry = api.sync(0, reader, chatId, 0);
    assertThat(entry.getBoolean("tooLarge")).isTrue();
    assertThat(entry.getLong("lastSeq")).isEqualTo(600);
    assertThat(entry.getJsonArray("events")).isEmpty();
    JsonObject justUnder = api.sync(1, reader, chatId, 100);
    assertThat(justUnder.getBoolean("tooLarge")).as("exactly 500 missed still fits").isFalse();
    assertThat(justUnder.getJsonArray("events")).hasSize(500);
  }

  @Test
  @DisplayName("one sync answers several chats; unknown, malformed and others' chats get an error entry, not a failure")
  void syncSeveralChats() {
    UUID alice = newUser();
    UUID bob = newUser();
    String ours = api.general(alice, bob);
    String bobsOwn = api.createChannel(bob, api.workspace(bob), "bobs-own", false).getString("id");
    String secret = api.createChannel(bob, api.workspace(bob, alice), "secret", true).getString("id");
    api.send(alice, ours, "hi");
    api.send(bob, secret, "psst");
    String unknown = UUID.randomUUID().toString();

    JsonObject chats = api.call(1, alice, Addresses.CHAT_SYNC, new JsonObject().put("chats", new JsonObject()
        .put(ours, 0).put(bobsOwn, 0).put(secret, 0).put(unknown, 0).put("zzz", 0))).getJsonObject("chats");

    assertThat(chats.getJsonObject(ours).getJsonArray("events")).hasSize(1);
    for (String hidden : List.of(bobsOwn, secret, unknown, "zzz")) {
      assertThat(chats.getJsonObject(hidden)).as("entry for %s", hidden)
          .isEqualTo(new JsonObject().put("error", "not_found"));
    }
  }

  @Test
  @DisplayName("replies carry the root as replyTo, a reply to a reply joins the root's thread, and the root counts them")
  void threads() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    JsonObject root = api.send(alice, chatId, "root");
    api.send(alice, chatId, "another top-level message");

    JsonObject first = api.call(bob, Addresses.CHAT_MESSAGE_SEND,
        message(chatId, "first reply").put("replyTo", root.getString("id")));
    JsonObject second = api.call(alice, Addresses.CHAT_MESSAGE_SEND,
        message(chatId, "reply to the reply").put("replyTo", first.getString("id")));

    assertThat(first.getString("replyTo")).isEqualTo(root.getString("id"));
    assertThat(second.getString("replyTo")).as("joins the root's thread").isEqualTo(root.getString("id"));
    List<JsonObject> topLevel = api.historyMessages(bob, chatId, new JsonObject());
    assertThat(topLevel).extracting(m -> m.getString("content"))
        .containsExactly("another top-level message", "root");
    JsonObject rootNow = topLevel.get(1);
    assertThat(rootNow.getInteger("replyCount")).isEqualTo(2);
    assertThat(rootNow.getString("lastReplyAt")).isNotNull()
        .isGreaterThanOrEqualTo(first.getString("createdAt"));
    assertThat(api.historyMessages(bob, chatId, new JsonObject().put("rootId", root.getString("id"))))
        .as("the thread, newest first").containsExactly(second, first);
  }

  @Test
  @DisplayName("a thread's replies page like history: afterSeq reads them oldest first")
  void threadPaging() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String rootId = api.send(alice, chatId, "root").getString("id");
    for (int i = 1; i <= 4; i++) {
      api.call(alice, Addresses.CHAT_MESSAGE_SEND, message(chatId, "r" + i).put("replyTo", rootId));
    }
    JsonObject page = api.history(alice, chatId, new JsonObject().put("rootId", rootId).put("afterSeq", 0)
        .put("limit", 3));
    assertThat(objects(page.getJsonArray("messages"))).extracting(m -> m.getString("content"))
        .containsExactly("r1", "r2", "r3");
    assertThat(page.getBoolean("hasMore")).isTrue();
  }
}
