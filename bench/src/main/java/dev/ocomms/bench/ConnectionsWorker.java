package dev.ocomms.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * A load-generator child of the connections scenario (see {@link GeneratorProcess}). Its spec holds its slice of the
 * run: {@code accounts} ([userId, accessToken, [chatId×3]]), {@code connections} ([account, node, source]) and
 * {@code sourceAddresses}; one {@link WebSocketClient} per source address binds its sockets to that address. Commands:
 * <ul>
 *   <li>{@code {"command":"connect","phase":P,"mode":"bridge"|"baseline","host":H,"ports":[port per node],"rate":R,
 *   "concurrency":C}}: opens every connection at {@code R} per second, at most {@code C} opening at
 *   once; a bridge connection registers on {@code user.<id>} and its 3 chats (each acknowledged), a baseline one joins
 *   the same 4 rooms. Connections are held until {@code close} (or until the parent is gone).</li>
 *   <li>{@code {"command":"close","phase":P}}: counts the connections still open, closes them all, and reports
 *   {@code {"phase":P,"closed":true,"openBeforeClose":n}}.</li>
 *   <li>{@code {"command":"tokens","tokens":{userId:accessToken}}}: renewed access tokens; held bridge connections
 *   of those users present theirs with their next ping, later connections open with it.</li>
 *   <li>{@code {"command":"exit"}}.</li>
 * </ul>
 * About once a second it reports {@code {"phase","attempted","connected","open","failed":{cause:n},"dropped",
 * "done","connectSeconds"}}.
 */
public final class ConnectionsWorker {
  /** How long one connection may take to open and register before it counts as failed. */
  private static final long CONNECT_TIMEOUT_MS = 30_000;
  private static final long HEARTBEAT_MS = 20_000;
  private static final long TICK_MS = 10;

  private final Vertx vertx;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<JsonArray> accounts = new ArrayList<>();
  private final List<JsonArray> connections = new ArrayList<>();

  // Touched only on the worker's one event loop.
  private Phase phase;

  /** One connect/hold/close cycle. */
  private final class Phase {
    final int id;
    final String mode;
    final String host;
    final JsonArray ports;
    final double rate;
    final int concurrency;
    final long startedAt = System.nanoTime();
    final Set<Held> open = new HashSet<>();
    final Map<String, Long> failed = new HashMap<>();
    int attempted;
    int inFlight;
    int connected;
    int dropped;
    long doneAt = -1;
    boolean closing;
    long pacer;
    long reporter;

    Phase(JsonObject command) {
      id = command.getInteger("phase");
      mode = command.getString("mode");
      host = command.getString("host");
      ports = command.getJsonArray("ports");
      rate = command.getDouble("rate");
      concurrency = command.getInteger("concurrency");
    }

    JsonObject progress() {
      JsonObject failures = new JsonObject();
      failed.forEach(failures::put);
      return new JsonObject().put("phase", id).put("mode", mode).put("attempted", attempted)
          .put("connected", connected).put("open", open.size()).put("failed", failures).put("dropped", dropped)
          .put("done", doneAt >= 0).put("connectSeconds", doneAt < 0 ? null : (doneAt - startedAt) / 1e9);
    }
  }

  /** An open connection: a bridge client or a raw baseline socket, with its heartbeat. */
  private record Held(BridgeClient bridge, WebSocket raw, long heartbeat, JsonArray account) {
    void close() {
      if (bridge != null) {
        bridge.close();
      } else {
        raw.close();
      }
    }
  }

  private ConnectionsWorker(Vertx vertx, JsonObject spec) {
    this.vertx = vertx;
    spec.getJsonArray("accounts").forEach(account -> accounts.add((JsonArray) account));
    spec.getJsonArray("connections").forEach(connection -> connections.add((JsonArray) connection));
    for (Object address : spec.getJsonArray("sourceAddresses")) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions()
          .setLocalAddress((String) address)
          .setMaxConnections(Integer.MAX_VALUE)
          .setConnectTimeout((int) CONNECT_TIMEOUT_MS)
          .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20)));
    }
  }

  public static void main(String[] args) throws Exception {
    JsonObject spec = GeneratorProcess.Child.spec(args);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(spec.getInteger("eventLoops", 1)));
    ConnectionsWorker worker = new ConnectionsWorker(vertx, spec);
    // Every command runs on one context, so the worker's state needs no locks.
    var context = vertx.getOrCreateContext();
    GeneratorProcess.Child.onCommands(command -> context.runOnContext(v -> worker.handle(command)));
    GeneratorProcess.Child.report(new JsonObject().put("ready", true));
    // Vert.x starts its threads lazily and the command reader is a daemon: keep this JVM up until "exit".
    Thread.currentThread().join();
  }

  private void handle(JsonObject command) {
    switch (command.getString("command", "")) {
      case "connect" -> connect(new Phase(command));
      case "close" -> close(command.getInteger("phase"));
      case "tokens" -> renewTokens(command.getJsonObject("tokens"));
      case "exit" -> vertx.close().onComplete(done -> System.exit(0));
      default -> System.err.println("connections worker: unknown command " + command.encode());
    }
  }

  private void connect(Phase next) {
    if (phase != null && !phase.open.isEmpty()) {
      System.err.println("connections worker: phase " + phase.id + " still holds connections; closing them first");
      closeAll(phase);
    }
    phase = next;
    next.pacer = vertx.setPeriodic(TICK_MS, id -> pace(next));
    next.reporter = vertx.setPeriodic(1000, id -> GeneratorProcess.Child.report(next.progress()));
  }

  /** Starts as many connections as the rate allows so far, within the concurrency bound. */
  private void pace(Phase current) {
    double elapsed = (System.nanoTime() - current.startedAt) / 1e9;
    int allowed = (int) Math.min(connections.size(), Math.floor(current.rate * elapsed) + 1);
    while (current.attempted < allowed && current.inFlight < current.concurrency) {
      open(current, connections.get(current.attempted));
      current.attempted++;
      current.inFlight++;
    }
    if (current.attempted == connections.size()) {
      vertx.cancelTimer(current.pacer);
    }
  }

  private void open(Phase current, JsonArray connection) {
    JsonArray account = accounts.get(connection.getInteger(0));
    int port = current.ports.getInteger(connection.getInteger(1));
    String host = current.host;
    WebSocketClient client = clients.get(connection.getInteger(2));
    Future<Held> opened = "bridge".equals(current.mode)
        ? openBridge(client, host, port, account) : openBaseline(client, host, port, account);
    Promise<Held> settled = Promise.promise();
    long timeout = vertx.setTimer(CONNECT_TIMEOUT_MS, id -> settled.tryFail(new TimeoutException()));
    opened.onComplete(result -> {
      vertx.cancelTimer(timeout);
      boolean inTime = result.succeeded() ? settled.tryComplete(result.result()) : settled.tryFail(result.cause());
      if (!inTime && result.succeeded()) {
        result.result().close(); // opened after its time ran out: it counts as failed
      }
    });
    settled.future().onComplete(result -> {
      current.inFlight--;
      if (result.succeeded()) {
        if (current.closing || phase != current) {
          result.result().close();
        } else {
          current.connected++;
          current.open.add(result.result());
        }
      } else {
        current.failed.merge(cause(result.cause()), 1L, Long::sum);
      }
      if (current.attempted == connections.size() && current.inFlight == 0 && current.doneAt < 0) {
        finishedConnecting(current);
      }
    });
  }

  private void finishedConnecting(Phase current) {
    current.doneAt = System.nanoTime();
    GeneratorProcess.Child.report(current.progress());
    // The hold ends with the parent's close command only: the parent may still wait for a slower generator, and a
    // generator whose parent is gone exits (GeneratorProcess.Child.onCommands).
  }

  private Future<Held> openBridge(WebSocketClient client, String host, int port, JsonArray account) {
    String userId = account.getString(0);
    JsonArray chats = account.getJsonArray(2);
    return BridgeClient.connect(vertx, client, host, port, account.getString(1)).compose(bridge -> {
      List<Future<JsonObject>> registrations = new ArrayList<>();
      registrations.add(bridge.register("user." + userId));
      chats.forEach(chat -> registrations.add(bridge.register("chat." + chat)));
      Held held = new Held(bridge, null, -1, account);
      bridge.closed().onComplete(done -> dropped(held));
      return Future.all(registrations).<Held>map(all -> held).onFailure(failure -> bridge.close());
    });
  }

  /** The baseline's equivalent: a raw socket joining the same 4 rooms, each join answered, with the same pings. */
  private Future<Held> openBaseline(WebSocketClient client, String host, int port, JsonArray account) {
    return client.connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI("/"))
        .compose(socket -> {
          List<String> rooms = new ArrayList<>();
          rooms.add("user." + account.getString(0));
          account.getJsonArray(2).forEach(chat -> rooms.add("chat." + chat));
          Set<String> waiting = new HashSet<>(rooms);
          Promise<Held> joined = Promise.promise();
          long heartbeat = vertx.setPeriodic(HEARTBEAT_MS, id ->
              socket.writeTextMessage(new JsonObject().put("type", "ping").encode()));
          Held held = new Held(null, socket, heartbeat, account);
          socket.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            if ("joined".equals(frame.getString("type")) && waiting.remove(frame.getString("room"))
                && waiting.isEmpty()) {
              joined.tryComplete(held);
            }
          });
          socket.closeHandler(v -> {
            vertx.cancelTimer(heartbeat);
            joined.tryFail("closed while joining");
            dropped(held);
          });
          rooms.forEach(room -> socket.writeTextMessage(new JsonObject().put("type", "join").put("room", room)
              .encode()));
          return joined.future().onFailure(failure -> socket.close());
        });
  }

  private void renewTokens(JsonObject tokens) {
    for (JsonArray account : accounts) {
      String token = tokens.getString(account.getString(0));
      if (token != null) {
        account.set(1, token);
      }
    }
    if (phase != null) {
      for (Held held : phase.open) {
        if (held.bridge() != null) {
          held.bridge().renew(held.account().getString(1));
        }
      }
    }
  }

  /** A held connection closed without being asked to: the server (or the network) dropped it. */
  private void dropped(Held held) {
    Phase current = phase;
    if (current != null && !current.closing && current.open.remove(held)) {
      current.dropped++;
    }
  }

  private void close(int phaseId) {
    Phase current = phase;
    if (current == null || current.id != phaseId || current.closing) {
      return;
    }
    int openBeforeClose = current.open.size();
    closeAll(current);
    GeneratorProcess.Child.report(current.progress().put("closed", true).put("openBeforeClose", openBeforeClose));
  }

  private void closeAll(Phase current) {
    current.closing = true;
    vertx.cancelTimer(current.pacer);
    vertx.cancelTimer(current.reporter);
    current.open.forEach(held -> {
      if (held.heartbeat() >= 0) {
        vertx.cancelTimer(held.heartbeat());
      }
      held.close();
    });
    current.open.clear();
  }

  /** A short name for why a connection failed, to count failures by cause. */
  static String cause(Throwable failure) {
    if (failure instanceof BridgeClient.BenchFailure refused) {
      return "refused:" + refused.code();
    }
    if (failure instanceof UpgradeRejectedException rejected) {
      return "rejected:" + rejected.getStatus();
    }
    if (failure instanceof TimeoutException) {
      return "timeout";
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : ":" + root.getMessage().replaceAll("[0-9./:]+", "").trim();
    return root.getClass().getSimpleName() + (message.length() > 60 ? message.substring(0, 60) : message);
  }
}
