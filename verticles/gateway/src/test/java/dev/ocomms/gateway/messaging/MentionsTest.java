package dev.ocomms.gateway.messaging;

import dev.ocomms.gateway.bridge.BridgeServer.User;
import dev.ocomms.gateway.bridge.BridgeTestClient;
import dev.ocomms.gateway.bridge.Transport;
import dev.ocomms.shared.bus.Addresses;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static dev.ocomms.gateway.bridge.Frames.eventOfType;
import static dev.ocomms.gateway.messaging.ChatSystem.NODE_1;
import static dev.ocomms.gateway.messaging.ChatSystem.NODE_2;
import static dev.ocomms.gateway.messaging.ChatSystem.QUIET;
import static dev.ocomms.gateway.messaging.ChatSystem.counts;
import static dev.ocomms.gateway.messaging.ChatSystem.WAIT;
import static dev.ocomms.gateway.messaging.ChatSystem.listen;
import static dev.ocomms.gateway.messaging.ChatSystem.newMessage;
import static dev.ocomms.gateway.messaging.ChatSystem.request;
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
    List<User> users = system.users(3);
    User alice = users.get(0);
    User bob = users.get(1);
    User carol = users.get(2);
    String chatId = system.chat(alice, List.of(bob, carol));
    BridgeTestClient alices = system.connect(NODE_1, Transport.RAW_WEBSOCKET);
    BridgeTestClient bobs = system.connect(NODE_2, Transport.SOCKJS_WEBSOCKET);
    BridgeTestClient carols = system.connect(NODE_2, Transport.RAW_WEBSOCKET);
    listen(bobs, Addresses.user(bob.id()), bob.token());
    listen(bobs, Addresses.chat(chatId), bob.token());
    listen(carols, Addresses.user(carol.id()), carol.token());

    JsonObject stored = request(alices, Addresses.CHAT_MESSAGE_SEND,
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
    List<User> users = system.users(3);
    User alice = users.get(0);
    User bob = users.get(1);
    User dave = users.get(2);
    // Dave shares the workspace, but not the channel.
    String chatId = system.channel(alice, system.workspace(alice, List.of(bob, dave)), List.of(bob));
    BridgeTestClient alices = system.connect(NODE_2, Transport.SOCKJS_WEBSOCKET);
    BridgeTestClient bobs = system.connect(NODE_1, Transport.RAW_WEBSOCKET);
    BridgeTestClient daves = system.connect(NODE_1, Transport.SOCKJS_WEBSOCKET);
    listen(bobs, Addresses.user(bob.id()), bob.token());
    listen(daves, Addresses.user(dave.id()), dave.token());

    JsonObject stored = request(alices, Addresses.CHAT_MESSAGE_SEND,
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
