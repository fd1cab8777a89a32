package dev.ocomms.system.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import dev.ocomms.testkit.bridge.XhrBridgeClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static dev.ocomms.system.messaging.ChatSystem.NODE_1;
import static dev.ocomms.system.messaging.ChatSystem.NODE_2;
import static dev.ocomms.system.messaging.ChatSystem.QUIET;
import static dev.ocomms.system.messaging.ChatSystem.WAIT;
import static dev.ocomms.system.messaging.ChatSystem.objects;
import static dev.ocomms.system.messaging.ChatSystem.range;
import static dev.ocomms.system.messaging.ChatSystem.seqs;
import static dev.ocomms.system.messaging.ChatSystem.syncEntry;
import static dev.ocomms.system.messaging.ChatSystem.syncedMessages;
import static dev.ocomms.testkit.bridge.Frames.event;
import static dev.ocomms.testkit.bridge.Frames.eventOfType;
import static dev.ocomms.testkit.bridge.Frames.marker;
import static dev.ocomms.testkit.bridge.Frames.rec;
import static dev.ocomms.testkit.bridge.Frames.testEvent;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slow client never loses an event silently. The slow client is an xhr-polling browser that stops polling: the
 * server's frames then wait in its SockJS session, not yet written out, which is exactly the bridge's outbound queue.
 * A fast client of another member, on the same node, shows what the slow one was sent meanwhile.
 */
@DisplayName("A slow client")
@ExtendWith(ChatSystem.Resolver.class)
class SlowClientTest {
  /** {@code BridgeConnection.HIGH_WATER_FRAMES}: frames in flight from which a connection counts as slow. */
  private static final int HIGH_WATER_FRAMES = 1_000;
  /** Events published onto the chat while the client does not read: well past the high-water mark. */
  private static final int BURST = HIGH_WATER_FRAMES + 200;
  private static ChatSystem system;

  @BeforeAll
  static void setUp(ChatSystem chatSystem) {
    system = chatSystem;
  }

  /** A stored message's event (not one of the burst's stand-ins). */
  private static Predicate<JsonObject> storedMessage(String chat) {
    return eventOfType(chat, "message.new").and(frame -> frame.getJsonObject("body").containsKey("message"));
  }

  private static Predicate<JsonObject> standIn(String chat) {
    return eventOfType(chat, "message.new").and(frame -> frame.getJsonObject("body").containsKey("standIn"));
  }

  /**
   * Makes {@code slow} stop reading, then publishes {@link #BURST} message.new stand-ins onto the chat from node 1,
   * as messaging publishes its events; returns once {@code fast} (on the slow client's node) has received them all,
   * so the slow client's connection has been handed them too.
   */
  private static void stallWithBurst(XhrBridgeClient slow, BridgeClient fast, String chatId) {
    String chat = Addresses.chat(chatId);
    slow.pauseReceiving();
    // A receive request may still be out and take the first frames; after it, the slow client asks for nothing.
    // (Whether one is out at this moment is a race, so the slow client is not asked to see this marker.)
    String last = marker();
    system.server.publish(NODE_1, chat, testEvent(last));
    fast.await(event(chat, last), WAIT);
    // In chunks that a client which keeps reading drains in time: only the stalled client's queue fills up.
    for (int i = 0; i < BURST; i++) {
      system.server.publish(NODE_1, chat, new JsonObject().put("type", "message.new").put("chatId", chatId)
          .put("standIn", i));
      if (i % 100 == 99) {
        int chunkEnd = i;
        fast.await(frame -> "message.new".equals(frame.getJsonObject("body", new JsonObject()).getString("type"))
            && Integer.valueOf(chunkEnd).equals(frame.getJsonObject("body").getInteger("standIn")), WAIT);
      }
    }
    String fence = marker();
    system.server.publish(NODE_1, chat, testEvent(fence));
    fast.await(event(chat, fence), WAIT);
  }

  private static long count(List<JsonObject> frames, Predicate<JsonObject> matching) {
    return frames.stream().filter(matching).count();
  }

  @Test
  @DisplayName("A client that stops reading while its chat's events pile up gets sync.required for that chat when it "
      + "resumes, and chat.sync covers every seq it did not receive")
  void slowClientIsToldToSync() {
    List<Account> users = system.users(3);
    Account alice = users.get(0);
    Account bob = users.get(1);
    Account carol = users.get(2);
    String chatId = system.chat(alice, List.of(bob, carol));
    String chat = Addresses.chat(chatId);
    XhrBridgeClient bobs = (XhrBridgeClient) system.connect(NODE_2, Transport.XHR_POLLING);
    BridgeClient carols = system.connect(NODE_2, Transport.RAW_WEBSOCKET);
    bobs.listen(chat, bob.token());
    carols.listen(chat, carol.token());
    List<JsonObject> stored = new ArrayList<>(system.sendOverRest(List.of(alice), chatId, 3));
    List<JsonObject> bobSaw = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      bobSaw.add(bobs.await(storedMessage(chat), WAIT).getJsonObject("body"));
      carols.await(storedMessage(chat), WAIT);
    }

    stallWithBurst(bobs, carols, chatId);
    List<JsonObject> whileStalled = system.sendOverRest(List.of(alice), chatId, 5);
    for (int i = 0; i < 5; i++) {
      carols.await(storedMessage(chat), WAIT);
    }
    stored.addAll(whileStalled);
    bobs.resumeReceiving();
    JsonObject notice = bobs.await(eventOfType(chat, "sync.required"), WAIT);
    List<JsonObject> afterwards = system.sendOverRest(List.of(alice), chatId, 2);
    stored.addAll(afterwards);
    for (int i = 0; i < 2; i++) {
      bobSaw.add(bobs.await(storedMessage(chat), WAIT).getJsonObject("body"));
    }
    bobs.assertNothing(storedMessage(chat).or(eventOfType(chat, "sync.required")), QUIET);

    assertThat(notice.getJsonObject("body")).as("what bob was told")
        .isEqualTo(new JsonObject().put("type", "sync.required").put("chatId", chatId));
    List<JsonObject> bobReceived = bobs.received();
    List<JsonObject> carolReceived = carols.received();
    assertThat(count(carolReceived, standIn(chat))).as("stand-ins carol (fast) received").isEqualTo(BURST);
    assertThat(count(bobReceived, standIn(chat))).as("stand-ins bob (slow) received")
        .isGreaterThanOrEqualTo(HIGH_WATER_FRAMES - 10).isLessThan(BURST);
    assertThat(count(bobReceived, eventOfType(chat, "sync.required"))).as("sync.required bob received").isEqualTo(1);
    int noticeAt = bobReceived.indexOf(notice);
    assertThat(bobReceived.subList(noticeAt + 1, bobReceived.size()).stream().filter(standIn(chat)))
        .as("stand-ins after the notice (it replaces what bob missed)").isEmpty();
    // Messages 1 to 3 went out at once through both nodes just after bob's node began to serve the chat, and a node
    // orders a chat's events from the first one it sees (ReorderBuffer): one that crossed the cluster more slowly
    // than the next one's local publish comes after it. Messages 9 and 10 find the order established.
    assertThat(seqs(bobSaw.subList(0, 3))).as("seqs bob received live before he stalled")
        .containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(seqs(bobSaw.subList(3, 5))).as("seqs bob received live once he caught up").containsExactly(9L, 10L);
    long lastSeqBeforeNotice = 3;

    JsonObject entry = syncEntry(bobs.call(Addresses.CHAT_SYNC,
        new JsonObject().put("chats", new JsonObject().put(chatId, lastSeqBeforeNotice)), bob.token()), chatId);
    List<JsonObject> synced = objects(entry.getJsonArray("events"));
    assertThat(seqs(synced)).as("seqs bob got from chat.sync").isEqualTo(range(4, 10));
    assertThat(syncedMessages(entry).subList(0, 5))
        .as("the messages bob did not receive live").isEqualTo(whileStalled);
    assertThat(seqs(stored)).isEqualTo(range(1, 10));
  }

  @Test
  @DisplayName("While a client is behind, typing indicators for it are dropped, not turned into sync.required")
  void typingIsDroppedFirst() {
    List<Account> users = system.users(3);
    Account alice = users.get(0);
    Account bob = users.get(1);
    Account carol = users.get(2);
    String workspaceId = system.workspace(alice, List.of(bob, carol));
    String busyChatId = system.channel(alice, workspaceId, List.of(bob, carol));
    String quietChatId = system.channel(alice, workspaceId, List.of(bob, carol));
    String busy = Addresses.chat(busyChatId);
    String quiet = Addresses.chat(quietChatId);
    XhrBridgeClient bobs = (XhrBridgeClient) system.connect(NODE_2, Transport.XHR_POLLING);
    BridgeClient carols = system.connect(NODE_2, Transport.SOCKJS_WEBSOCKET);
    for (String chat : List.of(busy, quiet)) {
      bobs.listen(chat, bob.token());
      carols.listen(chat, carol.token());
    }

    stallWithBurst(bobs, carols, busyChatId);
    JsonObject typing = new JsonObject().put("type", "typing.indicator").put("chatId", quietChatId)
        .put("userId", alice.id()).put("displayName", "Alice").put("active", true);
    system.server.publish(NODE_1, quiet, typing);
    carols.await(eventOfType(quiet, "typing.indicator"), WAIT);
    bobs.resumeReceiving();
    bobs.await(eventOfType(busy, "sync.required"), WAIT);
    JsonObject stopped = typing.copy().put("active", false);
    system.server.publish(NODE_1, quiet, stopped);

    assertThat(bobs.await(rec(quiet), WAIT).getJsonObject("body"))
        .as("the first frame bob receives on the quiet chat: the indicator sent once he caught up").isEqualTo(stopped);
    bobs.assertNothing(rec(quiet), QUIET);
    assertThat(count(bobs.received(), eventOfType(quiet, "sync.required"))).as("sync.required for the quiet chat")
        .isZero();
    assertThat(count(carols.received(), eventOfType(quiet, "typing.indicator"))).as("indicators carol received")
        .isEqualTo(2);
  }
}
