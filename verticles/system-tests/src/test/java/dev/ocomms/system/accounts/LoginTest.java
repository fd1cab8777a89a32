package dev.ocomms.system.accounts;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every test here fails fewer logins (27) than the per-IP limit (30) allows in total (all requests come from 127.0.0.1), so the
 * tests stay independent of each other's failures.
 */
@DisplayName("Login (POST /api/v1/auth/login)")
class LoginTest {
  private static TestSystem gateway;

  @BeforeAll
  static void start() {
    gateway = TestSystem.builder().deploy(AccountsVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<Buffer> login(String login, String password) {
    return gateway.post("/auth/login", new JsonObject().put("login", login).put("password", password));
  }

  @Test
  @DisplayName("logging in with the username answers 200 with a new token pair and the user's own profile")
  void byUsername() {
    Account account = gateway.register();
    HttpResponse<Buffer> response = login(account.username(), account.password());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("accessToken")).isNotBlank().isNotEqualTo(account.token());
    assertThat(body.getString("refreshToken")).isNotBlank().isNotEqualTo(account.refreshToken());
    assertThat(body.getInteger("expiresIn")).isEqualTo(900);
    assertThat(body.getJsonObject("user").getString("id")).isEqualTo(account.id());
    assertThat(body.getJsonObject("user").getString("email")).isEqualTo(account.email());
  }

  @Test
  @DisplayName("logging in with the email in another letter case answers 200")
  void byEmailIgnoringCase() {
    Account account = gateway.register();
    HttpResponse<Buffer> response = login(account.email().toUpperCase(Locale.ROOT), account.password());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getJsonObject("user").getString("id")).isEqualTo(account.id());
  }

  @Test
  @DisplayName("logging in with the username in another letter case answers 200")
  void byUsernameIgnoringCase() {
    Account account = gateway.register();
    assertThat(login(account.username().toUpperCase(Locale.ROOT), account.password()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("the access token from login works on /users/me")
  void loginTokenWorks() {
    Account account = gateway.register();
    Account.Tokens tokens = gateway.login(account.username(), account.password());
    HttpResponse<Buffer> me = gateway.get("/users/me", tokens.accessToken());
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.bodyAsJsonObject().getJsonObject("user").getString("id")).isEqualTo(account.id());
  }

  @Test
  @DisplayName("a wrong password answers 401 unauthorized")
  void wrongPassword() {
    Account account = gateway.register();
    assertProblem(login(account.username(), "not the right password"), 401, "unauthorized");
  }

  @Test
  @DisplayName("an unknown login answers 401 with exactly the detail of a wrong password")
  void unknownLoginLooksLikeWrongPassword() {
    Account account = gateway.register();
    JsonObject wrongPassword = assertProblem(login(account.username(), "not the right password"), 401, "unauthorized");
    JsonObject unknown = assertProblem(login("nobody_" + account.username(), "not the right password"), 401,
        "unauthorized");
    assertThat(unknown.getString("detail")).isEqualTo(wrongPassword.getString("detail"));
  }

  @Test
  @DisplayName("after 3 failed logins for an account from one address, even the right password must wait: 429 with"
      + " retryAfter and Retry-After")
  void throttledAfterThreeFailures() {
    Account account = gateway.register();
    for (int i = 0; i < 3; i++) {
      assertProblem(login(account.username(), "wrong password " + i), 401, "unauthorized");
    }

    HttpResponse<Buffer> response = login(account.username(), account.password());
    JsonObject problem = assertProblem(response, 429, "rate_limited");
    int retryAfter = problem.getInteger("retryAfter");
    assertThat(retryAfter).isEqualTo(1);
    assertThat(response.getHeader("Retry-After")).isEqualTo(String.valueOf(retryAfter));
  }

  @Test
  @DisplayName("failures count per account whether they name it by username or by email, in any case")
  void throttleCountsPerAccountNotPerSpelling() {
    Account account = gateway.register();
    String[] spellings = {account.username(), account.email().toUpperCase(Locale.ROOT),
        account.username().toUpperCase(Locale.ROOT)};
    for (String spelling : spellings) {
      assertProblem(login(spelling, "not the right password"), 401, "unauthorized");
    }

    assertProblem(login(account.email(), account.password()), 429, "rate_limited");
  }

  @Test
  @DisplayName("one account's failed logins do not throttle another account")
  void throttleIsPerAccount() {
    Account victim = gateway.register();
    Account bystander = gateway.register();
    for (int i = 0; i < 5; i++) {
      login(victim.username(), "not the right password");
    }

    assertThat(login(bystander.username(), bystander.password()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("failed logins naming nobody, even typed as an account's id, do not throttle that account")
  void unknownLoginsDoNotThrottleAccounts() {
    Account account = gateway.register();
    for (int i = 0; i < 3; i++) {
      assertProblem(login(account.id(), "not the right password"), 401, "unauthorized");
    }

    assertThat(login(account.username(), account.password()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("a successful login clears the account's earlier failures")
  void successResetsFailures() {
    Account account = gateway.register();
    for (int i = 0; i < 2; i++) {
      assertProblem(login(account.username(), "not the right password"), 401, "unauthorized");
    }
    assertThat(login(account.email(), account.password()).statusCode()).isEqualTo(200);

    // Without the reset, the third of these would be the fourth failure and have to wait.
    for (int i = 0; i < 3; i++) {
      assertProblem(login(account.username(), "not the right password"), 401, "unauthorized");
    }
  }

  @Test
  @DisplayName("a login body with an unknown field is refused as validation_failed")
  void unknownField() {
    assertProblem(gateway.post("/auth/login", new JsonObject().put("login", "someone").put("password", "x")
        .put("remember", true)), 400, "validation_failed");
  }

  @Test
  @DisplayName("a login body without a password is refused as validation_failed")
  void missingPassword() {
    assertProblem(gateway.post("/auth/login", new JsonObject().put("login", "someone")), 400, "validation_failed");
  }
}
