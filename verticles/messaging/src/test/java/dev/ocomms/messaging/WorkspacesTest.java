package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@DisplayName("Workspaces and invites")
class WorkspacesTest {
  private static final String ISO_UTC_MILLIS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  @Test
  @DisplayName("creating a workspace makes the caller its owner and answers the trimmed name with an ISO timestamp")
  void createWorkspace() {
    UUID owner = newUser();
    JsonObject workspace = api.createWorkspace(owner, "  Acme Rockets  ");

    assertThat(workspace.getString("id")).hasSize(36);
    assertThat(workspace.getString("name")).isEqualTo("Acme Rockets");
    assertThat(workspace.getString("role")).isEqualTo("owner");
    assertThat(workspace.getInteger("memberCount")).isEqualTo(1);
    assertThat(workspace.getString("createdAt")).matches(ISO_UTC_MILLIS);
    assertThat(Instant.parse(workspace.getString("createdAt"))).isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
  }

  @Test
  @DisplayName("a new workspace has a public general channel with its creator in it, announced to the creator")
  void createsGeneralChannel() {
    UUID owner = newUser();
    try (EventProbe ownerEvents = api.listenToUser(owner)) {
      String workspaceId = api.createWorkspace(owner, "Acme").getString("id");

      JsonObject general = api.chatNamed(owner, "general");
      assertThat(general.getString("workspaceId")).isEqualTo(workspaceId);
      assertThat(general.getString("kind")).isEqualTo("channel");
      assertThat(general.getBoolean("private")).isFalse();
      assertThat(general.getInteger("memberCount")).isEqualTo(1);
      assertThat(general.getString("createdBy")).isEqualTo(owner.toString());
      assertThat(general.getLong("unreadCount")).isZero();
      assertThat(general.getLong("readSeq")).isZero();
      JsonObject listed = general.copy();
      listed.remove("unreadCount");
      listed.remove("mentionCount");
      listed.remove("readSeq");
      assertThat(ownerEvents.awaitOne("chat.added").getJsonObject("chat")).isEqualTo(listed);
    }
  }

  @Test
  @DisplayName("a workspace names its default channel (generalChatId): the #general every member joins")
  void namesItsDefaultChannel() {
    UUID owner = newUser();
    JsonObject created = api.createWorkspace(owner, "Acme");
    String generalId = api.chatNamed(owner, "general").getString("id");

    assertThat(created.getString("generalChatId")).isEqualTo(generalId);
    assertThat(api.call(owner, Addresses.WORKSPACE_LIST, new JsonObject()).getJsonArray("workspaces")
        .getJsonObject(0).getString("generalChatId")).isEqualTo(generalId);
  }

  @Test
  @DisplayName("a workspace name that is missing, blank, too long or not a string is rejected, naming the field")
  void rejectsBadNames() {
    UUID owner = newUser();
    for (JsonObject body : List.of(new JsonObject(), new JsonObject().put("name", "   "),
        new JsonObject().put("name", "x".repeat(81)), new JsonObject().put("name", 42),
        new JsonObject().put("name", "line\nbreak"))) {
      OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.WORKSPACE_CREATE, body);
      assertThat(failure.details().getString("field")).as("for %s", body).isEqualTo("name");
      assertThat(failure.getMessage()).contains("name");
    }
    assertThat(api.call(owner, Addresses.WORKSPACE_LIST, new JsonObject()).getJsonArray("workspaces")).isEmpty();
  }

  @Test
  @DisplayName("a request without a caller is unauthorized, and one whose body is not a JSON object is invalid")
  void requiresCallerAndObjectBody() {
    api.fails(ErrorCode.UNAUTHORIZED, Addresses.WORKSPACE_LIST, new JsonObject(), new DeliveryOptions());
    api.fails(ErrorCode.VALIDATION_FAILED, Addresses.WORKSPACE_CREATE, "Acme",
        new Caller(newUser().toString(), null).deliveryOptions());
  }

  @Test
  @DisplayName("the workspace list holds only the caller's workspaces, with the caller's role in each")
  void listsOwnWorkspaces() {
    UUID alice = newUser();
    UUID bob = newUser();
    String first = api.workspace(alice);
    String second = api.workspace(bob, alice);
    api.workspace(bob);

    List<JsonObject> workspaces = api.call(alice, Addresses.WORKSPACE_LIST, new JsonObject())
        .getJsonArray("workspaces").stream().map(JsonObject.class::cast).toList();

    assertThat(workspaces).extracting(w -> w.getString("id")).containsExactly(first, second);
    assertThat(workspaces).extracting(w -> w.getString("role")).containsExactly("owner", "member");
    assertThat(workspaces.get(1).getInteger("memberCount")).isEqualTo(2);
  }

  @Test
  @DisplayName("an invite has a 10-character unambiguous code and expires after the hours asked for (a week by default)")
  void createsInvites() {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);

    JsonObject byDefault = api.invite(owner, workspaceId, new JsonObject());
    JsonObject shortLived = api.invite(owner, workspaceId, new JsonObject().put("expiresInHours", 2).put("maxUses", 5));

    assertThat(byDefault.getString("code")).matches("[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}");
    assertThat(byDefault.getString("workspaceId")).isEqualTo(workspaceId);
    assertThat(byDefault.getValue("maxUses")).isNull();
    assertThat(Instant.parse(byDefault.getString("expiresAt")))
        .isCloseTo(Instant.now().plus(Duration.ofHours(168)), within(Duration.ofMinutes(1)));
    assertThat(Instant.parse(shortLived.getString("expiresAt")))
        .isCloseTo(Instant.now().plus(Duration.ofHours(2)), within(Duration.ofMinutes(1)));
    assertThat(shortLived.getInteger("maxUses")).isEqualTo(5);
    assertThat(shortLived.getString("code")).isNotEqualTo(byDefault.getString("code"));
  }

  @Test
  @DisplayName("any member may invite; others (and malformed workspace ids) get not_found")
  void invitesNeedMembership() {
    UUID owner = newUser();
    UUID member = newUser();
    String workspaceId = api.workspace(owner, member);

    assertThat(api.invite(member, workspaceId, new JsonObject()).getString("code")).hasSize(10);
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.WORKSPACE_INVITE_CREATE,
        new JsonObject().put("workspaceId", workspaceId));
    api.fails(ErrorCode.NOT_FOUND, owner, Addresses.WORKSPACE_INVITE_CREATE,
        new JsonObject().put("workspaceId", "not-a-uuid"));
  }

  @Test
  @DisplayName("invite lifetimes and use limits outside their ranges are rejected, naming the field")
  void rejectsBadInviteOptions() {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);
    for (JsonObject options : List.of(new JsonObject().put("expiresInHours", 0),
        new JsonObject().put("expiresInHours", 721), new JsonObject().put("expiresInHours", 1.5),
        new JsonObject().put("maxUses", 0), new JsonObject().put("maxUses", 1001),
        new JsonObject().put("maxUses", "3"))) {
      String field = options.fieldNames().iterator().next();
      OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.WORKSPACE_INVITE_CREATE,
          options.copy().put("workspaceId", workspaceId));
      assertThat(failure.details().getString("field")).as("for %s", options).isEqualTo(field);
    }
  }

  @Test
  @DisplayName("joining with an invite makes the caller a member and puts them in general, announcing it to the channel")
  void joinsWithInvite() {
    UUID owner = newUser();
    UUID joiner = newUser();
    String workspaceId = api.workspace(owner);
    String generalId = api.chatNamed(owner, "general").getString("id");
    String code = api.invite(owner, workspaceId, new JsonObject()).getString("code");

    try (EventProbe general = api.listenToChat(generalId); EventProbe joinerEvents = api.listenToUser(joiner)) {
      JsonObject workspace = api.join(joiner, code.toLowerCase());

      assertThat(workspace.getString("id")).isEqualTo(workspaceId);
      assertThat(workspace.getString("role")).isEqualTo("member");
      assertThat(workspace.getInteger("memberCount")).isEqualTo(2);
      assertThat(general.awaitOne("member.joined")).isEqualTo(new JsonObject().put("type", "member.joined")
          .put("chatId", generalId).put("userId", joiner.toString()).put("by", joiner.toString())
          .put("memberCount", 2));
      JsonObject added = joinerEvents.awaitOne("chat.added").getJsonObject("chat");
      assertThat(added.getString("id")).isEqualTo(generalId);
      assertThat(added.getInteger("memberCount")).isEqualTo(2);
    }
    assertThat(api.hasAccess(joiner, generalId)).isTrue();
  }

  @Test
  @DisplayName("joining again is idempotent: same workspace, no second membership, no events, no invite use")
  void joinIsIdempotent() {
    UUID owner = newUser();
    UUID joiner = newUser();
    String workspaceId = api.workspace(owner);
    String generalId = api.chatNamed(owner, "general").getString("id");
    String code = api.invite(owner, workspaceId, new JsonObject().put("maxUses", 2)).getString("code");

    try (EventProbe general = api.listenToChat(generalId); EventProbe joinerEvents = api.listenToUser(joiner)) {
      api.join(joiner, code);
      JsonObject again = api.join(joiner, code);

      assertThat(again.getString("id")).isEqualTo(workspaceId);
      assertThat(again.getInteger("memberCount")).isEqualTo(2);
      assertThat(general.settled()).extracting(e -> e.getString("type")).containsExactly("member.joined");
      assertThat(joinerEvents.settled()).extracting(e -> e.getString("type")).containsExactly("chat.added");
    }
    // The repeat did not count as a use: one more person can still join with a two-use invite.
    assertThat(api.join(newUser(), code).getInteger("memberCount")).isEqualTo(3);
    // An owner "joining" their own workspace changes nothing either.
    assertThat(api.join(owner, code).getString("role")).isEqualTo("owner");
  }

  @Test
  @DisplayName("an unknown, malformed or missing invite code is not_found, or validation_failed when missing")
  void unknownCodes() {
    UUID user = newUser();
    assertThat(api.fails(ErrorCode.NOT_FOUND, user, Addresses.WORKSPACE_JOIN,
        new JsonObject().put("code", "ABCDEFGHJK")).details().containsKey("reason")).as("no reason: simply unknown")
        .isFalse();
    api.fails(ErrorCode.NOT_FOUND, user, Addresses.WORKSPACE_JOIN, new JsonObject().put("code", "'; DROP TABLE"));
    OcommsException missing = api.fails(ErrorCode.VALIDATION_FAILED, user, Addresses.WORKSPACE_JOIN, new JsonObject());
    assertThat(missing.details().getString("field")).isEqualTo("code");
    assertThat(api.call(user, Addresses.WORKSPACE_LIST, new JsonObject()).getJsonArray("workspaces")).isEmpty();
  }

  @Test
  @DisplayName("an expired invite is not_found with reason invite_expired")
  void expiredInvite() {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);
    String code = api.invite(owner, workspaceId, new JsonObject().put("expiresInHours", 1)).getString("code");
    api.sql("UPDATE messaging.invites SET expires_at = now() - interval '1 second' WHERE code = $1", code);

    OcommsException failure = api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.WORKSPACE_JOIN,
        new JsonObject().put("code", code));
    assertThat(failure.details().getString("reason")).isEqualTo("invite_expired");
    assertThat(failure.getMessage()).contains("expired");
  }

  @Test
  @DisplayName("an invite is good for maxUses joins; the next newcomer gets not_found with reason invite_used_up")
  void usedUpInvite() {
    UUID owner = newUser();
    String workspaceId = api.workspace(owner);
    String code = api.invite(owner, workspaceId, new JsonObject().put("maxUses", 2)).getString("code");
    api.join(newUser(), code);
    api.join(newUser(), code);

    UUID third = newUser();
    OcommsException failure = api.fails(ErrorCode.NOT_FOUND, third, Addresses.WORKSPACE_JOIN,
        new JsonObject().put("code", code));
    assertThat(failure.details().getString("reason")).isEqualTo("invite_used_up");
    assertThat(failure.getMessage()).contains("used up");
    assertThat(api.call(owner, Addresses.WORKSPACE_MEMBERS, new JsonObject().put("workspaceId", workspaceId))
        .getJsonArray("members")).hasSize(3);
  }

  @Test
  @DisplayName("the member list shows each member's role and join time, to members only")
  void listsMembers() {
    UUID owner = newUser();
    UUID member = newUser();
    String workspaceId = api.workspace(owner, member);

    List<JsonObject> members = api.call(member, Addresses.WORKSPACE_MEMBERS,
            new JsonObject().put("workspaceId", workspaceId))
        .getJsonArray("members").stream().map(JsonObject.class::cast).toList();

    assertThat(members).extracting(m -> m.getString("userId")).containsExactly(owner.toString(), member.toString());
    assertThat(members).extracting(m -> m.getString("role")).containsExactly("owner", "member");
    assertThat(members).allSatisfy(m -> assertThat(m.getString("joinedAt")).matches(ISO_UTC_MILLIS));
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.WORKSPACE_MEMBERS,
        new JsonObject().put("workspaceId", workspaceId));
    api.fails(ErrorCode.VALIDATION_FAILED, owner, Addresses.WORKSPACE_MEMBERS, new JsonObject());
  }
}
