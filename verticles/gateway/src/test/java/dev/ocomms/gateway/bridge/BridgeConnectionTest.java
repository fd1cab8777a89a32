package dev.ocomms.gateway.bridge;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.testkit.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One {@link BridgeConnection}'s outbound byte bound, over a {@link RecordingSocket} that holds its writes (a client
 * that stopped reading). The bound is 64 KiB; each event is 20 KiB, so four of them put the connection over it while
 * only four frames wait, far fewer than the 1,000 that make it slow by count. Over it, the frames the client sends
 * wait, and those are bounded in bytes too.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("A bridge connection's byte bounds")
class BridgeConnectionTest {
  private static final int BOUND = 64 * 1024;
  private static final String CHAT = Addresses.chat("c");
  private static final String TEXT = "x".repeat(20 * 1024);

  private NodeBridge node;
  private BridgeConnection connection;
  private RecordingSocket socket;

  @BeforeEach
  void setUp(Vertx core) {
    node = new NodeBridge(TestConfigs.defaults(), new SimpleMeterRegistry());
    BridgeHub hub = new BridgeHub(io.vertx.rxjava3.core.Vertx.newInstance(core), null, null, node, 60_000, 5, BOUND);
    connection = RecordingSocket.connection(hub);
    socket = RecordingSocket.of(connection);
    socket.holdWrites();
  }

  private boolean deliver(String type) {
    String frame = BridgeFrames.rec(CHAT, new JsonObject().put("type", type).put("chatId", "c").put("text", TEXT));
    WireFrame wire = new WireFrame(frame);
    try {
      return connection.deliver(CHAT, wire, type);
    } finally {
      wire.release();
    }
  }

  private void fillPastTheBound() {
    for (int i = 0; i < 4; i++) {
      assertThat(deliver(EventType.MESSAGE_NEW.wireName())).as("event %d, under the bound", i).isTrue();
    }
    assertThat(node.queuedBytes.get()).as("bytes queued").isGreaterThan(BOUND);
  }

  @Test
  @DisplayName("over its bound in bytes, a connection gets one sync.required instead of its events and no typing,"
      + " and its events flow again once its transport has taken what waited")
  void eventsOverTheBound() {
    fillPastTheBound();

    assertThat(deliver(EventType.MESSAGE_NEW.wireName())).as("an event over the bound").isFalse();
    assertThat(deliver(EventType.TYPING_INDICATOR.wireName())).as("typing over the bound").isFalse();
    assertThat(deliver(EventType.MESSAGE_NEW.wireName())).as("a second event over the bound").isFalse();
    assertThat(socket.texts).hasSize(5);
    assertThat(new JsonObject(socket.texts.get(4)).getJsonObject("body").getString("type"))
        .isEqualTo("sync.required");

    socket.completeWrites();
    assertThat(node.queuedBytes.get()).as("bytes queued once all is taken").isZero();
    assertThat(deliver(EventType.MESSAGE_NEW.wireName())).as("an event once caught up").isTrue();
  }

  @Test
  @DisplayName("over its bound, the frames a connection sends wait unhandled until its transport has taken what"
      + " waited for it")
  void framesWaitOverTheBound() {
    fillPastTheBound();

    connection.onData(Buffer.buffer(new JsonObject().put("type", "publish").put("address", "chat.x").encode()));
    assertThat(socket.texts).as("frames written while the publish waits").hasSize(4);

    socket.completeWrites();
    assertThat(socket.texts).as("frames written once it is handled").hasSize(5);
    assertThat(new JsonObject(socket.texts.get(4)).getString("message")).isEqualTo("forbidden");
  }

  @Test
  @DisplayName("frames waiting over 1 MiB: the frame beyond is refused on its replyAddress with err 429 rate_limited,"
      + " reason too_many_frames, and is never handled")
  void waitingBytesBound() {
    fillPastTheBound();
    String filler = "y".repeat(60 * 1024);
    int fitting = BridgeConnection.MAX_WAITING_FRAME_BYTES / (filler.length() + 200);
    for (int i = 0; i < fitting; i++) {
      connection.onData(Buffer.buffer(new JsonObject().put("type", "send").put("address", "chat.x")
          .put("replyAddress", "waited-" + i).put("body", new JsonObject().put("filler", filler)).encode()));
    }
    assertThat(socket.texts).as("frames written while they wait").hasSize(4);

    connection.onData(Buffer.buffer(new JsonObject().put("type", "send").put("address", "chat.x")
        .put("replyAddress", "beyond").put("body", new JsonObject().put("filler", filler)).encode()));

    assertThat(socket.texts).as("frames written").hasSize(5);
    JsonObject refusal = new JsonObject(socket.texts.get(4));
    assertThat(refusal.getString("address")).isEqualTo("beyond");
    assertThat(refusal.getString("message")).isEqualTo("rate_limited");
    assertThat(refusal.getJsonObject("body").getString("reason")).isEqualTo("too_many_frames");
    socket.completeWrites();
    assertThat(socket.texts.stream().skip(5).map(text -> new JsonObject(text).getString("address")))
        .as("the frames that waited, handled once the connection caught up")
        .containsExactlyElementsOf(IntStream.range(0, fitting).mapToObj(i -> "waited-" + i).toList());
  }
}
