package dev.ocomms.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The raw baseline each scenario is compared with: a plain Vert.x WebSocket broadcast server, with no persistence,
 * no authentication and no bridge. Protocol (text frames, JSON): {@code {"type":"join","room":R}} is answered with
 * {@code {"type":"joined","room":R}}; {@code {"type":"send","room":R,"id":I,...}} is written, unchanged, to every
 * socket in room R and then answered with {@code {"type":"ack","id":I}}; anything else (pings) is ignored.
 * Run as its own process: {@code java -cp ocomms-bench.jar dev.ocomms.bench.BaselineServer <port>}.
 */
public final class BaselineServer extends AbstractVerticle {
  private static final Map<String, Set<ServerWebSocket>> ROOMS = new ConcurrentHashMap<>();

  private final int port;

  BaselineServer(int port) {
    this.port = port;
  }

  public static void main(String[] args) {
    // Started by a bench run: when that run goes away (its end of our standard input closes), so do we.
    GeneratorProcess.Child.onCommands(command -> { });
    int port = Integer.parseInt(args[0]);
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(cores));
    vertx.deployVerticle(() -> new BaselineServer(port), new DeploymentOptions().setInstances(cores))
        .onSuccess(id -> System.out.println("baseline listening on " + port))
        .onFailure(failure -> {
          failure.printStackTrace();
          System.exit(1);
        });
  }

  @Override
  public void start(io.vertx.core.Promise<Void> started) {
    vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
            .setMaxWebSocketFrameSize(1 << 20).setMaxWebSocketMessageSize(1 << 20))
        .webSocketHandler(this::accept)
        .listen()
        .<Void>mapEmpty()
        .onComplete(started);
  }

  private void accept(ServerWebSocket socket) {
    Set<String> joined = ConcurrentHashMap.newKeySet();
    socket.textMessageHandler(text -> {
      JsonObject frame;
      try {
        frame = new JsonObject(text);
      } catch (RuntimeException notJson) {
        return;
      }
      String room = frame.getString("room");
      switch (frame.getString("type", "")) {
        case "join" -> {
          ROOMS.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(socket);
          joined.add(room);
          socket.writeTextMessage(new JsonObject().put("type", "joined").put("room", room).encode());
        }
        case "send" -> {
          for (ServerWebSocket member : ROOMS.getOrDefault(room, Set.of())) {
            member.writeTextMessage(text);
          }
          socket.writeTextMessage(new JsonObject().put("type", "ack").put("id", frame.getValue("id")).encode());
        }
        default -> {
        }
      }
    });
    socket.closeHandler(v -> joined.forEach(room -> ROOMS.getOrDefault(room, Set.of()).remove(socket)));
  }
}
