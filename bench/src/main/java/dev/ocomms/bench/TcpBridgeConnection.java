package dev.ocomms.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One connection to the event bus over TCP ({@code OCOMMS_BOT_BRIDGE_PORT}), as a bot in any language makes it: every
 * frame, both ways, is a 4-byte big-endian length and then that many bytes of the same JSON frames as
 * {@code /eventbus} (docs/protocol.md, "The event bus over TCP"). Requests with reply addresses, acknowledged
 * registrations, and a handler for delivered events; the bearer token goes in every frame's headers. Used from one
 * event loop only (the one its frames arrive on).
 */
final class TcpBridgeConnection {
  private final NetSocket socket;
  private final Context context;
  private final String authorization;
  private final Map<String, Promise<JsonObject>> pending = new HashMap<>();
  private final Promise<Void> closed = Promise.promise();
  private Consumer<JsonObject> events = event -> { };
  private long pingTimer;

  private TcpBridgeConnection(NetSocket socket, Context context, String token) {
    this.socket = socket;
    this.context = context;
    this.authorization = "Bearer " + token;
  }

  /** Connects with {@code token} (a bot's {@code ocb_…} or a user's access token) and keeps the connection alive. */
  static Future<TcpBridgeConnection> connect(Vertx vertx, NetClient client, String host, int port, String token) {
    return client.connect(port, host).map(socket -> {
      TcpBridgeConnection connection = new TcpBridgeConnection(socket, vertx.getOrCreateContext(), token);
      connection.attach();
      // The server closes a connection that is silent for a minute.
      connection.pingTimer = vertx.setPeriodic(20_000, id -> connection.write(new JsonObject().put("type", "ping")));
      socket.closeHandler(v -> {
        vertx.cancelTimer(connection.pingTimer);
        connection.onClosed();
      });
      return connection;
    });
  }

  /** Every event frame ({@code rec} on a registered address) as parsed JSON: {@code {type, address, body}}. */
  void onEvent(Consumer<JsonObject> handler) {
    this.events = handler;
  }

  /** The event-loop context the frames arrive on: requests must be made from it. */
  Context context() {
    return context;
  }

  /** A request; completes with the reply body, or fails with the error frame's body. */
  Future<JsonObject> request(String address, JsonObject body) {
    return expectReply(new JsonObject().put("type", "send").put("address", address).put("body", body));
  }

  /** Registers on an address; completes once the server says the registration is effective. */
  Future<JsonObject> register(String address) {
    return expectReply(new JsonObject().put("type", "register").put("address", address));
  }

  Future<Void> close() {
    return socket.close();
  }

  private Future<JsonObject> expectReply(JsonObject frame) {
    if (closed.future().isComplete()) {
      return Future.failedFuture(new BridgeClient.BenchFailure(new JsonObject().put("code", "disconnected")
          .put("detail", "the connection is closed")));
    }
    String replyAddress = "reply." + UUID.randomUUID();
    Promise<JsonObject> promise = Promise.promise();
    pending.put(replyAddress, promise);
    write(frame.put("replyAddress", replyAddress));
    return promise.future();
  }

  private void write(JsonObject frame) {
    byte[] json = frame.put("headers", new JsonObject().put("Authorization", authorization)).encode()
        .getBytes(StandardCharsets.UTF_8);
    socket.write(Buffer.buffer(json.length + 4).appendInt(json.length).appendBytes(json));
  }

  /** Reads the length, then that many bytes, then the next length. */
  private void attach() {
    RecordParser parser = RecordParser.newFixed(4);
    boolean[] expectingLength = {true};
    parser.handler(record -> {
      if (expectingLength[0]) {
        int length = record.getInt(0);
        if (length > 0) {
          expectingLength[0] = false;
          parser.fixedSizeMode(length);
        }
      } else {
        expectingLength[0] = true;
        parser.fixedSizeMode(4);
        onFrame(new JsonObject(record.toString(StandardCharsets.UTF_8)));
      }
    });
    socket.handler(parser);
  }

  private void onFrame(JsonObject frame) {
    String address = frame.getString("address");
    Promise<JsonObject> promise = address == null ? null : pending.remove(address);
    if (promise != null) {
      if ("err".equals(frame.getString("type"))) {
        promise.fail(new BridgeClient.BenchFailure(frame.getJsonObject("body", new JsonObject())));
      } else {
        promise.complete(frame.getJsonObject("body"));
      }
      return;
    }
    if ("rec".equals(frame.getString("type"))) {
      events.accept(frame);
    }
  }

  private void onClosed() {
    var unanswered = new ArrayList<>(pending.values());
    pending.clear();
    unanswered.forEach(promise -> promise.tryFail(new BridgeClient.BenchFailure(new JsonObject()
        .put("code", "disconnected").put("detail", "the connection closed before the reply"))));
    closed.tryComplete();
  }
}
