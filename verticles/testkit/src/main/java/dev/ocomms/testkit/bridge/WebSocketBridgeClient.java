package dev.ocomms.testkit.bridge;

import dev.ocomms.testkit.Blocking;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;

import java.time.Duration;

/**
 * The bridge over a WebSocket: raw ({@code /eventbus/websocket}, one frame per text message) or SockJS
 * ({@code /eventbus/<server>/<session>/websocket}, SockJS framing both ways).
 */
public final class WebSocketBridgeClient extends InboxClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final boolean sockJs;
  private WebSocket socket;

  private WebSocketBridgeClient(Transport transport) {
    super(transport);
    this.sockJs = transport == Transport.SOCKJS_WEBSOCKET;
  }

  /** Connects (the upgrade fails with {@link io.vertx.core.http.UpgradeRejectedException} when refused). */
  public static WebSocketBridgeClient connect(WebSocketClient client, Transport transport, int port, String origin) {
    WebSocketBridgeClient bridge = new WebSocketBridgeClient(transport);
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI(uri(transport));
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    // Handlers go on before connecting: a frame that arrives before a handler is set is dropped, and the SockJS
    // open frame follows the upgrade at once.
    ClientWebSocket socket = client.webSocket();
    bridge.attach(socket);
    Blocking.get(socket.connect(options), TIMEOUT);
    bridge.socket = socket;
    if (bridge.sockJs) {
      bridge.awaitOpen(TIMEOUT);
    }
    return bridge;
  }

  public static String uri(Transport transport) {
    return transport == Transport.SOCKJS_WEBSOCKET ? SockJsPaths.session() + "/websocket" : "/eventbus/websocket";
  }

  private void attach(WebSocket ws) {
    ws.textMessageHandler(sockJs ? this::sockJsFrame : this::frame);
    ws.binaryMessageHandler(data -> violation("binary message: " + data));
    ws.closeHandler(v -> serverClosed(new Closure(
        ws.closeStatusCode() == null ? -1 : ws.closeStatusCode(), ws.closeReason())));
  }

  @Override
  public int sendText(String text) {
    String message = sockJs ? new JsonArray().add(text).encode() : text;
    Blocking.get(socket.writeTextMessage(message), TIMEOUT);
    return ACCEPTED;
  }

  /** Stops reading from the socket: once the client's buffers are full, TCP holds the server back. */
  @Override
  public void pauseReceiving() {
    socket.pause();
  }

  @Override
  public void resumeReceiving() {
    socket.resume();
  }

  /** Writes without waiting: for many sockets at once. */
  public void sendAsync(String text) {
    socket.writeTextMessage(sockJs ? new JsonArray().add(text).encode() : text);
  }

  @Override
  public void close() {
    if (socket != null && !socket.isClosed()) {
      socket.close();
    }
  }
}
