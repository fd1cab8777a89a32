package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.Message;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static dev.ocomms.messaging.MessagingApi.newUser;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Direct messages")
class DirectMessagesTest {
  @AutoClose
  private static final MessagingApi api = MessagingApi.start();

  @Test
  @DisplayName("opening a DM creates a private, nameless chat of the caller and the others, announced to each of them")
  void opensDm() {
    UUID alice = newUser();
    UUID bob = newUser();
    UUID carol = newUser();
    String workspaceId = api.workspace(alice, bob, carol);
    try (EventProbe aliceEvents = api.listenToUser(alice); EventProbe bobEvents = api.listenToUser(bob);
         EventProbe carolEvents = api.listenToUser(carol)) {
      JsonObject dm = api.openDm(alice, workspaceId, bob);

      assertThat(dm.getString("kind")).isEqualTo("dm");
      assertThat(dm.getValue("name")).isNull();
      assertThat(dm.containsKey("name")).isTrue();
      assertThat(dm.getBoolean("private")).isTrue();
      assertThat(dm.getInteger("memberCount")).isEqualTo(2);
      assertThat(dm.getJsonArray("memberIds").getList()).containsExactlyInAnyOrder(alice.toString(), bob.toString());
      assertThat(aliceEvents.awaitChatAdded(dm.getString("id"))).isEqualTo(dm);
      assertThat(bobEvents.awaitChatAdded(dm.getString("id"))).isEqualTo(dm);
      assertThat(carolEvents.settledAbout(dm.getString("id"))).isEmpty();
      assertThat(api.hasAccess(bob, dm.getString("id"))).isTrue();
      assertThat(api.hasAccess(carol, dm.getString("id"))).isFalse();
    }
  }

  @Test
  @DisplayName("the same member set, from any of its members and in any order, opens the same DM without new events")
  void sameSetSameDm() {
    UUID alice = newUser();
    UUID bob = newUser();
    UUID carol = newUser();
    String workspaceId = api.workspace(alice, bob, carol);

    try (EventProbe aliceEvents = api.listenToUser(alice); EventProbe bobEvents = api.listenToUser(bob)) {
      String dmId = api.openDm(alice, workspaceId, bob, carol).getString("id");
      assertThat(api.openDm(carol, workspaceId, bob, alice).getString("id")).isEqualTo(dmId);
      assertThat(api.openDm(bob, workspaceId, alice, carol, alice, bob).getString("id")).isEqualTo(dmId);
      assertThat(aliceEvents.settledAbout(dmId)).hasSize(1);
      assertThat(bobEvents.settledAbout(dmId)).hasSize(1);
      assertThat(api.openDm(alice, workspaceId, bob).getString("id")).as("a different set").isNotEqualTo(dmId);
    }
  }

  @Test
  @DisplayName("ten concurrent opens of the same set yield one DM, announced once to each member")
  void concurrentOpens() {
    UUID alice = newUser();
    UUID bob = newUser();
    String workspaceId = api.workspace(alice, bob);
    JsonObject body = new JsonObject().put("workspaceId", workspaceId)
        .put("userIds", new JsonArray().add(alice.toString()).add(bob.toString()));

    try (EventProbe aliceEvents = api.listenToUser(alice); EventProbe bobEvents = api.listenToUser(bob)) {
      List<String> ids = Single.merge(IntStream.range(0, 10)
              .mapToObj(i -> api.client().eventBus().<JsonObject>rxRequest(Addresses.DM_OPEN, body,
                  new Caller((i % 2 == 0 ? alice : bob).toString(), null).deliveryOptions()))
              .toList())
          .map(Message::body)
          .map(reply -> reply.getJsonObject("chat").getString("id"))
          .toList().blockingGet();

      assertThat(ids).hasSize(10).containsOnly(ids.get(0));
      assertThat(bobEvents.settledAbout(ids.get(0))).hasSize(1);
      assertThat(aliceEvents.settledAbout(ids.get(0))).hasSize(1);
    }
  }

  @Test
  @DisplayName("a DM with oneself alone is allowed")
  void selfDm() {
    UUID alice = newUser();
    String workspaceId = api.workspace(alice);
    JsonObject dm = api.openDm(alice, workspaceId);
    assertThat(dm.getJsonArray("memberIds").getList()).containsExactly(alice.toString());
    assertThat(api.openDm(alice, workspaceId, alice).getString("id")).isEqualTo(dm.getString("id"));
  }

  @Test
  @DisplayName("people outside the workspace, and malformed ids, are named in a validation failure")
  void othersMustBeWorkspaceMembers() {
    UUID alice = newUser();
    UUID bob = newUser();
    UUID outsider = newUser();
    String workspaceId = api.workspace(alice, bob);

    OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.DM_OPEN,
        new JsonObject().put("workspaceId", workspaceId)
            .put("userIds", new JsonArray().add(bob.toString()).add(outsider.toString()).add("nobody")));

    assertThat(failure.details().getString("field")).isEqualTo("userIds");
    assertThat(failure.details().getJsonArray("notMembers").getList())
        .containsExactlyInAnyOrder(outsider.toString(), "nobody");
    assertThat(failure.getMessage()).contains(outsider.toString());
    assertThat(api.call(bob, Addresses.CHAT_LIST, new JsonObject()).getJsonArray("chats")).hasSize(1);
  }

  @Test
  @DisplayName("a DM has at most 8 members including the caller, and userIds must be an array of strings")
  void limitsMembers() {
    UUID alice = newUser();
    UUID[] others = IntStream.range(0, 8).mapToObj(i -> newUser()).toArray(UUID[]::new);
    String workspaceId = api.workspace(alice, others);

    assertThat(api.openDm(alice, workspaceId, Arrays.copyOf(others, 7)).getInteger("memberCount"))
        .isEqualTo(8);
    JsonArray eight = new JsonArray(Arrays.stream(others).map(UUID::toString).toList());
    for (Object userIds : List.of(eight, "not-an-array", new JsonArray().add(5))) {
      OcommsException failure = api.fails(ErrorCode.VALIDATION_FAILED, alice, Addresses.DM_OPEN,
          new JsonObject().put("workspaceId", workspaceId).put("userIds", userIds));
      assertThat(failure.details().getString("field")).isEqualTo("userIds");
    }
  }

  @Test
  @DisplayName("opening a DM in a workspace one is not in is not_found")
  void needsWorkspaceMembership() {
    UUID alice = newUser();
    UUID bob = newUser();
    String workspaceId = api.workspace(alice, bob);
    api.fails(ErrorCode.NOT_FOUND, newUser(), Addresses.DM_OPEN, new JsonObject().put("workspaceId", workspaceId)
        .put("userIds", new JsonArray().add(alice.toString())));
  }

  @Test
  @DisplayName("a DM is not_found for workspace members outside it")
  void dmHiddenFromOthers() {
    UUID alice = newUser();
    UUID bob = newUser();
    UUID carol = newUser();
    String workspaceId = api.workspace(alice, bob, carol);
    String dmId = api.openDm(alice, workspaceId, bob).getString("id");

    api.fails(ErrorCode.NOT_FOUND, carol, Addresses.CHAT_GET, new JsonObject().put("chatId", dmId));
    api.fails(ErrorCode.NOT_FOUND, carol, Addresses.CHAT_MEMBERS, new JsonObject().put("chatId", dmId));
    api.fails(ErrorCode.NOT_FOUND, carol, Addresses.CHAT_JOIN, new JsonObject().put("chatId", dmId));
    assertThat(api.call(bob, Addresses.CHAT_MEMBERS, new JsonObject().put("chatId", dmId)).getJsonArray("members"))
        .hasSize(2);
  }
}
