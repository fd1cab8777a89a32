package dev.ocomms.testkit;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.TcpBridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import dev.ocomms.testkit.bridge.WebSocketBridgeClient;
import dev.ocomms.testkit.bridge.XhrBridgeClient;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.Future;
import io.vertx.core.Verticle;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.client.HttpRequest;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import io.vertx.rxjava3.ext.web.client.WebClient;
import io.vertx.rxjava3.ext.web.multipart.MultipartForm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running OComms system for tests: real clustered nodes (real PostgreSQL, Redis and Hazelcast) running the verticles
 * a test chose, and what a browser has: the REST API and bridge clients over every transport, on a Vert.x instance of
 * their own so that no test traffic shares the server's event loops. Built with {@link #builder()}; close it to close
 * every client and node. Blocking methods are for the test thread.
 *
 * <pre>{@code
 * TestSystem system = TestSystem.builder().nodes(2).everyNodeServes()
 *     .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new)
 *     .start();
 * }</pre>
 */
public final class TestSystem implements AutoCloseable {
  public static final Duration WAIT = BridgeClient.WAIT;
  public static final String API = "/api/v1";
  /** Satisfies every password rule, and shares no text with the random usernames and emails. */
  public static final String PASSWORD = "correct horse battery staple";

  private final TestCluster cluster;
  private final Vertx clientVertx = Vertx.vertx();
  private final WebClient web = WebClient.create(clientVertx);
  private final WebSocketClient webSockets = clientVertx.getDelegate().createWebSocketClient(
      new WebSocketClientOptions().setMaxConnections(10_000).setConnectTimeout(10_000));
  private final List<BridgeClient> clients = new ArrayList<>();

  private TestSystem(TestCluster cluster) {
    this.cluster = cluster;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What a test system runs: how many nodes, which of them serve, their settings and the verticles they deploy. */
  public static final class Builder {
    private int nodes = 1;
    private int servingNodes = 1;
    private UnaryOperator<OcommsConfig> configure = UnaryOperator.identity();
    private final List<Deployment> deployments = new ArrayList<>();

    /** {@code node} -1: on every serving node. */
    private record Deployment(Supplier<? extends Verticle> verticle, int instances, int node) {
    }

    private Builder() {
    }

    /** Clustered nodes in all (default 1); nodes beyond the serving ones run no verticle. */
    public Builder nodes(int nodes) {
      this.nodes = nodes;
      return this;
    }

    /** The first {@code count} nodes deploy the verticles (default 1: node 0 only). */
    public Builder servingNodes(int count) {
      this.servingNodes = count;
      return this;
    }

    /** Every node deploys the verticles, so any node serves browsers. */
    public Builder everyNodeServes() {
      this.servingNodes = -1;
      return this;
    }

    /** Changes every node's settings (applied after the test defaults; calls compose in order). */
    public Builder configure(UnaryOperator<OcommsConfig> change) {
      UnaryOperator<OcommsConfig> before = configure;
      this.configure = config -> change.apply(before.apply(config));
      return this;
    }

    /**
     * Lifts the bridge's connection-rate limits: browsers and test clients connect quickly here, and those limits
     * have their own tests.
     */
    public Builder withoutConnectionRateLimits() {
      return configure(config -> config
          .with(Setting.BRIDGE_CONNECTIONS_PER_SECOND, 1000)
          .with(Setting.BRIDGE_CONNECTIONS_PER_IP_PER_SECOND, 1000));
    }

    /** A verticle every serving node deploys, in the order given (a verticle's dependencies first). */
    public Builder deploy(Supplier<? extends Verticle> verticle) {
      return deploy(verticle, 1);
    }

    /** As {@link #deploy(Supplier)}, with several instances per node (as the launcher runs one per core). */
    public Builder deploy(Supplier<? extends Verticle> verticle, int instances) {
      deployments.add(new Deployment(verticle, instances, -1));
      return this;
    }

    /** A verticle only {@code node} deploys (for a cluster whose nodes differ), in order with the others. */
    public Builder deployOn(int node, Supplier<? extends Verticle> verticle) {
      deployments.add(new Deployment(verticle, 1, node));
      return this;
    }

    /** Starts the nodes, then deploys on each serving node; stops everything again if any step fails. */
    public TestSystem start() {
      TestCluster cluster = TestCluster.start(nodes, configure);
      try {
        int serving = servingNodes < 0 ? nodes : Math.min(servingNodes, nodes);
        for (int node = 0; node < nodes; node++) {
          for (Deployment deployment : deployments) {
            if (deployment.node() == node || (deployment.node() < 0 && node < serving)) {
              cluster.deploy(node, deployment.verticle(), deployment.instances());
            }
          }
        }
      } catch (RuntimeException e) {
        cluster.close();
        throw e;
      }
      return new TestSystem(cluster);
    }
  }

  public TestCluster cluster() {
    return cluster;
  }

  /** The HTTP port of a node's gateway. */
  public int port(int node) {
    return cluster.config(node).httpPort();
  }

  /** The operators' port of a node's gateway ({@code /metrics}, {@code /health}, {@code /ready}). */
  public int opsPort(int node) {
    return cluster.config(node).opsPort();
  }

  /** What a browser opens to reach node 0. */
  public String baseUrl() {
    return ownOrigin(0);
  }

  /** The origin a browser has on a page served by {@code node}. */
  public String ownOrigin(int node) {
    return "http://127.0.0.1:" + port(node);
  }

  /** Publishes an event from a node, as an owning verticle does. */
  public void publish(int node, String address, JsonObject event) {
    cluster.node(node).eventBus().publish(address, event);
  }

  // The bridge

  /** A connection over {@code transport} to node 0, from a page node 0 served. */
  public BridgeClient connect(Transport transport) {
    return connect(0, transport);
  }

  /** A connection over {@code transport} to the gateway of {@code node}, from a page that node served. */
  public BridgeClient connect(int node, Transport transport) {
    return connect(node, transport, ownOrigin(node));
  }

  /** A connection from a page of {@code origin} (for origin checks). */
  public BridgeClient connect(int node, Transport transport, String origin) {
    BridgeClient client = switch (transport) {
      case RAW_WEBSOCKET, SOCKJS_WEBSOCKET -> WebSocketBridgeClient.connect(webSockets, transport, port(node), origin);
      case XHR_STREAMING, XHR_POLLING -> XhrBridgeClient.connect(clientVertx.getDelegate(), transport, port(node),
          origin);
    };
    return track(client);
  }

  /** The TCP bridge's port of a node's gateway ({@code OCOMMS_BOT_BRIDGE_PORT}). */
  public int botBridgePort(int node) {
    return cluster.config(node).botBridgePort();
  }

  /** A connection to the TCP bridge of {@code node}, as a bot or a command-line client opens it (not signed in). */
  public TcpBridgeClient connectTcp(int node) {
    return track(TcpBridgeClient.connect(clientVertx.getDelegate(), botBridgePort(node)));
  }

  /** A raw WebSocket connection to node 0, started without waiting (for many at once). */
  public Future<WebSocketBridgeClient> connectRawAsync() {
    return clientVertx.getDelegate().executeBlocking(() -> track(
        WebSocketBridgeClient.connect(webSockets, Transport.RAW_WEBSOCKET, port(0), ownOrigin(0))), false);
  }

  /**
   * A raw WebSocket connection of {@code account} to {@code node}, signed in as that account, that listens on its own
   * {@code user.<id>} (and so is online).
   */
  public BridgeClient online(int node, Account account) {
    BridgeClient client = connect(node, Transport.RAW_WEBSOCKET).signedInAs(account.token());
    client.listen("user." + account.id());
    return client;
  }

  /**
   * A connection of the account on {@code node}, listening on its user address, once presence counts the account
   * available (so that what is decided for online users, toasts for instance, is decided so for it).
   */
  public BridgeClient onlineAndAvailable(int node, Account account) {
    BridgeClient client = online(node, account);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!"available".equals(presenceStatus(account))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(account.username() + " never came online: " + presenceStatus(account));
      }
      client.awaitAnyFrame(Duration.ofMillis(50));
    }
    return client;
  }

  /** The account's status as the presence verticle has it now ({@code presence.read}, asked on node 0). */
  public String presenceStatus(Account account) {
    return cluster.node(0).eventBus().<JsonObject>rxRequest(Addresses.PRESENCE_READ,
            new JsonObject().put("userIds", new io.vertx.core.json.JsonArray().add(account.id())))
        .timeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet().body()
        .getJsonArray("users").getJsonObject(0).getString("status");
  }

  private <C extends BridgeClient> C track(C client) {
    synchronized (clients) {
      clients.add(client);
    }
    return client;
  }

  /** The client side's Vert.x (not a node): for WebSocket attempts and timers of the test's own. */
  public io.vertx.core.Vertx clientVertx() {
    return clientVertx.getDelegate();
  }

  public WebSocketClient webSockets() {
    return webSockets;
  }

  /** Closes every client connected so far (after each test, so that idle polling clients do not pile up). */
  public void closeClients() {
    synchronized (clients) {
      clients.forEach(client -> {
        try {
          client.close();
        } catch (RuntimeException ignored) {
          // Already closed by the server or its node.
        }
      });
      clients.clear();
    }
  }

  // REST, as a browser uses it

  /** A request to an absolute path (such as {@code /health} or {@code /api/v1/users/me}) on node 0. */
  public HttpRequest<Buffer> request(HttpMethod method, String path) {
    return request(0, method, path);
  }

  public HttpRequest<Buffer> request(int node, HttpMethod method, String path) {
    return web.request(method, port(node), "127.0.0.1", path);
  }

  /** A REST call ({@code path} under {@code /api/v1}, {@code token} and {@code body} optional) to a node, waited for. */
  public HttpResponse<Buffer> call(int node, HttpMethod method, String path, String token, JsonObject body) {
    return callAsync(node, method, path, token, body).timeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  /** The ids of every message a chat holds (top level), read on {@code node} page by page from the newest. */
  public Set<String> messageIds(int node, Account reader, String chatId) {
    Set<String> ids = new HashSet<>();
    String before = "";
    while (true) {
      HttpResponse<Buffer> response = call(node, HttpMethod.GET,
          "/chats/" + chatId + "/messages?limit=100" + before, reader.token(), null);
      assertThat(response.statusCode()).as("history: %s", response.bodyAsString()).isEqualTo(200);
      List<JsonObject> messages = response.bodyAsJsonObject().getJsonArray("messages").stream()
          .map(JsonObject.class::cast).toList();
      messages.forEach(message -> ids.add(message.getString("id")));
      if (!response.bodyAsJsonObject().getBoolean("hasMore", false) || messages.isEmpty()) {
        return ids;
      }
      before = "&before=" + messages.stream().mapToLong(message -> message.getLong("seq")).min().orElseThrow();
    }
  }

  /** A REST call without waiting: for many at once. */
  public Single<HttpResponse<Buffer>> callAsync(int node, HttpMethod method, String path, String token,
                                                JsonObject body) {
    HttpRequest<Buffer> request = request(node, method, API + path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return body == null ? request.rxSend() : request.rxSendJsonObject(body);
  }

  public HttpResponse<Buffer> get(String path, String token) {
    return call(0, HttpMethod.GET, path, token, null);
  }

  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return post(path, body, null);
  }

  public HttpResponse<Buffer> post(String path, JsonObject body, String token) {
    return call(0, HttpMethod.POST, path, token, body);
  }

  public HttpResponse<Buffer> patch(String path, JsonObject body, String token) {
    return call(0, HttpMethod.PATCH, path, token, body);
  }

  public HttpResponse<Buffer> delete(String path, String token) {
    return call(0, HttpMethod.DELETE, path, token, null);
  }

  /** Sends raw bytes with the given content type (for malformed bodies). */
  public HttpResponse<Buffer> postRaw(String path, String contentType, Buffer body) {
    return request(HttpMethod.POST, API + path).putHeader("Content-Type", contentType)
        .rxSendBuffer(body).timeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  /**
   * Uploads {@code bytes} as a browser does ({@code POST /api/v1/files}, multipart part {@code file} named
   * {@code fileName}) through {@code node}: the answer, whatever its status.
   */
  public HttpResponse<Buffer> upload(int node, Account uploader, String fileName, Buffer bytes) {
    return request(node, HttpMethod.POST, API + "/files").bearerTokenAuthentication(uploader.token())
        .rxSendMultipartForm(MultipartForm.create()
            .binaryFileUpload("file", fileName, bytes, "application/octet-stream"))
        .timeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  /** An upload through node 0 that must be accepted: the {@code file} it answered. */
  public JsonObject uploaded(Account uploader, String fileName, Buffer bytes) {
    HttpResponse<Buffer> response = upload(0, uploader, fileName, bytes);
    assertThat(response.statusCode()).as("upload %s: %s", fileName, response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject().getJsonObject("file");
  }

  /** A REST call to node 0 that must answer {@code status}: its JSON body (empty for 204). */
  public JsonObject expect(int status, HttpMethod method, String path, String token, JsonObject body) {
    HttpResponse<Buffer> response = call(0, method, path, token, body);
    assertThat(response.statusCode()).as("%s %s: %s", method, path, response.bodyAsString()).isEqualTo(status);
    return status == 204 || response.body() == null ? new JsonObject() : response.bodyAsJsonObject();
  }

  /**
   * Node 0's operator endpoint (path such as {@code /metrics} or {@code /health}) on the operators' port
   * ({@code OCOMMS_OPS_PORT}): status and body.
   */
  public HttpResponse<Buffer> ops(String path) {
    return ops(0, path);
  }

  public HttpResponse<Buffer> ops(int node, String path) {
    return ops(node, HttpMethod.GET, path);
  }

  /** An operators' command ({@code POST /admin/...}) or probe on a node's operators' port. */
  public HttpResponse<Buffer> ops(int node, HttpMethod method, String path) {
    return web.request(method, opsPort(node), "127.0.0.1", path).rxSend()
        .timeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  // Accounts, workspaces and chats

  /** A valid registration with a fresh, random username and email. */
  public static JsonObject newRegistration() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return new JsonObject()
        .put("email", "mail." + suffix + "@example.org")
        .put("username", "user_" + suffix)
        .put("displayName", "User " + suffix)
        .put("password", PASSWORD);
  }

  /** A new account with fresh random names; fails the test unless registration succeeds. */
  public Account register() {
    return register(newRegistration());
  }

  /** A new account whose display name is {@code name} and whose username starts with it. */
  public Account register(String name) {
    String username = name.toLowerCase() + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    return register(new JsonObject().put("email", username + "@example.org").put("username", username)
        .put("displayName", name).put("password", PASSWORD));
  }

  public Account register(JsonObject registration) {
    return registerAsync(registration).timeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).blockingGet();
  }

  /** {@code count} new accounts, {@code parallel} registrations at a time (password hashing is slow on purpose). */
  public List<Account> register(int count, int parallel) {
    return Flowable.range(0, count)
        .concatMapEager(i -> registerAsync(newRegistration()).toFlowable(), parallel, 1)
        .toList()
        .timeout(WAIT.toMillis() * (1 + count / Math.max(1, parallel)), TimeUnit.MILLISECONDS)
        .blockingGet();
  }

  private Single<Account> registerAsync(JsonObject registration) {
    return request(HttpMethod.POST, API + "/auth/register").rxSendJsonObject(registration).map(response -> {
      if (response.statusCode() != 201) {
        throw new AssertionError("register: " + response.statusCode() + " " + response.bodyAsString());
      }
      JsonObject body = response.bodyAsJsonObject();
      return new Account(body.getJsonObject("user").getString("id"), registration.getString("username"),
          registration.getString("email"), registration.getString("displayName"),
          registration.getString("password"), body);
    });
  }

  /** Signs in again (a new session); fails the test unless it succeeds. */
  public Account.Tokens login(String login, String password) {
    return Account.Tokens.of(expect(200, HttpMethod.POST, "/auth/login", null,
        new JsonObject().put("login", login).put("password", password)));
  }

  /** Another session of the same account. */
  public Account.Tokens login(Account account) {
    return login(account.username(), account.password());
  }

  public void logout(String accessToken) {
    expect(204, HttpMethod.POST, "/auth/logout", accessToken, null);
  }

  /** A workspace owned by {@code owner} that the others joined with an invite; its id. */
  public String workspace(Account owner, List<Account> members) {
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

  /**
   * A bot that {@code owner} (an owner or admin of the workspace) creates there, with a fresh username starting with
   * {@code name}: the answer, {bot, token}.
   */
  public JsonObject bot(Account owner, String workspaceId, String name) {
    String username = name.toLowerCase() + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    return expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/bots", owner.token(),
        new JsonObject().put("username", username).put("displayName", name));
  }

  /** The workspace's general channel, as {@code member} lists it. */
  public String general(Account member, String workspaceId) {
    return expect(200, HttpMethod.GET, "/chats", member.token(), null).getJsonArray("chats").stream()
        .map(JsonObject.class::cast)
        .filter(chat -> workspaceId.equals(chat.getString("workspaceId")) && "general".equals(chat.getString("name")))
        .map(chat -> chat.getString("id"))
        .findFirst().orElseThrow(() -> new AssertionError("no general channel"));
  }

  /** A public channel created by {@code creator}; its id. */
  public String channel(Account creator, String workspaceId, String name) {
    return expect(201, HttpMethod.POST, "/workspaces/" + workspaceId + "/channels", creator.token(),
        new JsonObject().put("name", name).put("private", false)).getJsonObject("chat").getString("id");
  }

  public void joinChat(Account account, String chatId) {
    expect(200, HttpMethod.POST, "/chats/" + chatId + "/join", account.token(), null);
  }

  public void removeMember(Account moderator, String chatId, Account member) {
    expect(204, HttpMethod.DELETE, "/chats/" + chatId + "/members/" + member.id(), moderator.token(), null);
  }

  @Override
  public void close() {
    closeClients();
    clientVertx.rxClose().blockingAwait(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    cluster.close();
  }
}
