package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static dev.ocomms.messaging.MessagingApi.message;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static dev.ocomms.messaging.MessagingApi.objects;
import static dev.ocomms.messaging.MessagingApi.syncedMessages;
import static java.nio.charset.StandardCharsets.UTF_8;
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
  @DisplayName("aroundSeq gives the message at that seq with half the limit older and the rest newer, newest first")
  void historyAround() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    for (int i = 1; i <= 9; i++) {
      api.send(alice, chatId, "m" + i);
    }

    JsonObject middle = api.history(alice, chatId, new JsonObject().put("limit", 4).put("aroundSeq", 5));
    assertThat(objects(middle.getJsonArray("messages"))).extracting(m -> m.getLong("seq")).containsExactly(7L, 6L, 5L, 4L);
    assertThat(middle.getBoolean("hasMore")).as("older than 4").isTrue();
    assertThat(middle.getBoolean("hasNewer")).as("newer than 7").isTrue();
    JsonObject start = api.history(alice, chatId, new JsonObject().put("limit", 5).put("aroundSeq", 1));
    assertThat(objects(start.getJsonArray("messages"))).extracting(m -> m.getLong("seq")).containsExactly(3L, 2L, 1L);
    assertThat(start.getBoolean("hasMore")).isFalse();
    assertThat(start.getBoolean("hasNewer")).isTrue();
    JsonObject end = api.history(alice, chatId, new JsonObject().put("limit", 5).put("aroundSeq", 9));
    assertThat(objects(end.getJsonArray("messages"))).extracting(m -> m.getLong("seq")).containsExactly(9L, 8L, 7L);
    assertThat(end.getBoolean("hasNewer")).isFalse();
  }

  @Test
  @DisplayName("a history limit over 100 or below 1, or both beforeSeq and afterSeq, is validation_failed")
  void historyValidation() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    for (JsonObject options : List.of(new JsonObject().put("limit", 101), new JsonObject().put("limit", 0),
        new JsonObject().put("beforeSeq", 5).put("afterSeq", 1), new JsonObject().put("beforeSeq", -1),
        new JsonObject().put("aroundSeq", 5).put("beforeSeq", 6), new JsonObject().put("aroundSeq", -1))) {
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
    assertThat(syncedMessages(entry)).containsExactlyElementsOf(missed);
    assertThat(entry.getBoolean("hasMore")).isFalse();
    assertThat(entry.getLong("syncedSeq")).isEqualTo(lastSeen + 50);
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
    List<Long> replayed = new ArrayList<>();
    long cursor = 100;
    for (int replies = 0; replies < 20; replies++) {
      JsonObject page = api.sync(1, reader, chatId, cursor);
      assertThat(page.getBoolean("tooLarge")).as("exactly 500 missed are replayed").isFalse();
      objects(page.getJsonArray("events")).forEach(event -> replayed.add(event.getLong("seq")));
      cursor = page.getLong("syncedSeq");
      if (!page.getBoolean("hasMore")) {
        break;
      }
    }
    assertThat(replayed).containsExactlyElementsOf(LongStream.rangeClosed(101, 600).boxed().toList());
  }

  @Test
  @DisplayName("a message with many events (an edit, reactions) is in a sync reply once, as it is now; its events name it")
  void eachMessageOncePerReply() {
    UUID alice = newUser();
    List<UUID> fans = users(20);
    String chatId = api.general(alice, fans.toArray(UUID[]::new));
    String messageId = api.send(alice, chatId, "first version").getString("id");
    api.edit(alice, messageId, "second version");
    fans.forEach(fan -> api.react(fan, messageId, "+1", "add"));
    JsonObject other = api.send(alice, chatId, "another");

    JsonObject entry = api.sync(0, alice, chatId, 0);

    List<JsonObject> events = objects(entry.getJsonArray("events"));
    assertThat(events).hasSize(23).extracting(e -> e.getString("messageId"))
        .containsOnly(messageId, other.getString("id"));
    assertThat(events).as("no message inside the events").noneMatch(e -> e.containsKey("message"))
        .noneMatch(e -> e.containsKey("reactions"));
    assertThat(events.get(2)).isEqualTo(new JsonObject().put("type", "message.reaction").put("chatId", chatId)
        .put("seq", 3).put("messageId", messageId).put("emoji", "+1").put("userId", fans.get(0).toString())
        .put("action", "add"));
    JsonObject messages = entry.getJsonObject("messages");
    assertThat(messages.fieldNames()).containsExactlyInAnyOrder(messageId, other.getString("id"));
    assertThat(messages.getJsonObject(messageId).getString("content")).isEqualTo("second version");
    assertThat(messages.getJsonObject(messageId).getJsonArray("reactions").getJsonObject(0).getInteger("count"))
        .isEqualTo(20);
    assertThat(messages.getJsonObject(other.getString("id"))).isEqualTo(other);
  }

  @Test
  @DisplayName("chats with over 1 MiB to replay (16 KB messages, one with 300 reactions) sync in replies under the budget; "
      + "following hasMore and syncedSeq brings every event exactly once, also of a chat the first reply did not reach")
  void syncIsPagedByBytes() {
    UUID reader = newUser();
    List<UUID> writers = users(60);
    String big = api.general(reader, writers.toArray(UUID[]::new));
    String small = api.createChannel(reader, api.workspace(reader), "small", false).getString("id");
    // Quotes, line breaks and two-byte letters: JSON is larger than the text, and UTF-8 larger than its characters.
    String line = "\"quoted\" – é\n";
    List<JsonObject> sent = api.sendMany(writers.subList(0, 20), big, 5,
        i -> i + " " + line.repeat((MessageActions.MAX_CONTENT_BYTES - 10) / line.getBytes(UTF_8).length));
    String reacted = sent.get(0).getString("id");
    IntStream.range(0, 300).forEach(i -> api.react(writers.get(i % 60), reacted, "e" + i / 60, "add"));
    api.send(reader, small, "one");
    api.send(reader, small, "two");
    long bigLast = api.chat(reader, big).getLong("lastSeq");
    assertThat(bigLast).isEqualTo(400);

    Map<String, List<Long>> seqs = new HashMap<>(Map.of(big, new ArrayList<>(), small, new ArrayList<>()));
    JsonObject cursors = new JsonObject().put(big, 0).put(small, 0);
    List<JsonObject> replies = new ArrayList<>();
    while (!cursors.isEmpty() && replies.size() < 100) {
      JsonObject reply = api.call(1, reader, Addresses.CHAT_SYNC, new JsonObject().put("chats", cursors));
      replies.add(reply);
      JsonObject next = new JsonObject();
      for (String chatId : cursors.fieldNames()) {
        JsonObject entry = reply.getJsonObject("chats").getJsonObject(chatId);
        List<JsonObject> events = objects(entry.getJsonArray("events"));
        events.forEach(event -> seqs.get(chatId).add(event.getLong("seq")));
        assertThat(events).as("every event's message is in its reply")
            .allMatch(event -> entry.getJsonObject("messages").containsKey(event.getString("messageId")));
        assertThat(entry.getJsonObject("messages").size()).as("only the messages its events name")
            .isEqualTo(events.stream().map(event -> event.getString("messageId")).distinct().count());
        assertThat(entry.getLong("syncedSeq")).isEqualTo(events.isEmpty() ? cursors.getLong(chatId)
            : events.get(events.size() - 1).getLong("seq"));
        if (entry.getBoolean("hasMore")) {
          next.put(chatId, entry.getLong("syncedSeq"));
        }
      }
      cursors = next;
    }

    assertThat(replies).as("more than one reply").hasSizeGreaterThan(2)
        .allSatisfy(reply -> assertThat(reply.toBuffer().length()).as("reply size")
            .isLessThanOrEqualTo(SyncActions.MAX_REPLY_BYTES + 1024));
    assertThat(replies.get(0).getJsonObject("chats").getJsonObject(small)).as("not reached in the first reply")
        .isEqualTo(new JsonObject().put("lastSeq", 2).put("tooLarge", false).put("events", new JsonArray())
            .put("messages", new JsonObject()).put("hasMore", true).put("syncedSeq", 0));
    assertThat(seqs.get(big)).containsExactlyElementsOf(LongStream.rangeClosed(1, 400).boxed().toList());
    assertThat(seqs.get(small)).containsExactly(1L, 2L);
    JsonObject reactedNow = replies.stream().map(reply -> reply.getJsonObject("chats").getJsonObject(big))
        .map(entry -> entry.getJsonObject("messages").getJsonObject(reacted)).filter(Objects::nonNull)
        .reduce((first, last) -> last).orElseThrow();
    assertThat(objects(reactedNow.getJsonArray("reactions")).stream().mapToInt(r -> r.getInteger("count")).sum())
        .isEqualTo(300);
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
