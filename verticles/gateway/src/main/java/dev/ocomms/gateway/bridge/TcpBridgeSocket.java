package dev.ocomms.gateway.bridge;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * A bot's (or a command-line client's) connection to the TCP bridge ({@code OCOMMS_BOT_BRIDGE_PORT}), in the Vert.x
 * TCP event-bus bridge framing: each frame is a 4-byte big-endian length, then that many bytes of UTF-8 JSON, the same
 * JSON frames as {@code /eventbus} speaks. Everything above the framing is the browser bridge's own
 * ({@link BridgeConnection}): addresses, permissions, limits, authentication, error frames and node-local delivery.
 *
 * <p>The framing is read here without holding more than one frame: a frame announced larger than
 * {@link BridgeConnection#MAX_FRAME_BYTES} is refused {@code payload_too_large} (as a browser's such frame is) as
 * soon as its header arrives, and its bytes are then read past as they arrive, never buffered; the connection stays
 * open. A
 * frame that is not a JSON object is answered {@code malformed_json}, also as on the browser bridge.
 */
final class TcpBridgeSocket implements BridgeSocket {
  /** What the connection is handed for a frame skipped for its size: only its length is looked at. */
  private static final Buffer OVERSIZED = Buffer.buffer(new byte[BridgeConnection.MAX_FRAME_BYTES + 1]);
  private static final int HEADER = 4;

  private final NetSocket socket;
  private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
  private Handler<Buffer> data;
  /** The bytes of a header or frame not complete yet. */
  private Buffer pending = Buffer.buffer();
  /** The length of the frame being read, or -1 while its header is. */
  private int expected = -1;
  /** Bytes still to skip of an oversized frame. */
  private long skipping;

  TcpBridgeSocket(NetSocket socket) {
    this.socket = socket;
  }

  @Override
  public void handlers(Handler<Buffer> data, Handler<Void> closed) {
    this.data = data;
    socket.handler(this::received);
    socket.exceptionHandler(failure -> socket.close());
    socket.closeHandler(closed);
  }

  /** Splits what arrived into frames, in order, whatever the chunks. */
  private void received(Buffer chunk) {
    int offset = 0;
    int length = chunk.length();
    while (offset < length) {
      if (skipping > 0) {
        int skipped = (int) Math.min(skipping, length - offset);
        skipping -= skipped;
        offset += skipped;
        continue;
      }
      int wanted = (expected < 0 ? HEADER : expected) - pending.length();
      int taken = Math.min(wanted, length - offset);
      pending.appendBuffer(chunk, offset, taken);
      offset += taken;
      if (taken < wanted) {
        return;
      }
      if (expected < 0) {
        long announced = pending.getUnsignedInt(0);
        pending = Buffer.buffer();
        if (announced > BridgeConnection.MAX_FRAME_BYTES) {
          // Refused as soon as it is announced; its bytes are then read past as they come.
          skipping = announced;
          data.handle(OVERSIZED);
        } else if (announced == 0) {
          data.handle(Buffer.buffer());
        } else {
          expected = (int) announced;
        }
      } else {
        Buffer frame = pending;
        pending = Buffer.buffer();
        expected = -1;
        data.handle(frame);
      }
    }
  }

  @Override
  public void write(WireFrame frame, boolean flush, Runnable done) {
    socket.write(frame.tcp()).onComplete(result -> done.run());
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    socket.close();
  }

  @Override
  public String uri() {
    return null;
  }

  @Override
  public SocketAddress remoteAddress() {
    return socket.remoteAddress();
  }

  /** None: a TCP connection has no request; its client is its peer address (proxy headers do not apply). */
  @Override
  public MultiMap headers() {
    return headers;
  }
}
