package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static dev.ocomms.messaging.MessagingApi.message;
import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Who may do what with messages: members only, authors edit, authors and admins delete")
class MessagePermissionsTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  /**
   * A public channel of {@code owner}'s workspace with {@code member} in it; {@code outsider} is in the workspace only.
   * {@code baseSeq}: the channel's last seq once set up (the system message of the member's add).
   */
  private record Setup(UUID owner, UUID member, UUID outsider, UUID stranger, String chatId, long baseSeq) {
  }

  private static Setup setup() {
    UUID owner = newUser();
    UUID member = newUser();
    UUID outsider = newUser();
    UUID stranger = newUser();
    String workspaceId = api.workspace(owner, member, outsider);
    api.workspace(stranger);
    String chatId = api.createChannel(owner, workspaceId, "team", false).getString("id");
    api.call(owner, Addresses.CHAT_MEMBER_ADD, new JsonObject().put("chatId", chatId).put("userId", member.toString()));
    return new Setup(owner, member, outsider, stranger, chatId, api.chat(owner, chatId).getLong("lastSeq"));
  }

  @Test
  @DisplayName("non-members (of the channel or of the workspace) cannot send: not_found, nothing stored, nothing heard")
  void nonMembersCannotSend() {
    Setup s = setup();
    try (EventProbe chat = api.listenToChat(s.chatId())) {
      for (UUID nonMember : List.of(s.outsider(), s.stranger())) {
        api.fails(ErrorCode.NOT_FOUND, nonMember, Addresses.CHAT_MESSAGE_SEND, message(s.chatId(), "let me in"));
      }
      assertThat(chat.settledAbout(s.chatId())).noneMatch(e -> e.getString("type").startsWith("message."));
    }
    assertThat(api.historyMessages(s.owner(), s.chatId(), new JsonObject())).filteredOn(MessagingApi::written).isEmpty();
    assertThat(api.chat(s.owner(), s.chatId()).getLong("lastSeq")).isEqualTo(s.baseSeq());
  }

  @Test
  @DisplayName("non-members cannot read history (not_found), even of a public channel they can see")
  void nonMembersCannotReadHistory() {
    Setup s = setup();
    api.send(s.owner(), s.chatId(), "members only");
    for (UUID nonMember : List.of(s.outsider(), s.stranger())) {
      api.fails(ErrorCode.NOT_FOUND, nonMember, Addresses.CHAT_HISTORY, new JsonObject().put("chatId", s.chatId()));
    }
    assertThat(api.chat(s.outsider(), s.chatId()).getString("name")).as("the channel itself is visible")
        .isEqualTo("team");
  }

  @Test
  @DisplayName("non-members syncing a chat get an error entry, not its events")
  void nonMembersCannotSync() {
    Setup s = setup();
    api.send(s.owner(), s.chatId(), "members only");
    for (UUID nonMember : List.of(s.outsider(), s.stranger())) {
      assertThat(api.sync(0, nonMember, s.chatId(), 0)).isEqualTo(new JsonObject().put("error", "not_found"));
    }
    assertThat(api.sync(0, s.member(), s.chatId(), s.baseSeq()).getJsonArray("events")).hasSize(1);
  }

  @Test
  @DisplayName("non-members cannot react (not_found), and a former member loses access once removed")
  void nonMembersCannotReact() {
    Setup s = setup();
    String messageId = api.send(s.owner(), s.chatId(), "react to me").getString("id");
    JsonObject react = new JsonObject().put("messageId", messageId).put("emoji", "eyes").put("action", "add");
    for (UUID nonMember : List.of(s.outsider(), s.stranger())) {
      api.fails(ErrorCode.NOT_FOUND, nonMember, Addresses.CHAT_MESSAGE_REACT, react);
    }
    api.call(s.owner(), Addresses.CHAT_MEMBER_REMOVE,
        new JsonObject().put("chatId", s.chatId()).put("userId", s.member().toString()));
    api.fails(ErrorCode.NOT_FOUND, s.member(), Addresses.CHAT_MESSAGE_REACT, react);
    api.fails(ErrorCode.NOT_FOUND, s.member(), Addresses.CHAT_MESSAGE_SEND, message(s.chatId(), "still here?"));
    assertThat(api.historyMessages(s.owner(), s.chatId(), new JsonObject()).get(0).getJsonArray("reactions")).isEmpty();
  }

  @Test
  @DisplayName("only the author may edit: another member, even the workspace owner, is forbidden")
  void onlyAuthorEdits() {
    Setup s = setup();
    String messageId = api.send(s.member(), s.chatId(), "mine").getString("id");
    api.fails(ErrorCode.FORBIDDEN, s.owner(), Addresses.CHAT_MESSAGE_EDIT,
        new JsonObject().put("messageId", messageId).put("content", "theirs now"));
    api.fails(ErrorCode.NOT_FOUND, s.outsider(), Addresses.CHAT_MESSAGE_EDIT,
        new JsonObject().put("messageId", messageId).put("content", "theirs now"));
    assertThat(api.historyMessages(s.member(), s.chatId(), new JsonObject())).filteredOn(MessagingApi::written)
        .extracting(m -> m.getString("content")).containsExactly("mine");
  }

  @Test
  @DisplayName("a plain member cannot delete someone else's message (forbidden); nothing changes")
  void memberCannotDeleteOthers() {
    Setup s = setup();
    String messageId = api.send(s.owner(), s.chatId(), "owner's").getString("id");
    api.fails(ErrorCode.FORBIDDEN, s.member(), Addresses.CHAT_MESSAGE_DELETE, new JsonObject().put("messageId", messageId));
    assertThat(api.historyMessages(s.owner(), s.chatId(), new JsonObject()).get(0).getBoolean("deleted")).isFalse();
    assertThat(api.chat(s.owner(), s.chatId()).getLong("lastSeq")).isEqualTo(s.baseSeq() + 1);
  }

  @Test
  @DisplayName("the workspace owner may delete a member's message; the chat hears message.deleted")
  void ownerDeletesOthers() {
    Setup s = setup();
    String messageId = api.send(s.member(), s.chatId(), "rule-breaking").getString("id");
    try (EventProbe chat = api.listenToChat(s.chatId())) {
      JsonObject tombstone = api.delete(s.owner(), messageId);
      assertThat(tombstone.getBoolean("deleted")).isTrue();
      assertThat(tombstone.getString("senderId")).isEqualTo(s.member().toString());
      assertThat(chat.awaitOne("message.deleted").getJsonObject("message")).isEqualTo(tombstone);
    }
  }

  @Test
  @DisplayName("unknown and malformed message ids are not_found for edit, delete and react alike")
  void unknownMessages() {
    Setup s = setup();
    for (String id : List.of(UUID.randomUUID().toString(), "nope")) {
      api.fails(ErrorCode.NOT_FOUND, s.owner(), Addresses.CHAT_MESSAGE_DELETE, new JsonObject().put("messageId", id));
      api.fails(ErrorCode.NOT_FOUND, s.owner(), Addresses.CHAT_MESSAGE_EDIT,
          new JsonObject().put("messageId", id).put("content", "x"));
      api.fails(ErrorCode.NOT_FOUND, s.owner(), Addresses.CHAT_MESSAGE_REACT,
          new JsonObject().put("messageId", id).put("emoji", "x").put("action", "add"));
    }
  }
}
