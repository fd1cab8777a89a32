package dev.ocomms.gateway.bridge;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import dev.ocomms.testkit.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link SubscriptionTable} of one gateway instance, on a local (unclustered) Vert.x: its consumers, and the
 * fan-out of each event to the sockets of its address. Sockets are {@link RecordingSocket}s; events are published
 * as messaging publishes them ({@link Events#publish}). Each scenario runs on one event loop, as the table does.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The bridge's subscription table")
class SubscriptionTableTest {
  private static final String CHAT_A = Addresses.chat("a");
  private static final String CHAT_B = Addresses.chat("b");
  /** Long enough for every task queued on the event loop before it (deliveries, then their flush) to have run. */
  private static final long SETTLE_MS = 200;

  private io.vertx.rxjava3.core.Vertx vertx;
  private NodeBridge node;
  /** What the table told its listener, as "address type". */
  private final List<String> delivered = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx core) {
    vertx = io.vertx.rxjava3.core.Vertx.newInstance(core);
    node = new NodeBridge(TestConfigs.defaults(), new SimpleMeterRegistry());
  }

  private SubscriptionTable table() {
    return table((address, event) -> { });
  }

  private SubscriptionTable table(BiConsumer<String, Outbound> alsoOnDelivery) {
    return new SubscriptionTable(vertx, node, (address, event) -> {
      delivered.add(address + " " + event.type());
      alsoOnDelivery.accept(address, event);
    });
  }

  private List<BridgeConnection> connections(int count) {
    // Connections count what they queue against their hub's bound and the node's gauge; nothing else of it runs here.
    BridgeHub hub = new BridgeHub(vertx, null, null, node, 60_000, 5,
        TestConfigs.defaults().bridgeConnectionQueueBytes());
    List<BridgeConnection> connections = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      connections.add(RecordingSocket.connection(hub));
    }
    return connections;
  }

  /** Adds each connection to the address, then runs {@code then} once every consumer is registered. */
  private static void subscribe(SubscriptionTable table, String address, List<BridgeConnection> connections,
                                VertxTestContext test, Runnable then) {
    Completable.merge(connections.stream().map(connection -> table.add(connection, address)).toList())
        .subscribe(() -> test.verify(then::run), test::failNow);
  }

  private void publish(Event event) {
    Events.publish(vertx.eventBus(), event);
  }

  private static Event.MessageNew message(String chatId, long seq) {
    return new Event.MessageNew(chatId, seq, new JsonObject().put("text", "message " + seq));
  }

  @Test
  @DisplayName("holds one consumer per address: the first socket makes it, the others share it, the last one removes "
      + "it, and nothing published afterwards reaches the sockets that were on it")
  void oneConsumerPerAddress(VertxTestContext test) {
    List<BridgeConnection> onA = connections(3);
    List<BridgeConnection> onB = connections(1);
    vertx.runOnContext(v -> {
      SubscriptionTable table = table();
      subscribe(table, CHAT_A, onA, test, () -> subscribe(table, CHAT_B, onB, test, () -> {
        assertThat(node.clusterSubscriptions.get()).as("consumers").isEqualTo(2);
        assertThat(node.registrations.get()).as("registrations").isEqualTo(4);
        table.remove(onA.get(0), CHAT_A);
        table.remove(onA.get(1), CHAT_A);
        table.remove(onA.get(1), CHAT_A);
        assertThat(node.clusterSubscriptions.get()).as("consumers while one socket is left on A").isEqualTo(2);
        assertThat(node.registrations.get()).as("registrations while one socket is left on A").isEqualTo(2);
        table.removeAll(onA.get(2));
        assertThat(node.clusterSubscriptions.get()).as("consumers once A has no socket").isEqualTo(1);
        assertThat(onA.get(2).addresses).isEmpty();

        publish(message("a", 1));
        publish(message("b", 1));
        vertx.setTimer(SETTLE_MS, id -> test.verify(() -> {
          assertThat(onA).allSatisfy(connection -> assertThat(RecordingSocket.of(connection).frames).isEmpty());
          assertThat(RecordingSocket.of(onB.get(0)).texts).hasSize(1);
          assertThat(delivered).containsExactly(CHAT_B + " message.new");
          test.completeNow();
        }));
      }));
    });
  }

  @Test
  @DisplayName("writes an event to every socket of its address as one shared frame, built from the published text as "
      + "it is, and only then tells its listener, once")
  void oneFrameForAllSockets(VertxTestContext test) {
    List<BridgeConnection> onA = connections(3);
    List<BridgeConnection> onB = connections(1);
    Event.MessageNew event = message("a", 7);
    vertx.runOnContext(v -> {
      SubscriptionTable table = table((address, outbound) -> test.verify(() -> {
        List<WireFrame> frames = onA.stream().map(connection -> RecordingSocket.of(connection).frames)
            .flatMap(List::stream).toList();
        assertThat(frames).as("frames written to the sockets of A when the listener hears of the event").hasSize(3);
        assertThat(frames).allSatisfy(frame -> assertThat(frame).isSameAs(frames.get(0)));
        assertThat(RecordingSocket.of(onA.get(0)).texts)
            .containsExactly(BridgeFrames.recText(CHAT_A, event.toJson().encode()));
        assertThat(RecordingSocket.of(onB.get(0)).frames).as("written to the socket of B").isEmpty();
      }));
      subscribe(table, CHAT_A, onA, test, () -> subscribe(table, CHAT_B, onB, test, () -> {
        publish(event);
        vertx.setTimer(SETTLE_MS, id -> test.verify(() -> {
          assertThat(delivered).containsExactly(CHAT_A + " message.new");
          test.completeNow();
        }));
      }));
    });
  }

  @Test
  @DisplayName("writes a burst of events to a socket without flushing, then flushes it once after them")
  void oneFlushPerBurst(VertxTestContext test) {
    List<BridgeConnection> onA = connections(2);
    vertx.runOnContext(v -> {
      SubscriptionTable table = table();
      subscribe(table, CHAT_A, onA, test, () -> {
        for (long seq = 1; seq <= 3; seq++) {
          publish(message("a", seq));
        }
        vertx.setTimer(SETTLE_MS, id -> test.verify(() -> {
          for (BridgeConnection connection : onA) {
            RecordingSocket socket = RecordingSocket.of(connection);
            assertThat(socket.texts).hasSize(3);
            assertThat(socket.flushes).as("flushes").isEqualTo(1);
            assertThat(socket.unflushed).as("frames left unflushed").isZero();
          }
          test.completeNow();
        }));
      });
    });
  }

  @Test
  @DisplayName("puts a chat's sequenced events in seq order, and passes its other events as they come")
  void sequencedEventsInOrder(VertxTestContext test) {
    List<BridgeConnection> onA = connections(1);
    vertx.runOnContext(v -> {
      SubscriptionTable table = table();
      subscribe(table, CHAT_A, onA, test, () -> {
        publish(message("a", 1));
        publish(message("a", 3));
        publish(new Event.ReadReceipt("a", "someone", 3));
        publish(message("a", 2));
        vertx.setTimer(SETTLE_MS, id -> test.verify(() -> {
          List<String> received = RecordingSocket.of(onA.get(0)).texts.stream()
              .map(text -> new JsonObject(text).getJsonObject("body"))
              .map(body -> body.getString("type") + " " + body.getLong("seq", body.getLong("readSeq")))
              .toList();
          assertThat(received).containsExactly("message.new 1", "read.receipt 3", "message.new 2", "message.new 3");
          test.completeNow();
        }));
      });
    });
  }
}
