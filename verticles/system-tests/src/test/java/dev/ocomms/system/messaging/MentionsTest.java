package dev.ocomms.system.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
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
import static dev.ocomms.system.messaging.ChatSystem.newMessage;
import static dev.ocomms.testkit.bridge.Frames.eventOfType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @username} mentions end to end: messaging asks the user directory of accounts (on either node) for the ids,
 * keeps the chat's members, and counts the mention for them.
 */
@DisplayName("Mentions")
@ExtendWith(ChatSystem.Resolver.class)
class MentionsTest {
  private static ChatSystem system;

  @BeforeAll
  static void setUp(ChatSystem chatSystem) {
    system = chatSystem;
  }

  private static JsonObject mentions(String... userIds) {
    return new JsonObject().put("users", new JsonArray(List.of(userIds))).put("channel", false).put("here", false);
  }

  @Test
  @DisplayName("@username of a chat member appears in message.mentions.users (what clients count with) and raises that member's mentionCount")
  void memberIsMentioned() {
    List<Account> users = system.users(3);
    Account alice = users.get(0);
    Account bob = users.get(1);
    Account carol = users.get(2);
    String chatId = system.chat(alice, List.of(bob, carol));
    BridgeClient alices = system.connect(NODE_1, Transport.RAW_WEBSOCKET);
    BridgeClient bobs = system.connect(NODE_2, Transport.SOCKJS_WEBSOCKET);
    BridgeClient carols = system.connect(NODE_2, Transport.RAW_WEBSOCKET);
    bobs.listen(Addresses.user(bob.id()), bob.token());
    bobs.listen(Addresses.chat(chatId), bob.token());
    carols.listen(Addresses.user(carol.id()), carol.token());

    JsonObject stored = alices.call(Addresses.CHAT_MESSAGE_SEND,
        newMessage("@" + bob.username() + " can you review this?").put("chatId", chatId), alice.token());

    assertThat(stored.getJsonObject("mentions")).as("the stored message's mentions").isEqualTo(mentions(bob.id()));
    JsonObject delivered = bobs.await(eventOfType(Addresses.chat(chatId), "message.new"), WAIT)
        .getJsonObject("body").getJsonObject("message");
    assertThat(delivered.getJsonObject("mentions")).as("mentions in what bob received").isEqualTo(mentions(bob.id()));
    assertThat(counts(system.chatListEntry(NODE_1, bob, chatId))).as("bob's chat list").isEqualTo(counts(1, 1));
    assertThat(counts(system.chatListEntry(NODE_2, carol, chatId))).as("carol's chat list").isEqualTo(counts(1, 0));
  }

  @Test
  @DisplayName("@username of someone who is not in the chat mentions nobody and raises no one's mentionCount")
  void nonMemberIsNotMentioned() {
    List<Account> users = system.users(3);
    Account alice = users.get(0);
    Account bob = users.get(1);
    Account dave = users.get(2);
    // Dave shares the workspace, but not the channel.
    String chatId = system.channel(alice, system.workspace(alice, List.of(bob, dave)), List.of(bob));
    BridgeClient alices = system.connect(NODE_2, Transport.SOCKJS_WEBSOCKET);
    BridgeClient bobs = system.connect(NODE_1, Transport.RAW_WEBSOCKET);
    BridgeClient daves = system.connect(NODE_1, Transport.SOCKJS_WEBSOCKET);
    bobs.listen(Addresses.user(bob.id()), bob.token());
    daves.listen(Addresses.user(dave.id()), dave.token());

    JsonObject stored = alices.call(Addresses.CHAT_MESSAGE_SEND,
        newMessage("what does @" + dave.username() + " think?").put("chatId", chatId), alice.token());

    assertThat(stored.getJsonObject("mentions")).as("the stored message's mentions").isEqualTo(mentions());
    assertThat(counts(system.chatListEntry(NODE_1, bob, chatId))).as("bob's chat list").isEqualTo(counts(1, 0));
    daves.assertNothing(eventOfType(Addresses.user(dave.id()), "notification.badge"), QUIET);
    bobs.assertNothing(eventOfType(Addresses.user(bob.id()), "notification.badge"), Duration.ZERO);
    assertThat(system.rest(200, NODE_2, HttpMethod.GET, "/chats", dave.token(), null)
        .bodyAsJsonObject().getJsonArray("chats").stream().map(JsonObject.class::cast)
        .map(chat -> chat.getString("id"))).as("dave's chats").doesNotContain(chatId);
  }
}
