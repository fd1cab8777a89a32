package dev.ocomms.gateway.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * One bridge frame as each transport puts it on the wire, encoded at most once per transport kind and shared by every
 * socket it goes to: an event's frame is built once per fan-out, not once per socket. The SockJS transports take the
 * {@link #text}; the raw WebSocket takes {@link #webSocket}, the complete WebSocket message (header and UTF-8
 * payload), which each socket writes as a {@code retainedDuplicate()} straight to its channel. {@link #release} when
 * every socket has been handed it; the sockets' duplicates keep the bytes alive until they are written out.
 */
final class WireFrame {
  /**
   * The largest WebSocket frame payload written; longer messages are fragmented, as Vert.x does with the server's
   * {@code maxWebSocketFrameSize} (a client refuses frames above its own limit, 64 KB by default).
   */
  static final int MAX_FRAME_PAYLOAD = 65_536;
  private static final int FIN = 0x80;
  private static final int OPCODE_TEXT = 0x1;
  private static final int OPCODE_CONTINUATION = 0x0;

  private final String text;
  private ByteBuf webSocket;
  private Buffer tcp;
  private int bytes = -1;

  WireFrame(String text) {
    this.text = text;
  }

  String text() {
    return text;
  }

  /** The frame's size in UTF-8: what a connection holds while the frame waits for its transport. */
  int bytes() {
    if (bytes < 0) {
      bytes = webSocket != null ? webSocket.readableBytes() : ByteBufUtil.utf8Bytes(text);
    }
    return bytes;
  }

  /**
   * The frame as a server's WebSocket text message: unmasked (RFC 6455 masks only client frames) and uncompressed
   * (RSV1 clear, which permessage-deflate allows for any message), in a direct buffer so that the socket writes it
   * without a copy. Shared: write {@code retainedDuplicate()}, never the buffer itself.
   */
  ByteBuf webSocket() {
    if (webSocket == null) {
      webSocket = encodeWebSocket(text);
    }
    return webSocket;
  }

  /**
   * The frame in the TCP bridge's framing: a 4-byte big-endian length, then the UTF-8 text. Shared by the TCP sockets
   * of a fan-out (a Vert.x buffer is written as a duplicate, so one may be written to many sockets).
   */
  Buffer tcp() {
    if (tcp == null) {
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      tcp = Buffer.buffer(utf8.length + 4).appendInt(utf8.length).appendBytes(utf8);
    }
    return tcp;
  }

  void release() {
    if (webSocket != null) {
      webSocket.release();
      webSocket = null;
    }
  }

  private static ByteBuf encodeWebSocket(String text) {
    int length = ByteBufUtil.utf8Bytes(text);
    int fragments = Math.max(1, (length + MAX_FRAME_PAYLOAD - 1) / MAX_FRAME_PAYLOAD);
    ByteBuf out = ByteBufAllocator.DEFAULT.directBuffer(length + fragments * 10);
    if (fragments == 1) {
      header(out, FIN | OPCODE_TEXT, length);
      ByteBufUtil.writeUtf8(out, text);
      return out;
    }
    ByteBuf payload = ByteBufAllocator.DEFAULT.heapBuffer(length);
    try {
      ByteBufUtil.writeUtf8(payload, text);
      for (int offset = 0; offset < length; offset += MAX_FRAME_PAYLOAD) {
        int size = Math.min(MAX_FRAME_PAYLOAD, length - offset);
        int opcode = offset == 0 ? OPCODE_TEXT : OPCODE_CONTINUATION;
        header(out, (offset + size == length ? FIN : 0) | opcode, size);
        out.writeBytes(payload, offset, size);
      }
    } finally {
      payload.release();
    }
    return out;
  }

  private static void header(ByteBuf out, int finAndOpcode, int size) {
    out.writeByte(finAndOpcode);
    if (size < 126) {
      out.writeByte(size);
    } else if (size <= 0xFFFF) {
      out.writeByte(126);
      out.writeShort(size);
    } else {
      out.writeByte(127);
      out.writeLong(size);
    }
  }
}
