package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static dev.ocomms.messaging.MessagingApi.newUser;
import static dev.ocomms.messaging.MessagingApi.objects;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Channel management: purpose, system messages, member counts in events, #general, removal rules")
class ChannelManagementTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  private static JsonObject chatId(String chatId) {
    return new JsonObject().put("chatId", chatId);
  }

  private static JsonObject member(String chatId, UUID userId) {
    return chatId(chatId).put("userId", userId.toString());
  }

  private static JsonObject system(String action, UUID actor, UUID... userIds) {
    return new JsonObject().put("action", action).put("actorId", actor.toString())
        .put("userIds", new JsonArray(List.of(userIds).stream().map(UUID::toString).toList()));
  }

  /** The chat's system messages in history, oldest first, as their {@code system} objects. */
  private static List<JsonObject> systemLines(UUID caller, String chatId) {
    return api.allMessages(0, caller, chatId).stream()
        .filter(message -> "system".equals(message.getString("kind")))
        .map(message -> message.getJsonObject("system"))
        .toList();
  }

  @Test
  @DisplayName("any member sets the purpose: it is in the chat, in the chat.updated the channel hears, and a system "
      + "message")
  void memberSetsPurpose() {
    UUID owner = newUser();
    UUID member = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, member), "team", false).getString("id");
    api.call(member, Addresses.CHAT_JOIN, chatId(chatId));

    try (EventProbe channel = api.listenToChat(chatId)) {
      JsonObject chat = api.call(member, Addresses.CHAT_UPDATE, chatId(chatId).put("purpose", " Plans and launches "))
          .getJsonObject("chat");

      assertThat(chat.getString("purpose")).isEqualTo("Plans and launches");
      assertThat(channel.awaitOne("chat.updated").getJsonObject("chat").getString("purpose"))
          .isEqualTo("Plans and launches");
    }
    assertThat(api.chat(owner, chatId).getString("purpose")).isEqualTo("Plans and launches");
    assertThat(systemLines(owner, chatId)).last()
        .isEqualTo(system("purpose", member).put("purpose", "Plans and launches"));
  }

  @Test
  @DisplayName("a channel is created with a purpose, and someone outside it cannot change it")
  void purposeOnCreateAndOnlyMembers() {
    UUID owner = newUser();
    UUID outsider = newUser();
    String workspaceId = api.workspace(owner, outsider);
    JsonObject chat = api.call(owner, Addresses.CHANNEL_CREATE, new JsonObject().put("workspaceId", workspaceId)
        .put("name", "ops").put("purpose", "Keeping the lights on")).getJsonObject("chat");

    assertThat(chat.getString("purpose")).isEqualTo("Keeping the lights on");
    api.fails(ErrorCode.FORBIDDEN, outsider, Addresses.CHAT_UPDATE,
        chatId(chat.getString("id")).put("purpose", "mine"));
  }

  @Test
  @DisplayName("joins, adds, removals and leaves are in the channel's history as system messages, in order, between "
      + "the messages")
  void membershipChangesAreInHistory() {
    UUID owner = newUser();
    UUID ann = newUser();
    UUID bob = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, ann, bob), "team", false).getString("id");

    api.call(ann, Addresses.CHAT_JOIN, chatId(chatId));
    api.send(owner, chatId, "welcome");
    api.call(ann, Addresses.CHAT_MEMBER_ADD, member(chatId, bob));
    api.call(owner, Addresses.CHAT_MEMBER_REMOVE, member(chatId, bob));
    api.call(ann, Addresses.CHAT_LEAVE, chatId(chatId));

    List<JsonObject> history = api.allMessages(0, owner, chatId);
    assertThat(history).extracting(message -> message.getString("kind", "message"))
        .containsExactly("system", "message", "system", "system", "system");
    assertThat(history).extracting(message -> message.getLong("seq")).isSorted();
    assertThat(systemLines(owner, chatId)).containsExactly(
        system("joined", ann, ann), system("added", ann, bob), system("removed", owner, bob), system("left", ann, ann));
    assertThat(history.get(0).getString("senderId")).as("who did it sends it").isEqualTo(ann.toString());
    assertThat(history.get(0).getString("content")).as("clients render the text").isEmpty();
  }

  @Test
  @DisplayName("a system message reaches the channel as message.new before its member.joined, and sync replays it")
  void systemMessageIsLiveAndSynced() {
    UUID owner = newUser();
    UUID ann = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, ann), "team", false).getString("id");
    long before = api.chat(owner, chatId).getLong("lastSeq");

    try (EventProbe channel = api.listenToChat(chatId)) {
      api.call(ann, Addresses.CHAT_JOIN, chatId(chatId));
      channel.awaitOne("member.joined");
      assertThat(channel.settled()).extracting(event -> event.getString("type"))
          .containsExactly("message.new", "member.joined");
      assertThat(channel.ofType("message.new").get(0).getJsonObject("message").getJsonObject("system"))
          .isEqualTo(system("joined", ann, ann));
    }
    JsonObject entry = api.sync(0, owner, chatId, before);
    assertThat(MessagingApi.syncedMessages(entry)).extracting(message -> message.getJsonObject("system"))
        .containsExactly(system("joined", ann, ann));
  }

  @Test
  @DisplayName("system messages do not raise anyone's unread count")
  void systemMessagesAreNotUnread() {
    UUID owner = newUser();
    UUID ann = newUser();
    UUID bob = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, ann, bob), "team", false).getString("id");

    api.call(ann, Addresses.CHAT_JOIN, chatId(chatId));
    api.call(ann, Addresses.CHAT_MEMBER_ADD, member(chatId, bob));
    api.call(ann, Addresses.CHAT_UPDATE, chatId(chatId).put("topic", "Quarterly plans"));
    api.call(bob, Addresses.CHAT_LEAVE, chatId(chatId));

    assertThat(api.listed(owner, chatId).getInteger("unreadCount")).isZero();
    assertThat(api.listed(owner, chatId).getInteger("mentionCount")).isZero();
    assertThat(api.listed(ann, chatId).getInteger("unreadCount")).isZero();
    api.send(ann, chatId, "and now a message");
    assertThat(MessagingApi.eventually(() -> api.listed(owner, chatId).getInteger("unreadCount"), 1)).isEqualTo(1);
  }

  @Test
  @DisplayName("system messages cannot be edited, deleted or replied to, even by who caused them or an owner")
  void systemMessagesAreNotEditable() {
    UUID owner = newUser();
    UUID ann = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, ann), "team", false).getString("id");
    api.call(ann, Addresses.CHAT_JOIN, chatId(chatId));
    String lineId = api.allMessages(0, ann, chatId).get(0).getString("id");

    api.fails(ErrorCode.FORBIDDEN, ann, Addresses.CHAT_MESSAGE_EDIT,
        new JsonObject().put("messageId", lineId).put("content", "I was here first"));
    api.fails(ErrorCode.FORBIDDEN, ann, Addresses.CHAT_MESSAGE_DELETE, new JsonObject().put("messageId", lineId));
    api.fails(ErrorCode.FORBIDDEN, owner, Addresses.CHAT_MESSAGE_DELETE, new JsonObject().put("messageId", lineId));
    api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHAT_MESSAGE_SEND, new JsonObject().put("chatId", chatId)
        .put("clientId", UUID.randomUUID().toString()).put("content", "a reply").put("replyTo", lineId));
  }

  @Test
  @DisplayName("member.joined and member.left carry the chat's member count after the change")
  void memberCountInEvents() {
    UUID owner = newUser();
    UUID ann = newUser();
    UUID bob = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, ann, bob), "team", false).getString("id");

    try (EventProbe channel = api.listenToChat(chatId)) {
      api.call(ann, Addresses.CHAT_JOIN, chatId(chatId));
      api.call(owner, Addresses.CHAT_MEMBER_ADD, member(chatId, bob));
      api.call(ann, Addresses.CHAT_LEAVE, chatId(chatId));
      api.call(owner, Addresses.CHAT_MEMBER_REMOVE, member(chatId, bob));

      channel.awaitMatching("member.left", event -> bob.toString().equals(event.getString("userId")));
      assertThat(channel.settled()).filteredOn(event -> event.getString("type").startsWith("member."))
          .extracting(event -> event.getString("type") + " " + event.getInteger("memberCount"))
          .containsExactly("member.joined 2", "member.joined 3", "member.left 2", "member.left 1");
    }
  }

  @Test
  @DisplayName("nobody leaves the workspace's default channel, nor is removed from it: forbidden, reason "
      + "default_channel")
  void defaultChannelCannotBeLeft() {
    UUID owner = newUser();
    UUID member = newUser();
    String generalId = api.general(owner, member);

    assertThat(api.fails(ErrorCode.FORBIDDEN, member, Addresses.CHAT_LEAVE, chatId(generalId)).details()
        .getString("reason")).isEqualTo("default_channel");
    assertThat(api.fails(ErrorCode.FORBIDDEN, owner, Addresses.CHAT_MEMBER_REMOVE, member(generalId, member))
        .details().getString("reason")).isEqualTo("default_channel");
    assertThat(api.hasAccess(member, generalId)).isTrue();
    assertThat(api.chat(owner, generalId).getInteger("memberCount")).isEqualTo(2);
  }

  @Test
  @DisplayName("joining the workspace adds no line to #general (everyone joins it), only the live member.joined")
  void joiningTheWorkspaceIsNoLineInGeneral() {
    UUID owner = newUser();
    UUID member = newUser();
    String generalId = api.general(owner, member);

    assertThat(systemLines(owner, generalId)).isEmpty();
  }

  @Test
  @DisplayName("only the channel's creator and workspace owners and admins remove others, and nobody removes the "
      + "workspace's owner")
  void removalPermissions() {
    UUID owner = newUser();
    UUID creator = newUser();
    UUID ann = newUser();
    UUID bob = newUser();
    String chatId = api.createChannel(creator, api.workspace(owner, creator, ann, bob), "team", false)
        .getString("id");
    api.call(owner, Addresses.CHAT_JOIN, chatId(chatId));
    api.call(ann, Addresses.CHAT_JOIN, chatId(chatId));
    api.call(bob, Addresses.CHAT_JOIN, chatId(chatId));

    api.fails(ErrorCode.FORBIDDEN, ann, Addresses.CHAT_MEMBER_REMOVE, member(chatId, bob));
    api.fails(ErrorCode.FORBIDDEN, creator, Addresses.CHAT_MEMBER_REMOVE, member(chatId, owner));
    assertThat(api.hasAccess(owner, chatId)).isTrue();
    api.call(creator, Addresses.CHAT_MEMBER_REMOVE, member(chatId, bob));
    assertThat(api.hasAccess(bob, chatId)).isFalse();
    api.call(owner, Addresses.CHAT_MEMBER_REMOVE, member(chatId, ann));
    assertThat(api.hasAccess(ann, chatId)).isFalse();
  }

  @Test
  @DisplayName("the member list gives each member's workspace role and who created the channel")
  void memberListHasRoles() {
    UUID owner = newUser();
    UUID creator = newUser();
    String chatId = api.createChannel(creator, api.workspace(owner, creator), "team", false).getString("id");
    api.call(owner, Addresses.CHAT_JOIN, chatId(chatId));

    List<JsonObject> members = objects(api.call(creator, Addresses.CHAT_MEMBERS, chatId(chatId))
        .getJsonArray("members"));
    assertThat(members).extracting(m -> m.getString("userId") + " " + m.getString("role") + " "
            + m.getBoolean("creator"))
        .containsExactlyInAnyOrder(creator + " member true", owner + " owner false");
  }
}
