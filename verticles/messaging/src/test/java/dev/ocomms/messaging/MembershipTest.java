package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.testkit.Blocking;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Chat membership: joining, leaving, adding, removing, updating and access")
class MembershipTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  private static JsonObject chatId(String chatId) {
    return new JsonObject().put("chatId", chatId);
  }

  private static JsonObject member(String chatId, UUID userId) {
    return chatId(chatId).put("userId", userId.toString());
  }

  @Test
  @DisplayName("joining a public channel tells the channel who joined and tells the joiner about the chat")
  void joinPublicChannel() {
    UUID owner = newUser();
    UUID joiner = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, joiner), "open", false).getString("id");

    try (EventProbe channel = api.listenToChat(chatId); EventProbe joinerEvents = api.listenToUser(joiner);
         EventProbe ownerEvents = api.listenToUser(owner)) {
      JsonObject chat = api.call(joiner, Addresses.CHAT_JOIN, chatId(chatId)).getJsonObject("chat");

      assertThat(chat.getInteger("memberCount")).isEqualTo(2);
      assertThat(channel.awaitOne("member.joined")).isEqualTo(new JsonObject().put("type", "member.joined")
          .put("chatId", chatId).put("userId", joiner.toString()).put("by", joiner.toString()).put("memberCount", 2));
      assertThat(joinerEvents.awaitChatAdded(chatId)).isEqualTo(chat);
      // The owner may still hear of creating the channel, never of someone else joining it.
      assertThat(ownerEvents.settledAbout(chatId)).allSatisfy(event ->
          assertThat(event.getJsonObject("chat").getInteger("memberCount")).isEqualTo(1));
    }
    assertThat(api.hasAccess(joiner, chatId)).isTrue();
  }

  @Test
  @DisplayName("joining a channel one is already in changes nothing and announces nothing")
  void joinIsIdempotent() {
    UUID owner = newUser();
    UUID joiner = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, joiner), "open", false).getString("id");
    try (EventProbe channel = api.listenToChat(chatId); EventProbe joinerEvents = api.listenToUser(joiner)) {
      api.call(joiner, Addresses.CHAT_JOIN, chatId(chatId));
      assertThat(api.call(joiner, Addresses.CHAT_JOIN, chatId(chatId)).getJsonObject("chat").getInteger("memberCount"))
          .isEqualTo(2);
      // The join's system message, then the join itself: once.
      assertThat(channel.settled()).extracting(e -> e.getString("type")).containsExactly("message.new", "member.joined");
      assertThat(joinerEvents.settledAbout(chatId)).extracting(e -> e.getString("type")).containsExactly("chat.added");
    }
  }

  @Test
  @DisplayName("private channels and other workspaces' channels cannot be joined (not_found); archived ones are "
      + "forbidden with reason chat_archived")
  void joinRefusals() {
    UUID owner = newUser();
    UUID member = newUser();
    String workspaceId = api.workspace(owner, member);
    String secret = api.createChannel(owner, workspaceId, "secret", true).getString("id");
    String archived = api.createChannel(owner, workspaceId, "old", false).getString("id");
    api.call(owner, Addresses.CHAT_UPDATE, chatId(archived).put("archived", true));

    api.fails(ErrorCode.NOT_FOUND, member, Addresses.CHAT_JOIN, chatId(secret));
    assertThat(api.fails(ErrorCode.FORBIDDEN, member, Addresses.CHAT_JOIN, chatId(archived)).details()
        .getString("reason")).isEqualTo("chat_archived");
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.CHAT_JOIN,
        chatId(api.chatNamed(owner, "general").getString("id")));
    api.fails(ErrorCode.NOT_FOUND, member, Addresses.CHAT_JOIN, chatId("nope"));
    assertThat(api.hasAccess(member, secret)).isFalse();
  }

  @Test
  @DisplayName("leaving a channel tells the channel and the leaver, and ends the leaver's access")
  void leaveChannel() {
    UUID owner = newUser();
    UUID member = newUser();
    String randomId = api.createChannel(owner, api.workspace(owner, member), "random", false).getString("id");
    api.call(member, Addresses.CHAT_JOIN, chatId(randomId));

    try (EventProbe channel = api.listenToChat(randomId); EventProbe memberEvents = api.listenToUser(member)) {
      assertThat(api.call(member, Addresses.CHAT_LEAVE, chatId(randomId))).isEqualTo(new JsonObject());

      assertThat(channel.awaitOne("member.left")).isEqualTo(new JsonObject().put("type", "member.left")
          .put("chatId", randomId).put("userId", member.toString()).put("by", member.toString())
          .put("reason", "left").put("memberCount", 1));
      assertThat(memberEvents.awaitOne("chat.removed")).isEqualTo(new JsonObject().put("type", "chat.removed")
          .put("chatId", randomId).put("reason", "left"));
    }
    assertThat(api.hasAccess(member, randomId)).isFalse();
    assertThat(api.chat(owner, randomId).getInteger("memberCount")).isEqualTo(1);
    api.fails(ErrorCode.NOT_FOUND, member, Addresses.CHAT_LEAVE, chatId(randomId));
  }

  @Test
  @DisplayName("a member leaving while a send of theirs holds the chat waits for it, and neither fails")
  void leavingDuringTheirSendDoesNotDeadlock() throws Exception {
    UUID owner = newUser();
    UUID member = newUser();
    UUID randomId = UUID.fromString(api.createChannel(owner, api.workspace(owner, member), "random", false)
        .getString("id"));
    api.call(member, Addresses.CHAT_JOIN, chatId(randomId.toString()));
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(api.config().pgUrl().orElseThrow()))
        .using(api.client()).build();
    try {
      SqlConnection send = pool.rxGetConnection().blockingGet();
      try {
        send.query("BEGIN").rxExecute().blockingGet();
        // A send of the member's takes its chat's row first (the seq) ...
        send.preparedQuery("UPDATE messaging.chats SET last_seq = last_seq WHERE id = $1")
            .rxExecute(Tuple.of(randomId)).blockingGet();
        CompletableFuture<JsonObject> leaving = api.request(0, member, Addresses.CHAT_LEAVE,
            new JsonObject().put("chatId", randomId.toString())).toCompletionStage().toCompletableFuture();
        Blocking.pause(300);
        // ... then the member's own row (their read state), while the leave waits.
        send.preparedQuery("UPDATE messaging.chat_members SET last_read_seq = last_read_seq"
                + " WHERE chat_id = $1 AND user_id = $2")
            .rxExecute(Tuple.of(randomId, member)).blockingGet();
        send.query("COMMIT").rxExecute().blockingGet();

        assertThat(leaving.get(10, TimeUnit.SECONDS)).isEqualTo(new JsonObject());
      } finally {
        send.rxClose().blockingAwait();
      }
    } finally {
      pool.rxClose().blockingAwait();
    }
    assertThat(api.chat(owner, randomId.toString()).getInteger("memberCount")).isEqualTo(1);
  }

  @Test
  @DisplayName("a DM cannot be left, and a DM one is not in is not_found")
  void dmsCannotBeLeft() {
    UUID alice = newUser();
    UUID bob = newUser();
    UUID carol = newUser();
    String dmId = api.openDm(alice, api.workspace(alice, bob, carol), bob).getString("id");

    OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.CHAT_LEAVE, chatId(dmId));
    assertThat(failure.getMessage()).contains("DM");
    api.fails(ErrorCode.NOT_FOUND, carol, Addresses.CHAT_LEAVE, chatId(dmId));
    assertThat(api.hasAccess(alice, dmId)).isTrue();
  }

  @Test
  @DisplayName("a member adding someone tells the channel who added whom and tells the added person, nobody else")
  void addMember() {
    UUID owner = newUser();
    UUID adder = newUser();
    UUID added = newUser();
    UUID bystander = newUser();
    String workspaceId = api.workspace(owner, adder, added, bystander);
    String chatId = api.createChannel(owner, workspaceId, "secret", true).getString("id");
    api.call(owner, Addresses.CHAT_MEMBER_ADD, member(chatId, adder));

    try (EventProbe channel = api.listenToChat(chatId); EventProbe addedEvents = api.listenToUser(added);
         EventProbe bystanderEvents = api.listenToUser(bystander)) {
      JsonObject chat = api.call(adder, Addresses.CHAT_MEMBER_ADD, member(chatId, added)).getJsonObject("chat");

      assertThat(chat.getInteger("memberCount")).isEqualTo(3);
      assertThat(addedEvents.awaitChatAdded(chatId)).isEqualTo(chat);
      // Adding again changes nothing.
      api.call(adder, Addresses.CHAT_MEMBER_ADD, member(chatId, added));
      assertThat(channel.settled()).filteredOn(event -> added.toString().equals(event.getString("userId")))
          .containsExactly(new JsonObject().put("type", "member.joined")
              .put("chatId", chatId).put("userId", added.toString()).put("by", adder.toString())
              .put("memberCount", 3));
      assertThat(addedEvents.settledAbout(chatId)).hasSize(1);
      assertThat(bystanderEvents.settledAbout(chatId)).isEmpty();
    }
    assertThat(api.hasAccess(added, chatId)).isTrue();
  }

  @Test
  @DisplayName("adding needs a channel member as caller, a workspace member as target, and no DM")
  void addRefusals() {
    UUID owner = newUser();
    UUID member = newUser();
    String workspaceId = api.workspace(owner, member);
    String open = api.createChannel(owner, workspaceId, "open", false).getString("id");
    String dmId = api.openDm(owner, workspaceId, member).getString("id");

    api.fails(ErrorCode.FORBIDDEN, member, Addresses.CHAT_MEMBER_ADD, member(open, owner));
    OcommsException outsider = api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHAT_MEMBER_ADD,
        member(open, newUser()));
    assertThat(outsider.details().getString("field")).isEqualTo("userId");
    api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHAT_MEMBER_ADD, chatId(open).put("userId", "x"));
    api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHAT_MEMBER_ADD, member(dmId, newUser()));
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.CHAT_MEMBER_ADD, member(open, member));
    assertThat(api.chat(owner, open).getInteger("memberCount")).isEqualTo(1);
  }

  @Test
  @DisplayName("the channel's creator removes a member: the channel hears who removed whom, the removed person hears why")
  void creatorRemovesMember() {
    UUID owner = newUser();
    UUID creator = newUser();
    UUID target = newUser();
    String chatId = api.createChannel(creator, api.workspace(owner, creator, target), "team", false).getString("id");
    api.call(target, Addresses.CHAT_JOIN, chatId(chatId));

    try (EventProbe channel = api.listenToChat(chatId); EventProbe targetEvents = api.listenToUser(target)) {
      api.call(creator, Addresses.CHAT_MEMBER_REMOVE, member(chatId, target));

      assertThat(channel.awaitOne("member.left")).isEqualTo(new JsonObject().put("type", "member.left")
          .put("chatId", chatId).put("userId", target.toString()).put("by", creator.toString())
          .put("reason", "removed").put("memberCount", 1));
      assertThat(targetEvents.awaitOne("chat.removed").getString("reason")).isEqualTo("removed");
    }
    assertThat(api.hasAccess(target, chatId)).isFalse();
  }

  @Test
  @DisplayName("workspace owners may remove members of channels they did not create; plain members may not")
  void removePermissions() {
    UUID owner = newUser();
    UUID creator = newUser();
    UUID member = newUser();
    String chatId = api.createChannel(creator, api.workspace(owner, creator, member), "team", false).getString("id");
    api.call(member, Addresses.CHAT_JOIN, chatId(chatId));

    api.fails(ErrorCode.FORBIDDEN, member, Addresses.CHAT_MEMBER_REMOVE, member(chatId, creator));
    assertThat(api.hasAccess(creator, chatId)).isTrue();
    api.call(owner, Addresses.CHAT_MEMBER_REMOVE, member(chatId, member));
    assertThat(api.hasAccess(member, chatId)).isFalse();
  }

  @Test
  @DisplayName("removing someone who is not a member is not_found; removing from a DM is invalid")
  void removeRefusals() {
    UUID owner = newUser();
    UUID member = newUser();
    String workspaceId = api.workspace(owner, member);
    String chatId = api.createChannel(owner, workspaceId, "team", false).getString("id");
    String dmId = api.openDm(owner, workspaceId, member).getString("id");

    api.fails(ErrorCode.NOT_FOUND, owner, Addresses.CHAT_MEMBER_REMOVE, member(chatId, member));
    api.fails(ErrorCode.NOT_FOUND, owner, Addresses.CHAT_MEMBER_REMOVE, chatId(chatId).put("userId", "bad"));
    api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHAT_MEMBER_REMOVE, member(dmId, member));
    assertThat(api.hasAccess(member, dmId)).isTrue();
  }

  @Test
  @DisplayName("any member may set the topic; the chat hears chat.updated with the whole chat")
  void memberSetsTopic() {
    UUID owner = newUser();
    UUID member = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, member), "team", false).getString("id");
    api.call(member, Addresses.CHAT_JOIN, chatId(chatId));

    try (EventProbe channel = api.listenToChat(chatId)) {
      JsonObject chat = api.call(member, Addresses.CHAT_UPDATE, chatId(chatId).put("topic", " Ship it "))
          .getJsonObject("chat");

      assertThat(chat.getString("topic")).isEqualTo("Ship it");
      assertThat(channel.awaitOne("chat.updated")).isEqualTo(new JsonObject().put("type", "chat.updated")
          .put("chatId", chatId).put("chat", chat));
      // The same topic again is no change, and no event.
      api.call(member, Addresses.CHAT_UPDATE, chatId(chatId).put("topic", "Ship it"));
      assertThat(channel.settled()).filteredOn(event -> "chat.updated".equals(event.getString("type"))).hasSize(1);
    }
  }

  @Test
  @DisplayName("renaming and archiving are for the creator and workspace owners; plain members are forbidden")
  void renameAndArchivePermissions() {
    UUID owner = newUser();
    UUID creator = newUser();
    UUID member = newUser();
    String chatId = api.createChannel(creator, api.workspace(owner, creator, member), "team", false).getString("id");
    api.call(member, Addresses.CHAT_JOIN, chatId(chatId));

    assertThat(api.fails(ErrorCode.FORBIDDEN, member, Addresses.CHAT_UPDATE, chatId(chatId).put("name", "mine"))
        .details().containsKey("reason")).as("a missing right has no reason").isFalse();
    api.fails(ErrorCode.FORBIDDEN, member, Addresses.CHAT_UPDATE, chatId(chatId).put("archived", true));
    assertThat(api.call(creator, Addresses.CHAT_UPDATE, chatId(chatId).put("name", "Team-Renamed"))
        .getJsonObject("chat").getString("name")).isEqualTo("team-renamed");
    assertThat(api.call(owner, Addresses.CHAT_UPDATE, chatId(chatId).put("archived", true))
        .getJsonObject("chat").getBoolean("archived")).isTrue();
    assertThat(api.fails(ErrorCode.FORBIDDEN, member, Addresses.CHAT_UPDATE,
        chatId(chatId).put("topic", "while archived")).details().getString("reason")).isEqualTo("chat_archived");
    assertThat(api.call(creator, Addresses.CHAT_UPDATE, chatId(chatId).put("archived", false))
        .getJsonObject("chat").getBoolean("archived")).isFalse();
  }

  @Test
  @DisplayName("renaming to a taken name is a conflict (name_taken); DMs cannot be renamed; an empty update is invalid")
  void updateRefusals() {
    UUID owner = newUser();
    UUID member = newUser();
    String workspaceId = api.workspace(owner, member);
    String chatId = api.createChannel(owner, workspaceId, "team", false).getString("id");
    String dmId = api.openDm(owner, workspaceId, member).getString("id");

    OcommsException taken = api.fails(ErrorCode.CONFLICT, owner, Addresses.CHAT_UPDATE,
        chatId(chatId).put("name", "General"));
    assertThat(taken.details().getString("reason")).isEqualTo("name_taken");
    assertThat(taken.details().getString("field")).isEqualTo("name");
    api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHAT_UPDATE, chatId(chatId).put("name", "no spaces"));
    api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHAT_UPDATE, chatId(dmId).put("name", "dm-name"));
    api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.CHAT_UPDATE, chatId(chatId));
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.CHAT_UPDATE, chatId(chatId).put("topic", "hi"));
    assertThat(api.chat(owner, chatId).getString("name")).isEqualTo("team");
  }

  @Test
  @DisplayName("chat.access answers true for members and false for everyone else, malformed ids included")
  void access() {
    UUID owner = newUser();
    UUID member = newUser();
    String chatId = api.createChannel(owner, api.workspace(owner, member), "team", false).getString("id");

    assertThat(api.hasAccess(owner, chatId)).isTrue();
    assertThat(api.hasAccess(member, chatId)).isFalse();
    assertThat(api.hasAccess(newUser(), chatId)).isFalse();
    assertThat(api.hasAccess(owner, UUID.randomUUID().toString())).isFalse();
    assertThat(api.hasAccess(owner, "../../etc")).isFalse();
  }
}
