package dev.ocomms.gateway.webclient;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.presence.PresenceVerticle;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole server a browser talks to, in this JVM: one node with accounts, messaging, presence and the gateway (real
 * PostgreSQL and Redis, free ports), plus blocking REST helpers to prepare what a scenario starts from. Test thread
 * only.
 */
final class ChatServer implements AutoCloseable {
  static final String PASSWORD = "correct horse battery staple";

  private final TestCluster cluster;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ChatServer(TestCluster cluster) {
    this.cluster = cluster;
  }

  static ChatServer start() {
    TestCluster cluster = TestCluster.start(1, config -> config
        // Browsers reconnect quickly in these tests; the connection-rate limits have their own tests.
        .with(Setting.BRIDGE_CONNECTIONS_PER_SECOND, 1000)
        .with(Setting.BRIDGE_CONNECTIONS_PER_IP_PER_SECOND, 1000));
    try {
      cluster.deploy(0, AccountsVerticle::new);
      cluster.deploy(0, MessagingVerticle::new);
      cluster.deploy(0, PresenceVerticle::new);
      cluster.deploy(0, GatewayVerticle::new);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return new ChatServer(cluster);
  }

  /** What a browser opens. */
  String baseUrl() {
    return "http://127.0.0.1:" + cluster.config(0).httpPort();
  }

  /** A new account; {@code name} becomes part of its username and its display name. */
  Account register(String name) {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    String username = name.toLowerCase() + "_" + suffix;
    JsonObject answer = expect(201, "POST", "/auth/register", null, new JsonObject()
        .put("email", username + "@example.org").put("username", username).put("displayName", name)
        .put("password", PASSWORD));
    return new Account(answer.getJsonObject("user").getString("id"), username, name, answer);
  }

  /** A workspace of {@code owner} that the others joined by invite; its id. */
  String workspace(Account owner, String name, Account... members) {
    String workspaceId = expect(201, "POST", "/workspaces", owner.token(), new JsonObject().put("name", name))
        .getJsonObject("workspace").getString("id");
    String code = expect(201, "POST", "/workspaces/" + workspaceId + "/invites", owner.token(), new JsonObject())
        .getString("code");
    for (Account member : members) {
      expect(200, "POST", "/workspaces/join", member.token(), new JsonObject().put("code", code));
    }
    return workspaceId;
  }

  /** A public channel that everyone in {@code members} joined; its id. */
  String channel(Account creator, String workspaceId, String name, Account... members) {
    String chatId = expect(201, "POST", "/workspaces/" + workspaceId + "/channels", creator.token(),
        new JsonObject().put("name", name).put("private", false)).getJsonObject("chat").getString("id");
    for (Account member : members) {
      expect(200, "POST", "/chats/" + chatId + "/join", member.token(), null);
    }
    return chatId;
  }

  /** {@code count} messages from {@code sender}, within the limit of 10 per second. */
  void send(Account sender, String chatId, String prefix, int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      if (i > 0 && i % 9 == 0) {
        Thread.sleep(1_000);
      }
      expect(201, "POST", "/chats/" + chatId + "/messages", sender.token(), new JsonObject()
          .put("clientId", UUID.randomUUID().toString()).put("content", prefix + " " + (i + 1)));
    }
  }

  /** The chat's newest messages (top-level), oldest first, as the server stores them. */
  JsonArray history(Account reader, String chatId) {
    JsonArray newestFirst = expect(200, "GET", "/chats/" + chatId + "/messages?limit=100", reader.token(), null)
        .getJsonArray("messages");
    JsonArray oldestFirst = new JsonArray();
    for (int i = newestFirst.size() - 1; i >= 0; i--) {
      oldestFirst.add(newestFirst.getValue(i));
    }
    return oldestFirst;
  }

  JsonObject expect(int status, String method, String path, String token, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1" + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(status);
      return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + " " + path, e);
    }
  }

  @Override
  public void close() {
    cluster.close();
  }

  /** An account and its first session (as the sign-up answer gave it). */
  record Account(String id, String username, String displayName, JsonObject signUp) {
    String token() {
      return signUp.getString("accessToken");
    }

    /** The session as the web client keeps it in localStorage. */
    JsonObject clientSession() {
      return new JsonObject()
          .put("user", signUp.getJsonObject("user"))
          .put("accessToken", signUp.getString("accessToken"))
          .put("refreshToken", signUp.getString("refreshToken"))
          .put("expiresAt", System.currentTimeMillis() + signUp.getLong("expiresIn") * 1000);
    }
  }
}
