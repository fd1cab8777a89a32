package dev.ocomms.gateway.bridge;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static dev.ocomms.gateway.bridge.LocalHub.newUserId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link MembershipGuard} of one gateway instance ({@link LocalHub}): who may REGISTER where, and how a leave takes
 * the leaver's sockets off the chat. Messaging's membership answer is stood in for by a consumer on its address.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The bridge's membership guard")
class MembershipGuardTest {
  private static final int CONNECTIONS_PER_USER = 5;
  private static final String CHAT_ID = "c";
  private static final String CHAT = Addresses.chat(CHAT_ID);

  /** The types of the events a connection was written, in order. */
  private static List<String> types(BridgeConnection connection) {
    return RecordingSocket.of(connection).texts.stream()
        .map(text -> new JsonObject(text).getJsonObject("body").getString("type")).toList();
  }

  private static Event.MessageNew message(long seq) {
    return new Event.MessageNew(CHAT_ID, seq, new JsonObject().put("text", "message " + seq));
  }

  private static Completable subscribe(LocalHub local, BridgeConnection connection, String... addresses) {
    List<Completable> added = new ArrayList<>();
    for (String address : addresses) {
      added.add(local.hub.subscriptions.add(connection, address));
    }
    return Completable.merge(added);
  }

  @Test
  @DisplayName("permits REGISTER on one's own user address and on the chats messaging says one is in (asked as the "
      + "caller), and nowhere else")
  void permitsOwnAddressAndOwnChats(Vertx vertx, VertxTestContext test) {
    String me = newUserId();
    Caller caller = new Caller(me, "session");
    List<String> askedAs = new ArrayList<>();
    LocalHub.start(vertx, CONNECTIONS_PER_USER, test, local -> local.vertx.eventBus()
        .<JsonObject>consumer(Addresses.CHAT_ACCESS, request -> {
          askedAs.add(request.headers().get(Caller.USER_HEADER));
          request.reply(new JsonObject().put("member", "mine".equals(request.body().getString("chatId"))));
        })
        .rxCompletion()
        .andThen(Single.zip(List.of(
            local.hub.guard.permitted(caller, Addresses.user(me)),
            local.hub.guard.permitted(caller, Addresses.user(newUserId())),
            local.hub.guard.permitted(caller, Addresses.chat("mine")),
            local.hub.guard.permitted(caller, Addresses.chat("theirs")),
            local.hub.guard.permitted(caller, Addresses.PRESENCE_UPDATE)), List::of))
        .subscribe(answers -> test.verify(() -> {
          assertThat(answers).as("own user, another user, own chat, another chat, a request address")
              .containsExactly(true, false, true, false, false);
          assertThat(askedAs).as("messaging asked, as whom").containsExactly(me, me);
          test.completeNow();
        }), test::failNow));
  }

  @Test
  @DisplayName("after member.left, every socket of the leaver is off the chat (they still got the event itself) and "
      + "keeps its other addresses; the other members' sockets keep receiving")
  void memberLeftStopsTheLeaversSockets(Vertx vertx, VertxTestContext test) {
    String leaver = newUserId();
    String stayer = newUserId();
    LocalHub.start(vertx, CONNECTIONS_PER_USER, test, local -> {
      BridgeConnection phone = local.connect(leaver, "phone");
      BridgeConnection laptop = local.connect(leaver, "laptop");
      BridgeConnection other = local.connect(stayer, "other");
      Completable.merge(List.of(subscribe(local, phone, CHAT, Addresses.user(leaver)), subscribe(local, laptop, CHAT),
              subscribe(local, other, CHAT)))
          .subscribe(() -> {
            Events.publish(local.vertx.eventBus(), new Event.MemberLeft(CHAT_ID, leaver, leaver, "left", 1));
            Events.publish(local.vertx.eventBus(), message(1));
            local.eventually(test, "the message reaches the member who stayed", () -> types(other).size() == 2, () -> {
              assertThat(types(other)).containsExactly("member.left", "message.new");
              assertThat(types(phone)).containsExactly("member.left");
              assertThat(types(laptop)).containsExactly("member.left");
              assertThat(phone.addresses).containsExactly(Addresses.user(leaver));
              assertThat(laptop.addresses).isEmpty();
              assertThat(other.addresses).containsExactly(CHAT);
              test.completeNow();
            });
          }, test::failNow);
    });
  }

  @Test
  @DisplayName("after chat.removed on a user's address, that user's sockets are off the chat")
  void chatRemovedStopsTheUsersSockets(Vertx vertx, VertxTestContext test) {
    String removed = newUserId();
    String stayer = newUserId();
    LocalHub.start(vertx, CONNECTIONS_PER_USER, test, local -> {
      BridgeConnection connection = local.connect(removed, "session");
      BridgeConnection other = local.connect(stayer, "other");
      Completable.merge(List.of(subscribe(local, connection, CHAT, Addresses.user(removed)),
              subscribe(local, other, CHAT)))
          .subscribe(() -> {
            Events.publish(local.vertx.eventBus(), new Event.ChatRemoved(removed, CHAT_ID, "removed"));
            local.eventually(test, "the removal is written", () -> types(connection).size() == 1, () -> {
              Events.publish(local.vertx.eventBus(), message(1));
              local.eventually(test, "the message reaches the member who stayed", () -> types(other).size() == 1,
                  () -> {
                    assertThat(types(connection)).containsExactly("chat.removed");
                    assertThat(connection.addresses).containsExactly(Addresses.user(removed));
                    test.completeNow();
                  });
            });
          }, test::failNow);
    });
  }

  @Test
  @DisplayName("tells a REGISTER whose membership check started before a leave that the user has left that chat since")
  void remembersLeavesForRacingRegisters(Vertx vertx, VertxTestContext test) {
    String leaver = newUserId();
    String stayer = newUserId();
    LocalHub.start(vertx, CONNECTIONS_PER_USER, test, local -> {
      BridgeConnection connection = local.connect(leaver, "session");
      long checkStarted = System.currentTimeMillis();
      subscribe(local, connection, CHAT).subscribe(() -> {
        Events.publish(local.vertx.eventBus(), new Event.MemberLeft(CHAT_ID, leaver, stayer, "removed", 1));
        local.eventually(test, "the leaver is off the chat", connection.addresses::isEmpty, () -> {
          MembershipGuard guard = local.hub.guard;
          assertThat(guard.leftSince(leaver, CHAT, checkStarted)).as("check started before the leave").isTrue();
          assertThat(guard.leftSince(leaver, CHAT, System.currentTimeMillis() + 1)).as("check started after it")
              .isFalse();
          assertThat(guard.leftSince(stayer, CHAT, checkStarted)).as("someone else").isFalse();
          assertThat(guard.leftSince(leaver, Addresses.chat("other"), checkStarted)).as("another chat").isFalse();
          test.completeNow();
        });
      }, test::failNow);
    });
  }
}
