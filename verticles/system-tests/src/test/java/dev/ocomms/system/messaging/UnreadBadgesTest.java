package dev.ocomms.system.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static dev.ocomms.system.messaging.ChatSystem.NODE_1;
import static dev.ocomms.system.messaging.ChatSystem.NODE_2;
import static dev.ocomms.system.messaging.ChatSystem.QUIET;
import static dev.ocomms.system.messaging.ChatSystem.WAIT;
import static dev.ocomms.system.messaging.ChatSystem.counts;
import static dev.ocomms.testkit.bridge.Frames.eventOfType;
import static org.assertj.core.api.Assertions.assertThat;

/** Unread badges and read receipts, end to end: REST and bridge on two nodes, the real messaging verticle. */
@DisplayName("Unread badges and read receipts")
@ExtendWith(ChatSystem.Resolver.class)
class UnreadBadgesTest {
  private static ChatSystem system;

  @BeforeAll
  static void setUp(ChatSystem chatSystem) {
    system = chatSystem;
  }

  private static JsonObject badge(String chatId, int unread, int mentions) {
    return new JsonObject().put("type", "notification.badge").put("chatId", chatId).put("unreadCount", unread)
        .put("mentionCount", mentions);
  }

  /** One device of {@code user}: a bridge connection to {@code node} listening on the user's own address. */
  private static BridgeClient device(Account user, int node, Transport transport) {
    BridgeClient device = system.connect(node, transport);
    device.listen(Addresses.user(user.id()), user.token());
    return device;
  }

  private static JsonObject nextBadge(BridgeClient device, Account user) {
    return device.await(eventOfType(Addresses.user(user.id()), "notification.badge"), WAIT).getJsonObject("body");
  }

  @Test
  @DisplayName("A member with a device on each node gets each new message on both, with sender and mentions to count "
      + "with, and no badge; the chat list counts it")
  void newMessagesReachEveryDeviceWithoutBadges() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    Account bob = users.get(1);
    String chatId = system.chat(alice, List.of(bob));
    BridgeClient phone = device(bob, NODE_1, Transport.RAW_WEBSOCKET);
    BridgeClient laptop = device(bob, NODE_2, Transport.XHR_STREAMING);
    phone.listen(Addresses.chat(chatId), bob.token());
    laptop.listen(Addresses.chat(chatId), bob.token());

    system.sendOverRest(List.of(alice), chatId, 2);

    for (BridgeClient device : List.of(phone, laptop)) {
      JsonObject message = device.await(eventOfType(Addresses.chat(chatId), "message.new"), WAIT)
          .getJsonObject("body").getJsonObject("message");
      assertThat(message.getString("senderId")).isEqualTo(alice.id());
      assertThat(message.getJsonObject("mentions").getBoolean("channel")).isFalse();
    }
    phone.assertNothing(eventOfType(Addresses.user(bob.id()), "notification.badge"), QUIET);
    laptop.assertNothing(eventOfType(Addresses.user(bob.id()), "notification.badge"), Duration.ZERO);
    assertThat(counts(system.chatListEntry(NODE_2, bob, chatId))).as("bob's chat list").isEqualTo(counts(2, 0));
  }

  @Test
  @DisplayName("Reading on one device (chat.read over the bridge) sends a badge of 0 to both of the member's devices")
  void readOnOneDeviceClearsBoth() {
    List<Account> users = system.users(2);
    Account alice = users.get(0);
    Account bob = users.get(1);
    String chatId = system.chat(alice, List.of(bob));
    BridgeClient phone = device(bob, NODE_1, Transport.SOCKJS_WEBSOCKET);
    BridgeClient laptop = device(bob, NODE_2, Transport.RAW_WEBSOCKET);
    long lastSeq = system.sendOverRest(List.of(alice), chatId, 3).get(2).getLong("seq");
    assertThat(counts(system.chatListEntry(NODE_1, bob, chatId))).as("bob's chat list").isEqualTo(counts(3, 0));

    JsonObject read = laptop.call(Addresses.CHAT_READ, new JsonObject().put("chatId", chatId).put("seq", lastSeq),
        bob.token());

    assertThat(read).isEqualTo(new JsonObject().put("chatId", chatId).put("seq", lastSeq).put("unreadCount", 0)
        .put("mentionCount", 0));
    assertThat(nextBadge(laptop, bob)).as("the laptop that read").isEqualTo(badge(chatId, 0, 0));
    assertThat(nextBadge(phone, bob)).as("the phone, on the other node").isEqualTo(badge(chatId, 0, 0));
    assertThat(counts(system.chatListEntry(NODE_1, bob, chatId))).as("bob's chat list").isEqualTo(counts(0, 0));
  }

  @Test
  @DisplayName("A read over the bridge sends read.receipt on chat.<id> to the chat's other members, on both nodes")
  void readReceiptForOtherMembers() {
    List<Account> users = system.users(3);
    Account alice = users.get(0);
    Account bob = users.get(1);
    Account carol = users.get(2);
    String chatId = system.chat(alice, List.of(bob, carol));
    String chat = Addresses.chat(chatId);
    BridgeClient alices = system.connect(NODE_1, Transport.RAW_WEBSOCKET);
    BridgeClient carols = system.connect(NODE_2, Transport.XHR_POLLING);
    BridgeClient bobs = system.connect(NODE_1, Transport.SOCKJS_WEBSOCKET);
    alices.listen(chat, alice.token());
    carols.listen(chat, carol.token());
    long seq = system.sendOverRest(List.of(alice), chatId, 2).get(1).getLong("seq");

    bobs.call(Addresses.CHAT_READ, new JsonObject().put("chatId", chatId).put("seq", seq), bob.token());

    JsonObject receipt = new JsonObject().put("type", "read.receipt").put("chatId", chatId).put("userId", bob.id())
        .put("seq", seq);
    assertThat(alices.await(eventOfType(chat, "read.receipt"), WAIT).getJsonObject("body")).as("alice, on node 1")
        .isEqualTo(receipt);
    assertThat(carols.await(eventOfType(chat, "read.receipt"), WAIT).getJsonObject("body")).as("carol, on node 2")
        .isEqualTo(receipt);
    alices.assertNothing(eventOfType(chat, "read.receipt"), QUIET);
    carols.assertNothing(eventOfType(chat, "read.receipt"), QUIET);
  }
}
