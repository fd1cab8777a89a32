package dev.ocomms.gateway.bridge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.net.SocketAddress;

/**
 * The raw WebSocket at {@code /eventbus/websocket}: one bridge frame per text message. Served by the bridge itself
 * (not by vertx-web's SockJS handler, whose socket encodes each message it is given), so that an event's frame,
 * encoded once as a complete WebSocket message ({@link WireFrame#webSocket}), is written to every socket as a
 * duplicate of the same buffer: no per-socket UTF-8 encoding, no per-socket frame encoding, and a flush per socket
 * per fan-out rather than per frame.
 *
 * <p>Frames are written to the Netty channel, past Vert.x's WebSocket (its encoder passes bytes through untouched). Every
 * frame of this connection goes that way, replies and errors too, so that they stay in order; Vert.x itself writes
 * only control frames (pong, close), and its close flushes what was written before it.
 */
final class RawWebSocket implements BridgeSocket {
  private final ServerWebSocket ws;
  private final Channel channel;

  private RawWebSocket(ServerWebSocket ws, Channel channel) {
    this.ws = ws;
    this.channel = channel;
  }

  /**
   * Upgrades the request. The channel is taken from the HTTP connection (vertx-web wraps the request and the
   * WebSocket, hiding Vert.x's own); the upgrade keeps the channel and changes its handlers, and writes from the
   * channel go through the whole pipeline as it is after the upgrade.
   */
  static Future<RawWebSocket> upgrade(HttpServerRequest request) {
    Channel channel = ((HttpServerConnection) request.connection()).channelHandlerContext().channel();
    return request.toWebSocket().map(ws -> new RawWebSocket(ws, channel));
  }

  @Override
  public void handlers(Handler<Buffer> data, Handler<Void> closed) {
    ws.textMessageHandler(text -> data.handle(Buffer.buffer(text)));
    ws.binaryMessageHandler(data);
    ws.exceptionHandler(failure -> ws.close());
    ws.closeHandler(closed);
  }

  @Override
  public void write(WireFrame frame, boolean flush, Runnable done) {
    ChannelPromise promise = channel.newPromise();
    promise.addListener(future -> done.run());
    if (flush) {
      channel.writeAndFlush(frame.webSocket().retainedDuplicate(), promise);
    } else {
      channel.write(frame.webSocket().retainedDuplicate(), promise);
    }
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public void close() {
    ws.close();
  }

  @Override
  public String uri() {
    return ws.uri();
  }

  @Override
  public SocketAddress remoteAddress() {
    return ws.remoteAddress();
  }

  @Override
  public MultiMap headers() {
    return ws.headers();
  }
}
