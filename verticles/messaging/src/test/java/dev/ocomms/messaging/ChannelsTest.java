package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Channels: creating, listing and seeing them")
class ChannelsTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  @Test
  @DisplayName("creating a channel makes the creator its only member and announces it to the creator")
  void createChannel() {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);
    try (EventProbe ownerEvents = api.listenToUser(owner)) {
      JsonObject chat = api.call(owner, Addresses.CHANNEL_CREATE, new JsonObject().put("workspaceId", workspaceId)
          .put("name", "  Launch-Plans_2026 ").put("topic", "T minus ten")).getJsonObject("chat");

      assertThat(chat.getString("name")).isEqualTo("launch-plans_2026");
      assertThat(chat.getString("kind")).isEqualTo("channel");
      assertThat(chat.getString("workspaceId")).isEqualTo(workspaceId);
      assertThat(chat.getString("topic")).isEqualTo("T minus ten");
      assertThat(chat.getBoolean("private")).isFalse();
      assertThat(chat.getBoolean("archived")).isFalse();
      assertThat(chat.getInteger("memberCount")).isEqualTo(1);
      assertThat(chat.getLong("lastSeq")).isZero();
      assertThat(chat.getString("createdBy")).isEqualTo(owner.toString());
      assertThat(chat.containsKey("memberIds")).isFalse();
      assertThat(ownerEvents.awaitChatAdded(chat.getString("id"))).isEqualTo(chat);
      assertThat(api.hasAccess(owner, chat.getString("id"))).isTrue();
    }
  }

  @Test
  @DisplayName("channel names other than 1-80 letters, digits, '-' and '_' are rejected, naming the field")
  void rejectsBadChannelNames() {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);
    for (Object name : List.of("hello world", "", "x".repeat(81), "émoji", "dots.are.out", 7)) {
      OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHANNEL_CREATE,
          new JsonObject().put("workspaceId", workspaceId).put("name", name));
      assertThat(failure.details().getString("field")).as("for %s", name).isEqualTo("name");
    }
  }

  @Test
  @DisplayName("a topic over 250 characters or a non-boolean private flag is rejected")
  void rejectsBadTopicAndFlag() {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);
    JsonObject base = new JsonObject().put("workspaceId", workspaceId).put("name", "ok");
    assertThat(api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHANNEL_CREATE,
        base.copy().put("topic", "t".repeat(251))).details().getString("field")).isEqualTo("topic");
    assertThat(api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHANNEL_CREATE,
        base.copy().put("private", "yes")).details().getString("field")).isEqualTo("private");
  }

  @Test
  @DisplayName("a channel name already used in the workspace, in any letter case, is a conflict with reason name_taken")
  void duplicateNameIsConflict() {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);
    api.createChannel(owner, workspaceId, "random", false);

    OcommsException taken = api.fails(ErrorCode.CONFLICT, owner, Addresses.CHANNEL_CREATE,
        new JsonObject().put("workspaceId", workspaceId).put("name", "Random"));
    assertThat(taken.details().getString("reason")).isEqualTo("name_taken");
    assertThat(taken.details().getString("field")).isEqualTo("name");
    assertThat(api.fails(ErrorCode.CONFLICT, owner, Addresses.CHANNEL_CREATE,
            new JsonObject().put("workspaceId", workspaceId).put("name", "GENERAL").put("private", true))
        .details().getString("reason")).isEqualTo("name_taken");
    // Another workspace may use the name.
    assertThat(api.createChannel(owner, api.workspace(owner), "random", false).getString("name")).isEqualTo("random");
  }

  @Test
  @DisplayName("only workspace members can create channels; others get not_found")
  void createNeedsWorkspaceMembership() {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.CHANNEL_CREATE,
        new JsonObject().put("workspaceId", workspaceId).put("name", "intruders"));
    api.fails(ErrorCode.NOT_FOUND, owner, Addresses.CHANNEL_CREATE,
        new JsonObject().put("workspaceId", "123").put("name", "typo"));
  }

  @Test
  @DisplayName("the channel list shows the caller's channels and the public, open ones, never others' private ones")
  void listsVisibleChannels() {
    UUID owner = newUser();
    UUID member = newUser();
    String workspaceId = api.workspace(owner, member);
    api.createChannel(owner, workspaceId, "public-open", false);
    api.createChannel(owner, workspaceId, "owners-secret", true);
    String archived = api.createChannel(owner, workspaceId, "old-stuff", false).getString("id");
    api.call(owner, Addresses.CHAT_UPDATE, new JsonObject().put("chatId", archived).put("archived", true));
    api.createChannel(member, workspaceId, "members-secret", true);

    List<JsonObject> channels = api.call(member, Addresses.CHANNEL_LIST,
            new JsonObject().put("workspaceId", workspaceId))
        .getJsonArray("channels").stream().map(JsonObject.class::cast).toList();

    assertThat(channels).extracting(c -> c.getString("name"))
        .containsExactly("general", "members-secret", "public-open");
    assertThat(channels).extracting(c -> c.getBoolean("member")).containsExactly(true, true, false);
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.CHANNEL_LIST, new JsonObject().put("workspaceId", workspaceId));
  }

  @Test
  @DisplayName("a public channel can be read by anyone in its workspace, members included")
  void publicChannelVisibleInWorkspace() {
    UUID owner = newUser();
    UUID member = newUser();
    String workspaceId = api.workspace(owner, member);
    String chatId = api.createChannel(owner, workspaceId, "open", false).getString("id");

    assertThat(api.chat(member, chatId).getString("name")).isEqualTo("open");
    assertThat(api.call(member, Addresses.CHAT_MEMBERS, new JsonObject().put("chatId", chatId))
        .getJsonArray("members").stream().map(JsonObject.class::cast).map(m -> m.getString("userId")))
        .containsExactly(owner.toString());
    assertThat(api.hasAccess(member, chatId)).as("reading is not membership").isFalse();
  }

  @Test
  @DisplayName("a private channel is not_found for workspace members outside it, for get and members alike")
  void privateChannelHidden() {
    UUID owner = newUser();
    UUID member = newUser();
    String workspaceId = api.workspace(owner, member);
    String chatId = api.createChannel(owner, workspaceId, "secret", true).getString("id");

    api.fails(ErrorCode.NOT_FOUND, member, Addresses.CHAT_GET, new JsonObject().put("chatId", chatId));
    api.fails(ErrorCode.NOT_FOUND, member, Addresses.CHAT_MEMBERS, new JsonObject().put("chatId", chatId));
    assertThat(api.chat(owner, chatId).getBoolean("private")).isTrue();
  }

  @Test
  @DisplayName("another workspace's public channel, an unknown id and a malformed id are all not_found")
  void otherWorkspacesHidden() {
    UUID owner = newUser();
    UUID stranger = newUser();
    api.workspace(stranger);
    String chatId = api.createChannel(owner, api.workspace(owner), "ours", false).getString("id");

    OcommsException foreign = api.fails(ErrorCode.NOT_FOUND, stranger, Addresses.CHAT_GET,
        new JsonObject().put("chatId", chatId));
    OcommsException unknown = api.fails(ErrorCode.NOT_FOUND, stranger, Addresses.CHAT_GET,
        new JsonObject().put("chatId", UUID.randomUUID().toString()));
    assertThat(foreign.getMessage()).as("no hint that it exists").isEqualTo(unknown.getMessage());
    api.fails(ErrorCode.NOT_FOUND, stranger, Addresses.CHAT_GET, new JsonObject().put("chatId", "zzz"));
    api.fails(ErrorCode.NOT_FOUND, stranger, Addresses.CHAT_MEMBERS, new JsonObject().put("chatId", chatId));
    api.fails(ErrorCode.VALIDATION_FAILED, stranger, Addresses.CHAT_GET, new JsonObject().put("chatId", 12));
  }

  @Test
  @DisplayName("the chat list holds every chat the caller is in, across workspaces, with member counts")
  void listsChatsAcrossWorkspaces() {
    UUID alice = newUser();
    UUID bob = newUser();
    String first = api.workspace(alice, bob);
    String second = api.workspace(bob, alice);
    api.createChannel(bob, second, "bobs-secret", true);
    String dmId = api.openDm(alice, first, bob).getString("id");

    List<JsonObject> chats = api.call(alice, Addresses.CHAT_LIST, new JsonObject())
        .getJsonArray("chats").stream().map(JsonObject.class::cast).toList();

    assertThat(chats).hasSize(3);
    assertThat(chats).extracting(c -> c.getString("workspaceId")).containsOnly(first, second);
    assertThat(chats).filteredOn(c -> "dm".equals(c.getString("kind"))).singleElement()
        .satisfies(dm -> assertThat(dm.getString("id")).isEqualTo(dmId));
    assertThat(chats).filteredOn(c -> "general".equals(c.getString("name")))
        .allSatisfy(c -> assertThat(c.getInteger("memberCount")).isEqualTo(2))
        .allSatisfy(c -> assertThat(c.getLong("lastSeq")).isZero());
  }
}
