package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One browser-like connection over the raw WebSocket endpoint {@code /eventbus/websocket}, speaking the bridge wire
 * protocol: requests with reply addresses, registrations (acknowledged), and a handler for delivered events.
 * Used from one event loop only.
 */
final class BridgeClient {
  private final WebSocket socket;
  private final String authorization;
  private final Map<String, Promise<JsonObject>> pending = new HashMap<>();
  private Consumer<JsonObject> events = event -> { };
  private Runnable closed = () -> { };
  private long pingTimer;

  private BridgeClient(WebSocket socket, String accessToken) {
    this.socket = socket;
    this.authorization = "Bearer " + accessToken;
    socket.textMessageHandler(this::onFrame);
  }

  static Future<BridgeClient> connect(Vertx vertx, WebSocketClient client, String host, int port, String accessToken) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port)
        .setURI("/eventbus/websocket");
    return client.connect(options).map(socket -> {
      BridgeClient bridge = new BridgeClient(socket, accessToken);
      bridge.pingTimer = vertx.setPeriodic(20_000, id -> bridge.ping());
      socket.closeHandler(v -> {
        vertx.cancelTimer(bridge.pingTimer);
        bridge.closed.run();
      });
      return bridge;
    });
  }

  void onEvent(Consumer<JsonObject> handler) {
    this.events = handler;
  }

  /** Called once the socket has closed, whichever side closed it. */
  void closeHandler(Runnable handler) {
    this.closed = handler;
  }

  /** A request; completes with the reply body, or fails with the error frame's body. */
  Future<JsonObject> request(String address, JsonObject body) {
    String replyAddress = UUID.randomUUID().toString();
    Promise<JsonObject> promise = Promise.promise();
    pending.put(replyAddress, promise);
    write(new JsonObject().put("type", "send").put("address", address).put("body", body)
        .put("replyAddress", replyAddress));
    return promise.future();
  }

  /** Registers on an address; completes once the server says the registration is effective. */
  Future<JsonObject> register(String address) {
    String replyAddress = UUID.randomUUID().toString();
    Promise<JsonObject> promise = Promise.promise();
    pending.put(replyAddress, promise);
    write(new JsonObject().put("type", "register").put("address", address).put("replyAddress", replyAddress));
    return promise.future();
  }

  void ping() {
    write(new JsonObject().put("type", "ping"));
  }

  Future<Void> close() {
    return socket.close();
  }

  private void write(JsonObject frame) {
    socket.writeTextMessage(frame.put("headers", new JsonObject().put("Authorization", authorization)).encode());
  }

  private void onFrame(String text) {
    JsonObject frame = new JsonObject(text);
    String address = frame.getString("address");
    Promise<JsonObject> promise = address == null ? null : pending.remove(address);
    if (promise != null) {
      if ("err".equals(frame.getString("type"))) {
        promise.fail(new BenchFailure(frame.getJsonObject("body", new JsonObject())));
      } else {
        promise.complete(frame.getJsonObject("body"));
      }
      return;
    }
    if ("rec".equals(frame.getString("type"))) {
      events.accept(frame);
    }
  }

  /** An error reply from the server. */
  static final class BenchFailure extends RuntimeException {
    final JsonObject problem;

    BenchFailure(JsonObject problem) {
      super(problem.getString("code", "error") + ": " + problem.getString("detail", ""), null, false, false);
      this.problem = problem;
    }

    String code() {
      return problem.getString("code", "");
    }
  }
}
