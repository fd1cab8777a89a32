package dev.ocomms.gateway.bridge;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.testkit.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The system a browser talks to: a cluster with accounts, messaging and the gateway on node 0, or on every node (real
 * PostgreSQL and Redis), plus what a browser has: the REST API (blocking helpers) and bridge clients over every
 * transport. Clients run on their own Vert.x instance, so that no test traffic shares the server's event loops. One
 * per test class (the end-to-end messaging tests share one).
 */
public final class BridgeServer implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final String API = "/api/v1";
  /** Satisfies the password rules and shares no text with the random usernames. */
  static final String PASSWORD = "correct horse battery staple";

  private final TestCluster cluster;
  private final Vertx clientVertx = Vertx.vertx();
  private final WebClient web = WebClient.create(clientVertx);
  private final WebSocketClient webSockets = clientVertx.createWebSocketClient(
      new WebSocketClientOptions().setMaxConnections(10_000).setConnectTimeout(10_000));
  private final List<BridgeTestClient> clients = new ArrayList<>();

  private BridgeServer(TestCluster cluster) {
    this.cluster = cluster;
  }

  static BridgeServer start() {
    return start(1, UnaryOperator.identity());
  }

  /** {@code nodes} clustered nodes; accounts, messaging and the gateway run on node 0. */
  static BridgeServer start(int nodes, UnaryOperator<OcommsConfig> customize) {
    return start(nodes, 1, 1, customize);
  }

  /** As {@link #start(int, UnaryOperator)}, with several gateway instances on node 0 (as one per core). */
  static BridgeServer startWithGateways(int nodes, int gatewayInstances, UnaryOperator<OcommsConfig> customize) {
    return start(nodes, 1, gatewayInstances, customize);
  }

  /**
   * {@code nodes} clustered nodes; accounts, messaging and the gateway run on each node, so any node serves browsers.
   */
  public static BridgeServer startOnEveryNode(int nodes, UnaryOperator<OcommsConfig> customize) {
    return start(nodes, nodes, 1, customize);
  }

  private static BridgeServer start(int nodes, int serving, int gatewayInstances,
                                    UnaryOperator<OcommsConfig> customize) {
    TestCluster cluster = TestCluster.start(nodes, customize);
    try {
      for (int node = 0; node < serving; node++) {
        cluster.deploy(node, AccountsVerticle::new);
        cluster.deploy(node, MessagingVerticle::new);
        cluster.deploy(node, GatewayVerticle::new, gatewayInstances);
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return new BridgeServer(cluster);
  }

  TestCluster cluster() {
    return cluster;
  }

  int port() {
    return port(0);
  }

  /** The HTTP port of a node's gateway. */
  public int port(int node) {
    return cluster.config(node).httpPort();
  }

  /** The origin a browser has on a page served by this node. */
  String ownOrigin() {
    return "http://127.0.0.1:" + port();
  }

  /** Publishes an event from a node, as an owning verticle does. */
  public void publish(int node, String address, JsonObject event) {
    cluster.node(node).eventBus().publish(address, event);
  }

  // Bridge clients

  /** A connection over {@code transport} from a page of this server's own origin. */
  BridgeTestClient connect(Transport transport) {
    return connect(transport, ownOrigin());
  }

  BridgeTestClient connect(Transport transport, String origin) {
    return connect(0, transport, origin);
  }

  /** A connection over {@code transport} to the gateway of {@code node}, from a page that node served. */
  public BridgeTestClient connect(int node, Transport transport) {
    return connect(node, transport, "http://127.0.0.1:" + port(node));
  }

  private BridgeTestClient connect(int node, Transport transport, String origin) {
    BridgeTestClient client = switch (transport) {
      case RAW_WEBSOCKET, SOCKJS_WEBSOCKET -> WebSocketBridgeClient.connect(webSockets, transport, port(node), origin);
      case XHR_STREAMING, XHR_POLLING -> XhrBridgeClient.connect(clientVertx, transport, port(node), origin);
    };
    synchronized (clients) {
      clients.add(client);
    }
    return client;
  }

  /** Starts a raw WebSocket connection without waiting (for many at once). */
  Future<WebSocketBridgeClient> connectRawAsync() {
    return clientVertx.executeBlocking(() -> {
      WebSocketBridgeClient client = WebSocketBridgeClient.connect(webSockets, Transport.RAW_WEBSOCKET, port(),
          ownOrigin());
      synchronized (clients) {
        clients.add(client);
      }
      return client;
    }, false);
  }

  WebSocketClient webSockets() {
    return webSockets;
  }

  Vertx clientVertx() {
    return clientVertx;
  }

  // REST, as a browser uses it

  HttpRequest<Buffer> request(HttpMethod method, String path) {
    return request(0, method, path);
  }

  HttpRequest<Buffer> request(int node, HttpMethod method, String path) {
    return web.request(method, port(node), "127.0.0.1", path);
  }

  /** A REST call ({@code path} under {@code /api/v1}) to node 0, waited for. */
  public HttpResponse<Buffer> call(HttpMethod method, String path, String accessToken, JsonObject body) {
    return call(0, method, path, accessToken, body);
  }

  /** A REST call without waiting: for many at once. */
  public Future<HttpResponse<Buffer>> callAsync(int node, HttpMethod method, String path, String accessToken,
                                                JsonObject body) {
    HttpRequest<Buffer> request = request(node, method, API + path);
    if (accessToken != null) {
      request.bearerTokenAuthentication(accessToken);
    }
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  /** A REST call ({@code path} under {@code /api/v1}) to a node's gateway, waited for. */
  public HttpResponse<Buffer> call(int node, HttpMethod method, String path, String accessToken, JsonObject body) {
    HttpRequest<Buffer> request = request(node, method, API + path);
    if (accessToken != null) {
      request.bearerTokenAuthentication(accessToken);
    }
    return InboxClient.block(body == null ? request.send() : request.sendJsonObject(body), WAIT);
  }

  private JsonObject expect(int status, HttpMethod method, String path, String accessToken, JsonObject body) {
    HttpResponse<Buffer> response = call(method, path, accessToken, body);
    assertThat(response.statusCode()).as("%s %s: %s", method, path, response.bodyAsString()).isEqualTo(status);
    return status == 204 ? new JsonObject() : response.bodyAsJsonObject();
  }

  /** A new account (and its first session). */
  public User register() {
    return InboxClient.block(registerAsync(), WAIT);
  }

  Future<User> registerAsync() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String username = "user_" + suffix;
    JsonObject registration = new JsonObject().put("email", "mail." + suffix + "@example.org")
        .put("username", username).put("displayName", "User " + suffix).put("password", PASSWORD);
    return request(HttpMethod.POST, API + "/auth/register").sendJsonObject(registration).map(response -> {
      if (response.statusCode() != 201) {
        throw new IllegalStateException("register: " + response.statusCode() + " " + response.bodyAsString());
      }
      JsonObject body = response.bodyAsJsonObject();
      return new User(body.getJsonObject("user").getString("id"), username, body.getString("accessToken"));
    });
  }

  /** {@code count} new accounts, {@code parallel} registrations at a time (password hashing is slow on purpose). */
  public List<User> register(int count, int parallel) {
    List<User> users = new ArrayList<>();
    for (int from = 0; from < count; from += parallel) {
      List<Future<User>> batch = IntStream.range(from, Math.min(count, from + parallel))
          .mapToObj(i -> registerAsync()).toList();
      users.addAll(InboxClient.block(Future.all(batch), WAIT).list());
    }
    return users;
  }

  /** Another session of the same account: its access token. */
  String login(User user) {
    return expect(200, HttpMethod.POST, "/auth/login", null,
        new JsonObject().put("login", user.username()).put("password", PASSWORD)).getString("accessToken");
  }

  void logout(String accessToken) {
    expect(204, HttpMethod.POST, "/auth/logout", accessToken, null);
  }

  /** A workspace owned by {@code owner}; the others join it with an invite. Its id. */
  public String workspace(User owner, List<User> members) {
    String workspaceId = expect(201, HttpMethod.POST, "/workspaces", owner.token(),
        new JsonObject().put("name", "Team " + owner.username())).getJsonObject("workspace").getString("id");
    if (!members.isEmpty()) {
      String code = expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/invites", owner.token(),
          new JsonObject()).getString("code");
      members.forEach(member -> expect(200, HttpMethod.POST, "/workspaces/join", member.token(),
          new JsonObject().put("code", code)));
    }
    return workspaceId;
  }

  /** A public channel created by {@code creator}; its id. */
  public String channel(User creator, String workspaceId, String name) {
    return expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/channels", creator.token(),
        new JsonObject().put("name", name).put("private", false)).getJsonObject("chat").getString("id");
  }

  /** The workspace's general channel, as {@code member} lists it. */
  String general(User member, String workspaceId) {
    return expect(200, HttpMethod.GET, "/chats", member.token(), null).getJsonArray("chats").stream()
        .map(JsonObject.class::cast)
        .filter(chat -> workspaceId.equals(chat.getString("workspaceId")) && "general".equals(chat.getString("name")))
        .map(chat -> chat.getString("id"))
        .findFirst().orElseThrow(() -> new AssertionError("no general channel"));
  }

  public void joinChat(User user, String chatId) {
    expect(200, HttpMethod.POST, "/chats/" + chatId + "/join", user.token(), null);
  }

  void removeMember(User moderator, String chatId, User member) {
    expect(204, HttpMethod.DELETE, "/chats/" + chatId + "/members/" + member.id(), moderator.token(), null);
  }

  /** A node's operator endpoint (path such as {@code /health}): status and body. */
  HttpResponse<Buffer> ops(String path) {
    return InboxClient.block(request(HttpMethod.GET, path).send(), WAIT);
  }

  /** Closes every client connected so far (after each test, so that idle polling clients do not pile up). */
  public void closeClients() {
    synchronized (clients) {
      clients.forEach(BridgeTestClient::close);
      clients.clear();
    }
  }

  @Override
  public void close() {
    closeClients();
    InboxClient.block(clientVertx.close(), WAIT);
    cluster.close();
  }

  /** A registered account with the access token of its first session. */
  public record User(String id, String username, String token) {
  }
}
