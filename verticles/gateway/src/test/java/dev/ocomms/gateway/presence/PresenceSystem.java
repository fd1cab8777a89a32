package dev.ocomms.gateway.presence;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static dev.ocomms.gateway.presence.BridgeSocket.WAIT;
import static dev.ocomms.gateway.presence.BridgeSocket.block;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scaled-out deployment for end-to-end presence tests: two clustered nodes, each running accounts, messaging,
 * presence and the gateway (one PostgreSQL, one Redis), and what browsers have: the REST API and raw WebSocket bridge
 * connections to either node. Clients run on their own Vert.x instance. Close it to close every client and node.
 */
final class PresenceSystem implements AutoCloseable {
  private static final String API = "/api/v1";
  private static final String PASSWORD = "correct horse battery staple";

  private final TestCluster cluster;
  private final Vertx clientVertx = Vertx.vertx();
  private final WebClient web = WebClient.create(clientVertx);
  private final WebSocketClient webSockets = clientVertx.createWebSocketClient();
  private final List<BridgeSocket> sockets = new ArrayList<>();

  private PresenceSystem(TestCluster cluster) {
    this.cluster = cluster;
  }

  static PresenceSystem start(UnaryOperator<OcommsConfig> customize) {
    return start(2, customize);
  }

  /**
   * {@code nodes} clustered nodes; nodes 0 and 1 run accounts, messaging, presence and the gateway, the others nothing.
   */
  static PresenceSystem start(int nodes, UnaryOperator<OcommsConfig> customize) {
    TestCluster cluster = TestCluster.start(nodes, config -> customize.apply(config)
        .with(Setting.BRIDGE_CONNECTIONS_PER_SECOND, 1000)
        .with(Setting.BRIDGE_CONNECTIONS_PER_IP_PER_SECOND, 1000));
    try {
      for (int node = 0; node < 2; node++) {
        cluster.deploy(node, AccountsVerticle::new);
        cluster.deploy(node, MessagingVerticle::new);
        cluster.deploy(node, PresenceVerticle::new);
        cluster.deploy(node, GatewayVerticle::new);
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return new PresenceSystem(cluster);
  }

  TestCluster cluster() {
    return cluster;
  }

  /** A bridge connection of {@code user} to {@code node}; it authenticates with its first frame. */
  BridgeSocket connect(int node, User user) {
    BridgeSocket socket = BridgeSocket.connect(webSockets, cluster.config(node).httpPort(), user.username(),
        user.token());
    synchronized (sockets) {
      sockets.add(socket);
    }
    return socket;
  }

  /** A connection of {@code user} to {@code node} that listens on their own {@code user.<id>} (and so is online). */
  BridgeSocket online(int node, User user) {
    BridgeSocket socket = connect(node, user);
    socket.register("user." + user.id());
    return socket;
  }

  // REST

  private JsonObject expect(int status, HttpMethod method, String path, String token, JsonObject body) {
    HttpRequest<Buffer> request = web.request(method, cluster.config(0).httpPort(), "127.0.0.1", API + path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    HttpResponse<Buffer> response = block(body == null ? request.send() : request.sendJsonObject(body), WAIT);
    assertThat(response.statusCode()).as("%s %s: %s", method, path, response.bodyAsString()).isEqualTo(status);
    return response.bodyAsJsonObject();
  }

  /** A new account, with its display name and first session. */
  User register() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String displayName = "User " + suffix;
    JsonObject body = expect(201, HttpMethod.POST, "/auth/register", null, new JsonObject()
        .put("email", "mail." + suffix + "@example.org").put("username", "user_" + suffix)
        .put("displayName", displayName).put("password", PASSWORD));
    return new User(body.getJsonObject("user").getString("id"), "user_" + suffix, displayName,
        body.getString("accessToken"));
  }

  /** A workspace owned by {@code owner} that the others join with an invite; its general channel's id. */
  String workspace(User owner, User... members) {
    String workspaceId = expect(201, HttpMethod.POST, "/workspaces", owner.token(),
        new JsonObject().put("name", "Team " + owner.username())).getJsonObject("workspace").getString("id");
    if (members.length > 0) {
      String code = expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/invites", owner.token(),
          new JsonObject()).getString("code");
      for (User member : members) {
        expect(200, HttpMethod.POST, "/workspaces/join", member.token(), new JsonObject().put("code", code));
      }
    }
    return expect(200, HttpMethod.GET, "/chats", owner.token(), null).getJsonArray("chats").stream()
        .map(JsonObject.class::cast)
        .filter(chat -> workspaceId.equals(chat.getString("workspaceId")) && "general".equals(chat.getString("name")))
        .map(chat -> chat.getString("id"))
        .findFirst().orElseThrow(() -> new AssertionError("no general channel"));
  }

  @Override
  public void close() {
    synchronized (sockets) {
      sockets.forEach(socket -> {
        try {
          socket.close();
        } catch (RuntimeException ignored) {
          // Already closed by the server or its node.
        }
      });
    }
    block(clientVertx.close(), WAIT);
    cluster.close();
  }

  record User(String id, String username, String displayName, String token) {
  }
}
