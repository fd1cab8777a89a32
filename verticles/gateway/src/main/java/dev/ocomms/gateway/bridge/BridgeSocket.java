package dev.ocomms.gateway.bridge;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * One browser's socket, whatever its transport: the raw WebSocket ({@link RawWebSocket}, which the bridge serves
 * itself so that it can write an event's pre-built frame to many sockets) or a SockJS session ({@link #sockJs}).
 * Used only on the event loop of the gateway instance that accepted it.
 */
interface BridgeSocket {

  /** Frames from the client go to {@code data}; {@code closed} runs when the socket ends, however it ends. */
  void handlers(Handler<Buffer> data, Handler<Void> closed);

  /**
   * Writes one frame; {@code done} runs on the event loop once it is written out (or can no longer be). With
   * {@code flush} false it may wait in the socket until {@link #flush}: a fan-out writes an event to each socket, then
   * flushes each once, so that sockets written several events in a row make one system call for all of them.
   */
  void write(WireFrame frame, boolean flush, Runnable done);

  /** Sends what {@link #write} left waiting. */
  void flush();

  void close();

  String uri();

  SocketAddress remoteAddress();

  /** The headers of the request that opened the socket (for the client's address behind proxies). */
  MultiMap headers();

  /**
   * A SockJS session (SockJS over a WebSocket, xhr-streaming, xhr-polling). vertx-web frames each message itself
   * ({@code a["<escaped>"]}, batched per poll on the xhr transports), so it takes the text, and flushes every write.
   */
  static BridgeSocket sockJs(SockJSSocket socket) {
    return new BridgeSocket() {
      @Override
      public void handlers(Handler<Buffer> data, Handler<Void> closed) {
        socket.handler(data);
        socket.exceptionHandler(failure -> socket.close());
        socket.endHandler(closed);
        socket.closeHandler(closed);
      }

      @Override
      public void write(WireFrame frame, boolean flush, Runnable done) {
        socket.write(frame.text()).onComplete(result -> done.run());
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
        return socket.uri();
      }

      @Override
      public SocketAddress remoteAddress() {
        return socket.remoteAddress();
      }

      @Override
      public MultiMap headers() {
        return socket.headers();
      }
    };
  }
}
