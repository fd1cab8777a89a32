package dev.ocomms.testkit.bridge;

import dev.ocomms.testkit.Blocking;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A bot's end of the TCP bridge ({@code OCOMMS_BOT_BRIDGE_PORT}): the Vert.x TCP event-bus bridge framing, a 4-byte
 * big-endian length then that many bytes of JSON, around the same frames as the browser bridge's.
 */
public final class TcpBridgeClient extends InboxClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private NetSocket socket;

  private TcpBridgeClient() {
    super("TCP bridge");
  }

  public static TcpBridgeClient connect(Vertx vertx, int port) {
    return connect(vertx, port, new NetClientOptions());
  }

  /** As {@link #connect(Vertx, int)} with these options (TLS, for a bridge with a certificate). */
  public static TcpBridgeClient connect(Vertx vertx, int port, NetClientOptions options) {
    TcpBridgeClient bridge = new TcpBridgeClient();
    bridge.socket = Blocking.get(vertx.createNetClient(new NetClientOptions(options).setConnectTimeout(10_000))
        .connect(port, "127.0.0.1").onSuccess(bridge::attach), TIMEOUT);
    return bridge;
  }

  private void attach(NetSocket socket) {
    RecordParser parser = RecordParser.newFixed(4);
    boolean[] header = {true};
    parser.handler(record -> {
      if (header[0]) {
        int length = record.getInt(0);
        if (length == 0) {
          frame("");
          return;
        }
        header[0] = false;
        parser.fixedSizeMode(length);
      } else {
        header[0] = true;
        parser.fixedSizeMode(4);
        frame(record.toString(StandardCharsets.UTF_8));
      }
    });
    socket.handler(parser);
    socket.closeHandler(v -> serverClosed(new Closure(-1, "closed")));
  }

  @Override
  public int sendText(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    sendRaw(Buffer.buffer(utf8.length + 4).appendInt(utf8.length).appendBytes(utf8));
    return ACCEPTED;
  }

  /** Writes bytes as they are (for frames whose framing lies). */
  public void sendRaw(Buffer bytes) {
    Blocking.get(socket.write(bytes), TIMEOUT);
  }

  @Override
  public void pauseReceiving() {
    socket.pause();
  }

  @Override
  public void resumeReceiving() {
    socket.resume();
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.close();
    }
  }
}
