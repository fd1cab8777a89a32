package dev.ocomms.bench;

import io.vertx.core.Context;
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
  /** How the server's event frames begin (its JSON keeps this field order); replies go to UUID addresses instead. */
  private static final String CHAT_EVENT_PREFIX = "{\"type\":\"rec\",\"address\":\"chat.";
  private static final String USER_EVENT_PREFIX = "{\"type\":\"rec\",\"address\":\"user.";

  private final WebSocket socket;
  private String authorization;
  private final Context context;
  private final Map<String, Promise<JsonObject>> pending = new HashMap<>();
  private final Promise<Void> closed = Promise.promise();
  private Consumer<JsonObject> events = event -> { };
  private Consumer<String> rawEvents;
  private long pingTimer;

  private BridgeClient(WebSocket socket, String accessToken, Context context) {
    this.socket = socket;
    this.authorization = "Bearer " + accessToken;
    this.context = context;
    socket.textMessageHandler(this::onFrame);
  }

  static Future<BridgeClient> connect(Vertx vertx, WebSocketClient client, String host, int port, String accessToken) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port)
        .setURI("/eventbus/websocket");
    return client.connect(options).map(socket -> {
      BridgeClient bridge = new BridgeClient(socket, accessToken, vertx.getOrCreateContext());
      bridge.pingTimer = vertx.setPeriodic(20_000, id -> bridge.ping());
      socket.closeHandler(v -> {
        vertx.cancelTimer(bridge.pingTimer);
        bridge.onClosed();
      });
      return bridge;
    });
  }

  void onEvent(Consumer<JsonObject> handler) {
    this.events = handler;
  }

  /**
   * Hands the event frames addressed to {@code chat.*} and {@code user.*} over as their text, unparsed, instead of to
   * {@link #onEvent}: under fan-out a JsonObject per received frame would make the generator the bottleneck.
   */
  void onRawEvent(Consumer<String> handler) {
    this.rawEvents = handler;
  }

  /** The event-loop context the socket's frames arrive on: requests must be made from it. */
  Context context() {
    return context;
  }

  /** A request; completes with the reply body, or fails with the error frame's body. */
  Future<JsonObject> request(String address, JsonObject body) {
    if (closed.future().isComplete()) {
      return Future.failedFuture(new BenchFailure(new JsonObject().put("code", "disconnected")
          .put("detail", "the connection is closed")));
    }
    String replyAddress = UUID.randomUUID().toString();
    Promise<JsonObject> promise = Promise.promise();
    pending.put(replyAddress, promise);
    write(new JsonObject().put("type", "send").put("address", address).put("body", body)
        .put("replyAddress", replyAddress));
    return promise.future();
  }

  /** Registers on an address; completes once the server says the registration is effective. */
  Future<JsonObject> register(String address) {
    if (closed.future().isComplete()) {
      return Future.failedFuture(new BenchFailure(new JsonObject().put("code", "disconnected")
          .put("detail", "the connection is closed")));
    }
    String replyAddress = UUID.randomUUID().toString();
    Promise<JsonObject> promise = Promise.promise();
    pending.put(replyAddress, promise);
    write(new JsonObject().put("type", "register").put("address", address).put("replyAddress", replyAddress));
    return promise.future();
  }

  /** A renewed access token: every later frame (the next ping first) presents it, as a browser does. */
  void renew(String accessToken) {
    this.authorization = "Bearer " + accessToken;
  }

  void ping() {
    write(new JsonObject().put("type", "ping"));
  }

  Future<Void> close() {
    return socket.close();
  }

  /** Completes when the connection has closed (either side); requests still unanswered then fail. */
  Future<Void> closed() {
    return closed.future();
  }

  private void onClosed() {
    // A reply can no longer come: the caller decides whether to retry (with the same clientId for a send).
    var unanswered = new java.util.ArrayList<>(pending.values());
    pending.clear();
    unanswered.forEach(promise -> promise.tryFail(new BenchFailure(new JsonObject().put("code", "disconnected")
        .put("detail", "the connection closed before the reply"))));
    closed.tryComplete();
  }

  private void write(JsonObject frame) {
    socket.writeTextMessage(frame.put("headers", new JsonObject().put("Authorization", authorization)).encode());
  }

  private void onFrame(String text) {
    if (rawEvents != null && (text.startsWith(CHAT_EVENT_PREFIX) || text.startsWith(USER_EVENT_PREFIX))) {
      rawEvents.accept(text);
      return;
    }
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
