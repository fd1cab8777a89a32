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

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static dev.ocomms.testkit.TestSystem.newRegistration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

@DisplayName("Registration (POST /api/v1/auth/register)")
class RegistrationTest {
  private static TestSystem gateway;

  @BeforeAll
  static void start() {
    gateway = TestSystem.builder().deploy(AccountsVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static HttpResponse<Buffer> register(JsonObject registration) {
    return gateway.post("/auth/register", registration);
  }

  @Test
  @DisplayName("a valid registration answers 201 with the new user's own profile and a logged-in session")
  void registers() {
    JsonObject registration = newRegistration();
    HttpResponse<Buffer> response = register(registration);

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    JsonObject body = response.bodyAsJsonObject();
    JsonObject user = body.getJsonObject("user");
    assertThat(user.fieldNames()).containsExactlyInAnyOrder("id", "username", "displayName", "avatarUrl", "kind", "email",
        "createdAt", "status", "timeZone");
    assertThat(user.getValue("avatarUrl")).as("no avatar yet").isNull();
    assertThat(user.getString("id")).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(user.getString("username")).isEqualTo(registration.getString("username"));
    assertThat(user.getString("displayName")).isEqualTo(registration.getString("displayName"));
    assertThat(user.getString("email")).isEqualTo(registration.getString("email"));
    assertThat(Instant.parse(user.getString("createdAt"))).isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
    assertThat(body.getString("accessToken")).isNotBlank();
    assertThat(body.getString("refreshToken")).isNotBlank();
    assertThat(body.getInteger("expiresIn")).isEqualTo(900);
    assertThat(body.encode()).doesNotContain(TestSystem.PASSWORD);
  }

  @Test
  @DisplayName("the access token from registration works right away on /users/me")
  void registrationLogsIn() {
    Account account = gateway.register();
    HttpResponse<Buffer> me = gateway.get("/users/me", account.token());
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.bodyAsJsonObject().getJsonObject("user").getString("id")).isEqualTo(account.id());
  }

  @Test
  @DisplayName("a username taken in another letter case is a 409 conflict naming the username")
  void usernameUniqueIgnoringCase() {
    Account first = gateway.register();
    JsonObject second = newRegistration().put("username", first.username().toUpperCase(Locale.ROOT));

    JsonObject problem = assertProblem(register(second), 409, "conflict");
    assertThat(problem.getString("detail")).startsWith("username");
  }

  @Test
  @DisplayName("an email taken in another letter case is a 409 conflict naming the email")
  void emailUniqueIgnoringCase() {
    Account first = gateway.register();
    JsonObject second = newRegistration().put("email", first.email().toUpperCase(Locale.ROOT));

    JsonObject problem = assertProblem(register(second), 409, "conflict");
    assertThat(problem.getString("detail")).startsWith("email");
  }

  @Test
  @DisplayName("a password shorter than 10 characters is refused as validation_failed")
  void passwordTooShort() {
    JsonObject problem = assertProblem(register(newRegistration().put("password", "Sh0rt!pw")), 400,
        "validation_failed");
    assertThat(problem.getString("detail")).startsWith("password");
  }

  @Test
  @DisplayName("a password containing the username (in any case) is refused as validation_failed")
  void passwordContainsUsername() {
    JsonObject registration = newRegistration();
    registration.put("password", "my " + registration.getString("username").toUpperCase(Locale.ROOT) + " secret");

    JsonObject problem = assertProblem(register(registration), 400, "validation_failed");
    assertThat(problem.getString("detail")).startsWith("password");
  }

  @Test
  @DisplayName("a short email local part does not forbid every password containing its letters")
  void shortEmailNameDoesNotForbidCommonLetters() {
    // "correct horse battery staple" contains "a"; an address like a@… must not make it unusable.
    JsonObject registration = newRegistration();
    registration.put("email", "a@" + registration.getString("username").replace('_', '-') + ".example.org");

    assertThat(register(registration).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("an address that is not an email is refused as validation_failed")
  void badEmail() {
    JsonObject problem = assertProblem(register(newRegistration().put("email", "not-an-email")), 400,
        "validation_failed");
    assertThat(problem.getString("detail")).contains("email");
  }

  @Test
  @DisplayName("a username with characters outside letters, digits, '.', '_' and '-' is refused as validation_failed")
  void badUsername() {
    assertProblem(register(newRegistration().put("username", "no spaces!")), 400, "validation_failed");
  }

  @Test
  @DisplayName("a username longer than 32 characters is refused as validation_failed")
  void usernameTooLong() {
    assertProblem(register(newRegistration().put("username", "u".repeat(33))), 400, "validation_failed");
  }

  @Test
  @DisplayName("an unknown field in the body is refused by the contract as validation_failed")
  void unknownField() {
    assertProblem(register(newRegistration().put("admin", true)), 400, "validation_failed");
  }

  @Test
  @DisplayName("a missing required field is refused by the contract as validation_failed")
  void missingField() {
    JsonObject registration = newRegistration();
    registration.remove("displayName");
    assertProblem(register(registration), 400, "validation_failed");
  }

  @Test
  @DisplayName("a field of the wrong JSON type is refused as validation_failed")
  void wrongFieldType() {
    assertProblem(register(newRegistration().put("username", 12345)), 400, "validation_failed");
  }
}
