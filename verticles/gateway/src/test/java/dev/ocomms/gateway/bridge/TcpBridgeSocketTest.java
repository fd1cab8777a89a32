package dev.ocomms.gateway.bridge;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TCP bridge's framing as {@link TcpBridgeSocket} reads it off a real socket: a 4-byte big-endian length, then the
 * frame, however TCP splits or joins the bytes.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The TCP bridge's framing")
class TcpBridgeSocketTest {

  private static Buffer framed(String json) {
    byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendInt(utf8.length).appendBytes(utf8);
  }

  /** Writes the chunks to a server whose {@link TcpBridgeSocket} hands each frame it reads to {@code frames}. */
  private static void feed(Vertx vertx, VertxTestContext test, List<Buffer> chunks, List<Buffer> frames, int expected,
                           Runnable then) {
    NetServer server = vertx.createNetServer().connectHandler(socket ->
        new TcpBridgeSocket(socket).handlers(frame -> {
          frames.add(frame);
          if (frames.size() == expected) {
            test.verify(then::run);
            test.completeNow();
          }
        }, v -> { }));
    server.listen(0, "127.0.0.1").compose(listening -> vertx.createNetClient().connect(listening.actualPort(),
            "127.0.0.1"))
        .onSuccess(client -> writeOneByOne(vertx, client, chunks, 0))
        .onFailure(test::failNow);
  }

  /** One chunk per write, each a little after the last, so that the server reads them apart. */
  private static void writeOneByOne(Vertx vertx, NetSocket client, List<Buffer> chunks, int index) {
    if (index < chunks.size()) {
      client.write(chunks.get(index)).onComplete(done -> vertx.setTimer(2,
          id -> writeOneByOne(vertx, client, chunks, index + 1)));
    }
  }

  @Test
  @DisplayName("frames split byte by byte, header included, are put back together in order")
  void splitFrames(Vertx vertx, VertxTestContext test) throws InterruptedException {
    Buffer bytes = framed("{\"a\":1}").appendBuffer(framed("{\"b\":\"é\"}"));
    List<Buffer> chunks = new CopyOnWriteArrayList<>();
    for (int i = 0; i < bytes.length(); i++) {
      chunks.add(bytes.getBuffer(i, i + 1));
    }
    List<Buffer> frames = new CopyOnWriteArrayList<>();
    feed(vertx, test, chunks, frames, 2, () -> assertThat(frames.stream().map(Buffer::toString))
        .containsExactly("{\"a\":1}", "{\"b\":\"é\"}"));
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @DisplayName("several frames in one chunk are each handed on")
  void joinedFrames(Vertx vertx, VertxTestContext test) throws InterruptedException {
    Buffer bytes = framed("{\"a\":1}").appendBuffer(framed("{}")).appendBuffer(framed("{\"c\":3}"));
    List<Buffer> frames = new CopyOnWriteArrayList<>();
    feed(vertx, test, List.of(bytes), frames, 3, () -> assertThat(frames.stream().map(Buffer::toString))
        .containsExactly("{\"a\":1}", "{}", "{\"c\":3}"));
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @DisplayName("a frame announced over the limit is handed on as oversized at once, its bytes skipped, the next read")
  void oversizedFrameSkipped(Vertx vertx, VertxTestContext test) throws InterruptedException {
    int tooLong = BridgeConnection.MAX_FRAME_BYTES + 10;
    List<Buffer> chunks = List.of(Buffer.buffer().appendInt(tooLong), Buffer.buffer(new byte[tooLong / 2]),
        Buffer.buffer(new byte[tooLong - tooLong / 2]).appendBuffer(framed("{\"next\":true}")));
    List<Buffer> frames = new CopyOnWriteArrayList<>();
    feed(vertx, test, chunks, frames, 2, () -> {
      assertThat(frames.get(0).length()).as("what the connection refuses as too large")
          .isGreaterThan(BridgeConnection.MAX_FRAME_BYTES);
      assertThat(frames.get(1).toString()).isEqualTo("{\"next\":true}");
    });
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @DisplayName("an empty frame is handed on as empty (the connection answers it malformed_json)")
  void emptyFrame(Vertx vertx, VertxTestContext test) throws InterruptedException {
    List<Buffer> frames = new CopyOnWriteArrayList<>();
    feed(vertx, test, List.of(Buffer.buffer().appendInt(0).appendBuffer(framed("{}"))), frames, 2,
        () -> assertThat(frames.stream().map(Buffer::toString)).containsExactly("", "{}"));
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  @DisplayName("a frame written out carries its UTF-8 length first")
  void written() {
    WireFrame frame = new WireFrame("{\"x\":\"é\"}");
    Buffer wire = frame.tcp();
    assertThat(wire.getInt(0)).isEqualTo(wire.length() - 4).isEqualTo(10);
    assertThat(wire.getString(4, wire.length(), "UTF-8")).isEqualTo("{\"x\":\"é\"}");
  }
}
