package dev.ocomms.system.accounts;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Sessions: refresh-token rotation and logout")
class SessionsTest {
  private static TestSystem gateway;

  @BeforeAll
  static void start() {
    gateway = TestSystem.builder().deploy(AccountsVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<Buffer> refresh(String refreshToken) {
    return gateway.post("/auth/refresh", new JsonObject().put("refreshToken", refreshToken));
  }

  private static Account.Tokens refreshed(String refreshToken) {
    HttpResponse<Buffer> response = refresh(refreshToken);
    assertThat(response.statusCode()).as("refresh: %s", response.bodyAsString()).isEqualTo(200);
    return Account.Tokens.of(response.bodyAsJsonObject());
  }

  private static HttpResponse<Buffer> logout(String accessToken) {
    return gateway.post("/auth/logout", null, accessToken);
  }

  private static int meStatus(String accessToken) {
    return gateway.get("/users/me", accessToken).statusCode();
  }

  @Test
  @DisplayName("refresh answers 200 with a new access and refresh token and expiresIn 900")
  void refreshRotates() {
    Account account = gateway.register();
    HttpResponse<Buffer> response = refresh(account.refreshToken());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("refreshToken")).isNotBlank().isNotEqualTo(account.refreshToken());
    assertThat(body.getString("accessToken")).isNotBlank();
    assertThat(body.getInteger("expiresIn")).isEqualTo(900);
    assertThat(meStatus(body.getString("accessToken"))).isEqualTo(200);
  }

  @Test
  @DisplayName("each new refresh token can be rotated in turn")
  void refreshChain() {
    Account.Tokens tokens = gateway.register().tokens();
    for (int i = 0; i < 3; i++) {
      tokens = refreshed(tokens.refreshToken());
    }
    assertThat(meStatus(tokens.accessToken())).isEqualTo(200);
  }

  @Test
  @DisplayName("an unknown refresh token answers 401 unauthorized")
  void unknownRefreshToken() {
    assertProblem(refresh("no-such-refresh-token"), 401, "unauthorized");
  }

  @Test
  @DisplayName("a refresh token presented a second time answers 401")
  void refreshTokenIsUsedUp() {
    Account account = gateway.register();
    refreshed(account.refreshToken());

    assertProblem(refresh(account.refreshToken()), 401, "unauthorized");
  }

  @Test
  @DisplayName("reusing a rotated refresh token revokes the family: the newest refresh token fails too")
  void reuseRevokesNewestRefreshToken() {
    Account account = gateway.register();
    Account.Tokens newest = refreshed(account.refreshToken());

    assertProblem(refresh(account.refreshToken()), 401, "unauthorized");
    assertProblem(refresh(newest.refreshToken()), 401, "unauthorized");
  }

  @Test
  @DisplayName("reusing a rotated refresh token revokes the family: the session's access tokens are refused")
  void reuseRevokesAccessTokens() {
    Account account = gateway.register();
    Account.Tokens newest = refreshed(account.refreshToken());
    assertThat(meStatus(newest.accessToken())).isEqualTo(200);

    assertProblem(refresh(account.refreshToken()), 401, "unauthorized");
    assertProblem(gateway.get("/users/me", newest.accessToken()), 401, "unauthorized");
    assertProblem(gateway.get("/users/me", account.token()), 401, "unauthorized");
  }

  @Test
  @DisplayName("reuse in one session leaves the user's other sessions working")
  void reuseRevokesOnlyThatSession() {
    Account account = gateway.register();
    Account.Tokens other = gateway.login(account.username(), account.password());
    refreshed(account.refreshToken());

    assertProblem(refresh(account.refreshToken()), 401, "unauthorized");
    assertThat(meStatus(other.accessToken())).isEqualTo(200);
    assertThat(refresh(other.refreshToken()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a refresh body with an unknown field is refused as validation_failed")
  void refreshUnknownField() {
    assertProblem(gateway.post("/auth/refresh", new JsonObject().put("refreshToken", "x").put("userId", "y")), 400,
        "validation_failed");
  }

  @Test
  @DisplayName("logout answers 204 with no body")
  void logoutAnswers204() {
    Account account = gateway.register();
    HttpResponse<Buffer> response = logout(account.token());
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.body()).isNull();
  }

  @Test
  @DisplayName("after logout the session's access token is refused on /users/me")
  void logoutRevokesAccessToken() {
    Account account = gateway.register();
    assertThat(logout(account.token()).statusCode()).isEqualTo(204);

    assertProblem(gateway.get("/users/me", account.token()), 401, "unauthorized");
  }

  @Test
  @DisplayName("after logout the session's refresh token fails")
  void logoutRevokesRefreshToken() {
    Account account = gateway.register();
    assertThat(logout(account.token()).statusCode()).isEqualTo(204);

    assertProblem(refresh(account.refreshToken()), 401, "unauthorized");
  }

  @Test
  @DisplayName("after logout, access tokens the session got by refreshing earlier are refused too")
  void logoutRevokesRefreshedAccessTokens() {
    Account account = gateway.register();
    Account.Tokens refreshed = refreshed(account.refreshToken());
    assertThat(logout(refreshed.accessToken()).statusCode()).isEqualTo(204);

    assertProblem(gateway.get("/users/me", account.token()), 401, "unauthorized");
    assertProblem(refresh(refreshed.refreshToken()), 401, "unauthorized");
  }

  @Test
  @DisplayName("logout ends only its own session: another session of the same user still works")
  void logoutLeavesOtherSessions() {
    Account account = gateway.register();
    Account.Tokens other = gateway.login(account.email(), account.password());
    assertThat(logout(account.token()).statusCode()).isEqualTo(204);

    assertThat(meStatus(other.accessToken())).isEqualTo(200);
    assertThat(refresh(other.refreshToken()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("logout announces the revoked session and its user to every node")
  void logoutAnnouncesRevocation() {
    Account account = gateway.register();
    JsonObject event = revocationAnnouncedDuring(() -> logout(account.token()));

    assertThat(event.getString("sessionId")).isEqualTo(ForgedTokens.claimsOf(account.token()).getString("sid"));
    assertThat(event.getString("userId")).isEqualTo(account.id());
  }

  @Test
  @DisplayName("refresh-token reuse announces the revoked session and its user to every node")
  void reuseAnnouncesRevocation() {
    Account account = gateway.register();
    refreshed(account.refreshToken());
    JsonObject event = revocationAnnouncedDuring(() -> refresh(account.refreshToken()));

    assertThat(event.getString("sessionId")).isEqualTo(ForgedTokens.claimsOf(account.token()).getString("sid"));
    assertThat(event.getString("userId")).isEqualTo(account.id());
  }

  /** The one {@code session.revoked} event published while the action runs. */
  private static JsonObject revocationAnnouncedDuring(Runnable action) {
    BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    MessageConsumer<JsonObject> consumer = gateway.cluster().node(0).eventBus()
        .consumer(Addresses.SESSION_REVOKED, message -> events.add(message.body()));
    consumer.rxCompletion().blockingAwait();
    try {
      action.run();
      JsonObject event = events.poll(5, TimeUnit.SECONDS);
      assertThat(event).as("a session.revoked event").isNotNull();
      assertThat(events).as("further session.revoked events").isEmpty();
      return event;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      consumer.rxUnregister().blockingAwait();
    }
  }

  @Test
  @DisplayName("logout without a token answers 401")
  void logoutNeedsToken() {
    assertProblem(logout(null), 401, "unauthorized");
  }

  @Test
  @DisplayName("logging out twice with the same token answers 401 the second time")
  void logoutTwice() {
    Account account = gateway.register();
    assertThat(logout(account.token()).statusCode()).isEqualTo(204);
    assertProblem(logout(account.token()), 401, "unauthorized");
  }
}
