package dev.ocomms.gateway.http;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.testkit.TestCluster;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpRequest;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import io.vertx.rxjava3.ext.web.client.WebClient;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A one-node cluster running the real gateway and the accounts verticle behind it (real PostgreSQL and Redis), and a
 * blocking HTTP client for its REST API. One per test class; every account it registers has fresh random names, so
 * tests do not see each other.
 */
public final class Gateway implements AutoCloseable {
  public static final String API = "/api/v1";
  /** Satisfies every password rule, and shares no text with the random usernames and emails below. */
  public static final String PASSWORD = "correct horse battery staple";

  private final TestCluster cluster;
  private final WebClient client;

  private Gateway(TestCluster cluster) {
    this.cluster = cluster;
    this.client = WebClient.create(cluster.node(0));
  }

  public static Gateway start() {
    return start(false);
  }

  /** With the messaging verticle too, for the workspace, chat and message routes the gateway forwards. */
  public static Gateway startWithMessaging() {
    return start(true);
  }

  private static Gateway start(boolean withMessaging) {
    TestCluster cluster = TestCluster.start(1);
    try {
      cluster.deploy(0, AccountsVerticle::new);
      if (withMessaging) {
        cluster.deploy(0, dev.ocomms.messaging.MessagingVerticle::new);
      }
      cluster.deploy(0, GatewayVerticle::new);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return new Gateway(cluster);
  }

  public TestCluster cluster() {
    return cluster;
  }

  /** A request to a path under the node's HTTP port (paths are absolute, e.g. {@code /api/v1/users/me}). */
  public HttpRequest<Buffer> request(HttpMethod method, String path) {
    return client.request(method, cluster.config(0).httpPort(), "127.0.0.1", path);
  }

  public HttpResponse<Buffer> get(String path, String accessToken) {
    return send(authorized(request(HttpMethod.GET, API + path), accessToken), null);
  }

  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return post(path, body, null);
  }

  public HttpResponse<Buffer> post(String path, JsonObject body, String accessToken) {
    return send(authorized(request(HttpMethod.POST, API + path), accessToken), body);
  }

  public HttpResponse<Buffer> delete(String path, String accessToken) {
    return send(authorized(request(HttpMethod.DELETE, API + path), accessToken), null);
  }

  public HttpResponse<Buffer> patch(String path, JsonObject body, String accessToken) {
    return send(authorized(request(HttpMethod.PATCH, API + path), accessToken), body);
  }

  /** Sends raw bytes with the given content type. */
  public HttpResponse<Buffer> postRaw(String path, String contentType, Buffer body) {
    return request(HttpMethod.POST, API + path).putHeader("Content-Type", contentType).rxSendBuffer(body)
        .blockingGet();
  }

  private static HttpRequest<Buffer> authorized(HttpRequest<Buffer> request, String accessToken) {
    return accessToken == null ? request : request.bearerTokenAuthentication(accessToken);
  }

  private static HttpResponse<Buffer> send(HttpRequest<Buffer> request, JsonObject body) {
    return (body == null ? request.rxSend() : request.rxSendJsonObject(body)).blockingGet();
  }

  /** A valid registration with fresh, random username and email. */
  public static JsonObject newRegistration() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return new JsonObject()
        .put("email", "mail." + suffix + "@example.org")
        .put("username", "user_" + suffix)
        .put("displayName", "User " + suffix)
        .put("password", PASSWORD);
  }

  /** Registers a fresh account; fails the test unless registration succeeds. */
  public Account register() {
    return register(newRegistration());
  }

  public Account register(JsonObject registration) {
    HttpResponse<Buffer> response = post("/auth/register", registration);
    assertThat(response.statusCode()).as("register: %s", response.bodyAsString()).isEqualTo(201);
    JsonObject body = response.bodyAsJsonObject();
    return new Account(body.getJsonObject("user").getString("id"), registration.getString("username"),
        registration.getString("email"), registration.getString("password"), body.getString("accessToken"),
        body.getString("refreshToken"));
  }

  /** Logs in (a new session); fails the test unless login succeeds. */
  public Tokens login(String login, String password) {
    HttpResponse<Buffer> response = post("/auth/login", new JsonObject().put("login", login).put("password", password));
    assertThat(response.statusCode()).as("login: %s", response.bodyAsString()).isEqualTo(200);
    return Tokens.of(response.bodyAsJsonObject());
  }

  /** The claims of a JWT, read without verifying it. */
  public static JsonObject claimsOf(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  /** Asserts an {@code application/problem+json} answer with this status and code; returns its body. */
  public static JsonObject assertProblem(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as("status of %s", response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo(Problems.CONTENT_TYPE);
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("code")).isEqualTo(code);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("type")).endsWith("/" + code);
    assertThat(problem.getString("title")).isNotBlank();
    return problem;
  }

  @Override
  public void close() {
    client.close();
    cluster.close();
  }

  /** A registered account and the session registration opened. */
  public record Account(String id, String username, String email, String password, String accessToken,
                        String refreshToken) {
    public Tokens tokens() {
      return new Tokens(accessToken, refreshToken);
    }
  }

  /** An access and refresh token of one session. */
  public record Tokens(String accessToken, String refreshToken) {
    public static Tokens of(JsonObject body) {
      return new Tokens(body.getString("accessToken"), body.getString("refreshToken"));
    }
  }
}
