package dev.ocomms.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One client connection as a message-load measurement sees it: it sends a message into a room (a chat) and learns
 * which messages were delivered to it. The same load runs over OComms' bridge and over the raw baseline, so that the
 * two can be compared. Used from one event loop only.
 */
interface LoadConnection {
  /** Sends a message; completes when the server acknowledges it (for OComms: after its commit). */
  Future<Void> send(String room, String clientId);

  /** Hands the clientId of every message delivered to this connection to {@code deliveries}. */
  void onDelivered(Consumer<String> deliveries);

  Future<Void> close();

  /** The event-loop context the connection's frames arrive on: sends must be made from it. */
  Context context();

  /** A renewed access token for the connection's later frames (see {@link Sessions}); nothing to do by default. */
  default void renew(String accessToken) {
  }

  /** The type field of a {@code message.new} event as the server encodes it. */
  String MESSAGE_NEW = "\"type\":\"message.new\"";

  /** The first string value of {@code name} in compact JSON text, without parsing it; null when there is none. */
  static String stringField(String text, String name) {
    String key = "\"" + name + "\":\"";
    int at = text.indexOf(key);
    if (at < 0) {
      return null;
    }
    int start = at + key.length();
    int end = text.indexOf('"', start);
    return end < 0 ? null : text.substring(start, end);
  }

  /** Over OComms' bridge: {@code chat.message.send} requests and {@code message.new} events. */
  static LoadConnection bridge(BridgeClient bridge) {
    return bridge(bridge, 0);
  }

  /**
   * Over OComms' bridge, with message contents of exactly {@code contentBytes} ASCII characters ("bench message
   * &lt;clientId&gt;" padded or cut); 0 keeps that text as it is (50 characters).
   */
  static LoadConnection bridge(BridgeClient bridge, int contentBytes) {
    return new LoadConnection() {
      @Override
      public Future<Void> send(String room, String clientId) {
        return bridge.request("chat.message.send", new JsonObject().put("chatId", room).put("clientId", clientId)
            .put("content", content("bench message " + clientId, contentBytes))).mapEmpty();
      }

      @Override
      public void onDelivered(Consumer<String> deliveries) {
        // Scanned, not parsed: parsing every delivered frame cost the generator more CPU than it left the server.
        bridge.onRawEvent(text -> {
          if (text.contains(MESSAGE_NEW)) {
            String clientId = stringField(text, "clientId");
            if (clientId != null) {
              deliveries.accept(clientId);
            }
          }
        });
      }

      @Override
      public Future<Void> close() {
        return bridge.close();
      }

      @Override
      public Context context() {
        return bridge.context();
      }

      @Override
      public void renew(String accessToken) {
        bridge.renew(accessToken);
      }
    };
  }

  /** {@code text} padded with dots or cut to {@code length} characters; as it is when {@code length} is 0. */
  static String content(String text, int length) {
    if (length <= 0 || length == text.length()) {
      return text;
    }
    return length < text.length() ? text.substring(0, length) : text + ".".repeat(length - text.length());
  }

  /** To the raw baseline ({@link BaselineServer}): joins its rooms first, then sends and receives plain frames. */
  static Future<LoadConnection> baseline(Vertx vertx, WebSocketClient client, String host, int port,
                                         Iterable<String> rooms) {
    return client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/ws"))
        .compose(socket -> {
          BaselineConnection connection = new BaselineConnection(socket);
          Future<Void> joined = Future.succeededFuture();
          for (String room : rooms) {
            joined = joined.compose(ok -> connection.join(room));
          }
          return joined.map(ok -> (LoadConnection) connection);
        });
  }

  /** The baseline's side of {@link #baseline}. */
  final class BaselineConnection implements LoadConnection {
    private final WebSocket socket;
    private final Context context = Vertx.currentContext();
    private final Map<String, io.vertx.core.Promise<Void>> pending = new HashMap<>();
    private Consumer<String> deliveries = id -> { };

    private BaselineConnection(WebSocket socket) {
      this.socket = socket;
      socket.textMessageHandler(this::onFrame);
    }

    private Future<Void> join(String room) {
      io.vertx.core.Promise<Void> joined = io.vertx.core.Promise.promise();
      pending.put("join:" + room, joined);
      socket.writeTextMessage(new JsonObject().put("type", "join").put("room", room).encode());
      return joined.future();
    }

    @Override
    public Future<Void> send(String room, String clientId) {
      io.vertx.core.Promise<Void> acked = io.vertx.core.Promise.promise();
      pending.put(clientId, acked);
      // The same payload as a chat message, so that both carry similar bytes.
      socket.writeTextMessage(new JsonObject().put("type", "send").put("room", room).put("id", clientId)
          .put("content", "bench message " + clientId).encode());
      return acked.future();
    }

    @Override
    public void onDelivered(Consumer<String> deliveries) {
      this.deliveries = deliveries;
    }

    @Override
    public Future<Void> close() {
      return socket.close();
    }

    @Override
    public Context context() {
      return context;
    }

    private void onFrame(String text) {
      if (text.startsWith("{\"type\":\"send\"")) {
        String clientId = stringField(text, "id");
        if (clientId != null) {
          deliveries.accept(clientId); // scanned like the bridge's deliveries, so both sides cost the same
          return;
        }
      }
      JsonObject frame = new JsonObject(text);
      switch (frame.getString("type", "")) {
        case "send" -> deliveries.accept(frame.getString("id"));
        case "ack" -> complete(frame.getString("id"));
        case "joined" -> complete("join:" + frame.getString("room"));
        default -> {
        }
      }
    }

    private void complete(String key) {
      io.vertx.core.Promise<Void> promise = pending.remove(key);
      if (promise != null) {
        promise.complete();
      }
    }
  }
}
