package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.ocomms.messaging.MessagingApi.message;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Sending messages: acks, events, idempotency, validation and rate limits")
class SendingTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.startOnBothNodes();

  @Test
  @DisplayName("a sent message is acked with its stored form, and the chat hears message.new with the same message")
  void sendAcksAndPublishes() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    try (EventProbe chat = api.listenToChat(chatId)) {
      JsonObject body = message(chatId, "hello **team**");
      JsonObject ack = api.call(alice, Addresses.CHAT_MESSAGE_SEND, body);

      assertThat(ack.getString("id")).isNotBlank();
      assertThat(ack.getString("chatId")).isEqualTo(chatId);
      assertThat(ack.getLong("seq")).isEqualTo(1);
      assertThat(ack.getString("clientId")).isEqualTo(body.getString("clientId"));
      assertThat(ack.getString("senderId")).isEqualTo(alice.toString());
      assertThat(ack.getString("content")).isEqualTo("hello **team**");
      assertThat(ack.getString("createdAt")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat(ack.getValue("editedAt")).isNull();
      assertThat(ack.getBoolean("deleted")).isFalse();
      assertThat(ack.getValue("replyTo")).isNull();
      assertThat(ack.getInteger("replyCount")).isZero();
      assertThat(ack.getString("priority")).isEqualTo("normal");
      assertThat(ack.getJsonArray("fileIds")).isEmpty();
      assertThat(ack.getJsonArray("attachments")).isEmpty();
      assertThat(ack.getJsonArray("reactions")).isEmpty();
      assertThat(ack.getJsonObject("mentions")).isEqualTo(new JsonObject()
          .put("users", new JsonArray()).put("channel", false).put("here", false));

      JsonObject event = chat.awaitOne("message.new");
      assertThat(event.getString("chatId")).isEqualTo(chatId);
      assertThat(event.getLong("seq")).isEqualTo(1);
      assertThat(event.getJsonObject("message")).isEqualTo(ack);
      assertThat(api.chat(bob, chatId).getLong("lastSeq")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("the ack comes after the commit: a history request right after it, on the other node, finds the message")
  void ackAfterCommit() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    for (int i = 0; i < 5; i++) {
      JsonObject ack = api.call(0, alice, Addresses.CHAT_MESSAGE_SEND, message(chatId, "durable " + i));
      JsonObject newest = MessagingApi.objects(api.call(1, bob, Addresses.CHAT_HISTORY,
          new JsonObject().put("chatId", chatId).put("limit", 1)).getJsonArray("messages")).get(0);
      assertThat(newest).isEqualTo(ack);
    }
  }

  @Test
  @DisplayName("the same clientId sent twice at once and again later stores one message and gets identical acks")
  void idempotentPerClientId() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    JsonObject body = message(chatId, "only once");
    try (EventProbe chat = api.listenToChat(chatId)) {
      List<JsonObject> concurrent = Single.zip(
          api.request(0, alice, Addresses.CHAT_MESSAGE_SEND, body),
          api.request(1, alice, Addresses.CHAT_MESSAGE_SEND, body),
          List::of).blockingGet();
      JsonObject later = api.call(alice, Addresses.CHAT_MESSAGE_SEND, body);

      assertThat(concurrent.get(0)).isEqualTo(concurrent.get(1)).isEqualTo(later);
      assertThat(later.getLong("seq")).isEqualTo(1);
      assertThat(api.historyMessages(bob, chatId, new JsonObject())).containsExactly(later);
      assertThat(chat.settledAbout(chatId)).as("one message.new, to the chat")
          .filteredOn(event -> "message.new".equals(event.getString("type"))).hasSize(1);
      assertThat(api.chat(alice, chatId).getLong("lastSeq")).as("no seq was used up by the retries").isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a clientId already used by someone else in the chat is a conflict and reveals nothing of their message")
  void someoneElsesClientIdConflicts() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);
    JsonObject body = message(chatId, "alice's words");
    api.call(alice, Addresses.CHAT_MESSAGE_SEND, body);

    OcommsException conflict = api.fails(ErrorCode.CONFLICT, bob, Addresses.CHAT_MESSAGE_SEND,
        body.copy().put("content", "bob's words"));
    assertThat(conflict.getMessage()).doesNotContain("alice's words");
    assertThat(conflict.details().fieldNames()).doesNotContain("message", "id");
    assertThat(api.historyMessages(alice, chatId, new JsonObject()))
        .extracting(m -> m.getString("content")).containsExactly("alice's words");
  }

  @Test
  @DisplayName("missing, blank, non-text and over-16-KB content is validation_failed, naming the field; "
      + "only over-16-KB content has reason content_too_long")
  void contentValidation() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    JsonObject base = message(chatId, "x");
    String fits = "é".repeat(MessageActions.MAX_CONTENT_BYTES / 2);
    assertThat(fits.getBytes(StandardCharsets.UTF_8)).hasSize(MessageActions.MAX_CONTENT_BYTES);

    for (Object content : new Object[] {null, "", "   \n\t", 42, fits + "e"}) {
      JsonObject body = base.copy().put("clientId", UUID.randomUUID().toString()).put("content", content);
      OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_MESSAGE_SEND, body);
      assertThat(failure.details().getString("field")).as("content %s", String.valueOf(content).length())
          .isEqualTo("content");
      assertThat(failure.details().getString("reason")).as("reason for content %s", String.valueOf(content).length())
          .isEqualTo(content == null || !content.equals(fits + "e") ? null : "content_too_long");
    }
    assertThat(api.call(alice, Addresses.CHAT_MESSAGE_SEND, base.copy().put("content", fits)).getString("content"))
        .as("exactly 16 KB of UTF-8 is allowed").isEqualTo(fits);
  }

  @Test
  @DisplayName("a missing or malformed clientId, a bad priority and bad fileIds are validation_failed, naming the field")
  void fieldValidation() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    Map<String, Object> bad = Map.of(
        "clientId", "not-a-uuid",
        "priority", "high",
        "fileIds", new JsonArray().add("nope"));
    bad.forEach((field, value) -> {
      OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_MESSAGE_SEND,
          message(chatId, "hi").put(field, value));
      assertThat(failure.details().getString("field")).as("for %s", field).isEqualTo(field);
    });
    JsonObject noClientId = message(chatId, "hi");
    noClientId.remove("clientId");
    assertThat(api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_MESSAGE_SEND, noClientId)
        .details().getString("field")).isEqualTo("clientId");
    assertThat(api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_MESSAGE_SEND,
        message(chatId, "hi").put("priority", 1)).details().getString("field")).isEqualTo("priority");
    assertThat(api.historyMessages(alice, chatId, new JsonObject())).isEmpty();
  }

  @Test
  @DisplayName("replyTo naming another chat's message, an unknown message or a malformed id is validation_failed")
  void replyToMustBeInTheChat() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    String otherChat = api.createChannel(alice, api.workspace(alice), "elsewhere", false).getString("id");
    String foreign = api.send(alice, otherChat, "over there").getString("id");

    for (String replyTo : List.of(foreign, UUID.randomUUID().toString(), "12")) {
      OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_MESSAGE_SEND,
          message(chatId, "re").put("replyTo", replyTo));
      assertThat(failure.details().getString("field")).as("replyTo %s", replyTo).isEqualTo("replyTo");
    }
    assertThat(api.historyMessages(alice, chatId, new JsonObject())).isEmpty();
  }

  @Test
  @DisplayName("more than 10 messages a second from one user is rate_limited with retryAfter, and nothing is stored")
  void messageRateLimit() {
    UUID alice = newUser();
    UUID bob = newUser();
    String chatId = api.general(alice, bob);

    List<Object> outcomes = Observable.range(0, 16)
        .flatMapSingle(i -> api.request(i % 2, alice, Addresses.CHAT_MESSAGE_SEND, message(chatId, "spam " + i))
            .<Object>map(ack -> ack)
            .onErrorReturn(failure -> failure))
        .toList().blockingGet();

    List<JsonObject> acks = outcomes.stream().filter(JsonObject.class::isInstance).map(JsonObject.class::cast).toList();
    List<OcommsException> refused = outcomes.stream().filter(OcommsException.class::isInstance)
        .map(OcommsException.class::cast).toList();
    assertThat(acks).as("the bucket holds 10, refilled at 10/s").hasSizeBetween(10, 12);
    assertThat(refused).hasSize(16 - acks.size()).allSatisfy(failure -> {
      assertThat(failure.code()).isEqualTo(ErrorCode.RATE_LIMITED);
      assertThat(failure.details().getLong("retryAfter")).isEqualTo(1);
    });
    assertThat(api.allMessages(1, bob, chatId)).hasSize(acks.size());
    // Another user is not limited by alice's sending.
    assertThat(api.send(bob, chatId, "my turn").getString("senderId")).isEqualTo(bob.toString());
  }

  @Test
  @DisplayName("a fourth urgent message within the hour is rate_limited with retryAfter; normal messages still go")
  void urgentLimit() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    for (int i = 0; i < 3; i++) {
      assertThat(api.call(alice, Addresses.CHAT_MESSAGE_SEND, message(chatId, "urgent " + i).put("priority", "urgent"))
          .getString("priority")).isEqualTo("urgent");
    }

    OcommsException refused = api.fails(ErrorCode.RATE_LIMITED, alice, Addresses.CHAT_MESSAGE_SEND,
        message(chatId, "urgent 4").put("priority", "urgent"));
    assertThat(refused.details().getLong("retryAfter")).isBetween(1L, 3600L);
    assertThat(api.send(alice, chatId, "not urgent").getString("priority")).isEqualTo("normal");
    assertThat(api.historyMessages(alice, chatId, new JsonObject()))
        .extracting(m -> m.getString("content")).containsExactly("not urgent", "urgent 2", "urgent 1", "urgent 0");
  }

  @Test
  @DisplayName("@channel and @here are recorded as mentions, except inside code")
  void channelMentionsRecorded() {
    UUID alice = newUser();
    String chatId = api.general(alice);
    assertThat(api.send(alice, chatId, "hey @channel, look").getJsonObject("mentions").getBoolean("channel")).isTrue();
    assertThat(api.send(alice, chatId, "@here now").getJsonObject("mentions").getBoolean("here")).isTrue();
    JsonObject inCode = api.send(alice, chatId, "type `@channel` to ping").getJsonObject("mentions");
    assertThat(inCode.getBoolean("channel")).isFalse();
    assertThat(inCode.getBoolean("here")).isFalse();
  }

  @Test
  @DisplayName("an archived channel cannot be written to: sending is forbidden with reason chat_archived")
  void archivedChannelIsReadOnly() {
    UUID alice = newUser();
    String chatId = api.createChannel(alice, api.workspace(alice), "old", false).getString("id");
    api.send(alice, chatId, "before");
    api.call(alice, Addresses.CHAT_UPDATE, new JsonObject().put("chatId", chatId).put("archived", true));

    OcommsException refused = api.fails(ErrorCode.FORBIDDEN, alice, Addresses.CHAT_MESSAGE_SEND,
        message(chatId, "after"));
    assertThat(refused.details().getString("reason")).isEqualTo("chat_archived");
    assertThat(api.historyMessages(alice, chatId, new JsonObject())).filteredOn(MessagingApi::written)
        .extracting(m -> m.getString("content")).containsExactly("before");
  }
}
