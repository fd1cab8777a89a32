package dev.ocomms.system.accounts;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.runtime.EmbeddedRedisServer;
import dev.ocomms.runtime.FreePorts;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import io.vertx.rxjava3.redis.client.Redis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static dev.ocomms.testkit.TestSystem.WAIT;
import static dev.ocomms.testkit.bridge.Frames.errCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token checks, login and logout while Redis is out, with a Redis of this class's own (the shared test Redis must
 * stay up). Accounts checks Redis when it starts and registration needs it, so Redis fails only once the accounts a
 * test needs exist.
 */
@DisplayName("Accounts and access tokens while Redis is down")
class RedisOutageTest {
  /** Short, so that a Redis that does not answer fails each command well within a test's wait. */
  private static final int REDIS_TIMEOUT_MILLIS = 500;

  @TempDir
  Path redisDirectory;
  private EmbeddedRedisServer redis;
  private TestSystem system;

  @BeforeEach
  void start() throws IOException {
    redis = EmbeddedRedisServer.start(redisDirectory, FreePorts.next(), 16);
    system = TestSystem.builder()
        .configure(config -> config.with(Setting.REDIS_URL, redis.url(0))
            .with(Setting.REDIS_TIMEOUT_MILLIS, REDIS_TIMEOUT_MILLIS))
        .deploy(AccountsVerticle::new).deploy(GatewayVerticle::new)
        .start();
  }

  @AfterEach
  void stop() throws IOException {
    try {
      system.close();
    } finally {
      stopRedis();
    }
  }

  private void stopRedis() throws IOException {
    if (redis != null) {
      redis.close();
      redis = null;
    }
  }

  private HttpResponse<Buffer> me(String accessToken) {
    return system.get("/users/me", accessToken);
  }

  @Test
  @DisplayName("an authenticated REST call still works: signature and expiry need no Redis")
  void authenticatedCallWorks() throws IOException {
    Account alice = system.register();
    stopRedis();

    HttpResponse<Buffer> response = me(alice.token());

    assertThat(response.statusCode()).as("GET /users/me: %s", response.bodyAsString()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getJsonObject("user").getString("id")).isEqualTo(alice.id());
  }

  @Test
  @DisplayName("an authenticated REST call still works while Redis accepts connections but does not answer")
  void authenticatedCallWorksWhileRedisHangs() {
    Account alice = system.register();
    pauseRedis(WAIT.toMillis());

    HttpResponse<Buffer> response = me(alice.token());

    assertThat(response.statusCode()).as("GET /users/me: %s", response.bodyAsString()).isEqualTo(200);
  }

  @Test
  @DisplayName("login never answers 500: it works, or answers 503 unavailable with retryAfter")
  void loginIsNeverInternal() throws IOException {
    Account alice = system.register();
    stopRedis();

    HttpResponse<Buffer> response = system.post("/auth/login",
        new JsonObject().put("login", alice.username()).put("password", alice.password()));

    if (response.statusCode() != 200) {
      JsonObject problem = assertProblem(response, 503, "unavailable");
      assertThat(problem.getInteger("retryAfter")).isPositive();
      assertThat(response.getHeader("Retry-After")).isEqualTo(String.valueOf(problem.getInteger("retryAfter")));
    }
  }

  @Test
  @DisplayName("a logout closes the session's bridge connections and its token is refused; other sessions work")
  void logoutRevokesWithoutRedis() throws IOException {
    Account alice = system.register();
    String otherSession = system.login(alice).accessToken();
    BridgeClient bridge = system.connect(Transport.RAW_WEBSOCKET).signedInAs(alice.token());
    bridge.listen(Addresses.user(alice.id()));
    stopRedis();

    system.logout(alice.token());

    assertThat(bridge.await(errCode("unauthorized"), WAIT).getInteger("failureCode")).isEqualTo(401);
    bridge.awaitClosedByServer(WAIT);
    assertProblem(me(alice.token()), 401, "unauthorized");
    assertThat(me(otherSession).statusCode()).isEqualTo(200);
  }

  /** Makes Redis hold every client's commands (its connections stay open) for {@code millis}. */
  private void pauseRedis(long millis) {
    Redis admin = Redis.createClient(system.cluster().node(0), redis.url(0));
    try {
      admin.rxSend(Request.cmd(Command.CLIENT).arg("PAUSE").arg(millis).arg("ALL")).blockingGet();
    } finally {
      admin.close();
    }
  }
}
