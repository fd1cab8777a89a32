package dev.ocomms.system.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static dev.ocomms.system.messaging.ChatSystem.NODE_1;
import static dev.ocomms.system.messaging.ChatSystem.NODE_2;
import static dev.ocomms.system.messaging.ChatSystem.QUIET;
import static dev.ocomms.system.messaging.ChatSystem.WAIT;
import static dev.ocomms.system.messaging.ChatSystem.objects;
import static dev.ocomms.system.messaging.ChatSystem.range;
import static dev.ocomms.system.messaging.ChatSystem.seqs;
import static dev.ocomms.system.messaging.ChatSystem.syncEntry;
import static dev.ocomms.system.messaging.ChatSystem.syncedMessages;
import static dev.ocomms.testkit.bridge.Frames.eventOfType;
import static org.assertj.core.api.Assertions.assertThat;

/** Messages sent on one node reach members connected to the other, live or through chat.sync after a reconnect. */
@DisplayName("Messages across two nodes")
@ExtendWith(ChatSystem.Resolver.class)
class CrossNodeDeliveryTest {
  private static ChatSystem system;

  @BeforeAll
  static void setUp(ChatSystem chatSystem) {
    system = chatSystem;
  }

  @Test
  @DisplayName("A member connected to node 2 receives, once each and in seq order, the 50 messages a member on node 1 "
      + "sends over the bridge")
  void liveDeliveryAcrossNodes() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    Account bob = users.get(1);
    String chatId = system.chat(alice, List.of(bob));
    String chat = Addresses.chat(chatId);
    BridgeClient sender = system.connect(NODE_1, Transport.RAW_WEBSOCKET);
    BridgeClient receiver = system.connect(NODE_2, Transport.SOCKJS_WEBSOCKET);
    receiver.listen(chat, bob.token());

    List<JsonObject> sent = ChatSystem.sendOverBridge(sender, alice, chatId, 50);

    List<JsonObject> received = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      received.add(receiver.await(eventOfType(chat, "message.new"), WAIT).getJsonObject("body"));
    }
    receiver.assertNothing(eventOfType(chat, "message.new"), QUIET);
    long first = sent.get(0).getLong("seq");
    assertThat(seqs(sent)).as("seqs of the acks").isEqualTo(range(first, first + 49));
    assertThat(seqs(received)).as("seqs bob received, in arrival order").isEqualTo(range(first, first + 49));
    assertThat(received).as("what bob received").allSatisfy(event -> {
      assertThat(event.getString("chatId")).isEqualTo(chatId);
      assertThat(event.getJsonObject("message").getString("senderId")).isEqualTo(alice.id());
    });
    assertThat(received.stream().map(event -> event.getJsonObject("message")).toList())
        .as("the messages bob received are the stored ones").isEqualTo(sent);
  }

  @Test
  @DisplayName("A client that missed 50 messages reconnects to the other node and gets exactly those 50 from "
      + "chat.sync")
  void syncAfterReconnectingToTheOtherNode() {
    List<Account> users = system.users(6);
    Account bob = users.get(0);
    List<Account> senders = users.subList(1, 6);
    String chatId = system.chat(senders.get(0), concat(bob, senders.subList(1, senders.size())));
    String chat = Addresses.chat(chatId);
    BridgeClient before = system.connect(NODE_1, Transport.RAW_WEBSOCKET);
    before.listen(chat, bob.token());
    system.sendOverRest(senders.subList(0, 1), chatId, 1);
    long lastSeen = before.await(eventOfType(chat, "message.new"), WAIT).getJsonObject("body").getLong("seq");
    before.close();

    List<JsonObject> missed = system.sendOverRest(senders, chatId, 50);

    BridgeClient after = system.connect(NODE_2, Transport.XHR_STREAMING);
    JsonObject entry = syncEntry(after.call(Addresses.CHAT_SYNC,
        new JsonObject().put("chats", new JsonObject().put(chatId, lastSeen)), bob.token()), chatId);
    List<JsonObject> events = objects(entry.getJsonArray("events"));
    assertThat(entry.getBoolean("tooLarge")).isFalse();
    assertThat(entry.getLong("lastSeq")).isEqualTo(lastSeen + 50);
    assertThat(seqs(events)).as("seqs bob got from chat.sync").isEqualTo(range(lastSeen + 1, lastSeen + 50));
    assertThat(events).allSatisfy(event -> assertThat(event.getString("type")).isEqualTo("message.new"));
    assertThat(syncedMessages(entry)).as("the messages bob got from chat.sync are the ones he missed")
        .isEqualTo(missed);
    assertThat(entry.getBoolean("hasMore")).isFalse();
  }

  @Test
  @DisplayName("A client that missed 600 events is told tooLarge by chat.sync on the other node")
  void syncOfTooManyEventsIsTooLarge() {
    List<Account> users = system.users(21);
    Account bob = users.get(0);
    List<Account> senders = users.subList(1, 21);
    String chatId = system.chat(senders.get(0), concat(bob, senders.subList(1, senders.size())));
    String chat = Addresses.chat(chatId);
    BridgeClient before = system.connect(NODE_1, Transport.SOCKJS_WEBSOCKET);
    before.listen(chat, bob.token());
    system.sendOverRest(senders.subList(0, 1), chatId, 1);
    long lastSeen = before.await(eventOfType(chat, "message.new"), WAIT).getJsonObject("body").getLong("seq");
    before.close();

    system.sendOverRest(senders, chatId, 600);

    BridgeClient after = system.connect(NODE_2, Transport.RAW_WEBSOCKET);
    JsonObject entry = syncEntry(after.call(Addresses.CHAT_SYNC,
        new JsonObject().put("chats", new JsonObject().put(chatId, lastSeen)), bob.token()), chatId);
    assertThat(entry).as("bob's sync entry").isEqualTo(new JsonObject().put("lastSeq", lastSeen + 600)
        .put("tooLarge", true).put("events", new JsonArray()).put("messages", new JsonObject()).put("hasMore", false)
        .put("syncedSeq", lastSeen));
  }

  private static List<Account> concat(Account first, List<Account> others) {
    List<Account> all = new ArrayList<>();
    all.add(first);
    all.addAll(others);
    return all;
  }
}
