package dev.ocomms.system.accounts;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
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
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Profiles (/api/v1/users)")
class ProfilesTest {
  private static TestSystem gateway;

  @BeforeAll
  static void start() {
    gateway = TestSystem.builder().deploy(AccountsVerticle::new).deploy(MessagingVerticle::new)
        .deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName("GET /users/me answers the caller's own profile, with email")
  void me() {
    Account account = gateway.register();
    HttpResponse<Buffer> response = gateway.get("/users/me", account.token());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject user = response.bodyAsJsonObject().getJsonObject("user");
    assertThat(user.getString("id")).isEqualTo(account.id());
    assertThat(user.getString("username")).isEqualTo(account.username());
    assertThat(user.getString("email")).isEqualTo(account.email());
    assertThat(user.getString("createdAt")).isNotBlank();
    assertThat(user.containsKey("passwordHash")).isFalse();
  }

  @Test
  @DisplayName("GET /users/me without Authorization answers 401")
  void meNeedsToken() {
    assertProblem(gateway.get("/users/me", null), 401, "unauthorized");
  }

  @Test
  @DisplayName("PATCH /users/me changes the display name, and the change is kept")
  void updateDisplayName() {
    Account account = gateway.register();
    HttpResponse<Buffer> response = gateway.patch("/users/me", new JsonObject().put("displayName", "Ada L."),
        account.token());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getJsonObject("user").getString("displayName")).isEqualTo("Ada L.");
    assertThat(response.bodyAsJsonObject().getJsonObject("user").getString("email")).isEqualTo(account.email());
    assertThat(gateway.get("/users/me", account.token()).bodyAsJsonObject().getJsonObject("user")
        .getString("displayName")).isEqualTo("Ada L.");
  }

  @Test
  @DisplayName("PATCH /users/me with a blank display name is refused as validation_failed")
  void blankDisplayName() {
    Account account = gateway.register();
    assertProblem(gateway.patch("/users/me", new JsonObject().put("displayName", "   "), account.token()), 400,
        "validation_failed");
  }

  @Test
  @DisplayName("PATCH /users/me with an empty object or an unknown field is refused as validation_failed")
  void emptyOrUnknownPatch() {
    Account account = gateway.register();
    assertProblem(gateway.patch("/users/me", new JsonObject(), account.token()), 400, "validation_failed");
    assertProblem(gateway.patch("/users/me", new JsonObject().put("email", "x@example.org"), account.token()),
        400, "validation_failed");
  }

  @Test
  @DisplayName("PATCH /users/me sets a status with an expiry and a time zone; GET /users/me answers them")
  void statusAndTimeZone() {
    Account account = gateway.register();
    String expiresAt = Instant.now().plus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS).toString();
    HttpResponse<Buffer> response = gateway.patch("/users/me", new JsonObject().put("timeZone", "Europe/Berlin")
        .put("status", new JsonObject().put("text", "Lunch").put("emoji", "🍔").put("expiresAt", expiresAt)),
        account.token());

    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    JsonObject user = gateway.get("/users/me", account.token()).bodyAsJsonObject().getJsonObject("user");
    assertThat(user.getJsonObject("status")).isEqualTo(new JsonObject().put("text", "Lunch").put("emoji", "🍔")
        .put("expiresAt", expiresAt));
    assertThat(user.getString("timeZone")).isEqualTo("Europe/Berlin");
  }

  @Test
  @DisplayName("PATCH /users/me with a status text over 100 characters is validation_failed naming status.text")
  void statusTextTooLong() {
    Account account = gateway.register();
    JsonObject problem = assertProblem(gateway.patch("/users/me", new JsonObject().put("status",
        new JsonObject().put("text", "x".repeat(101))), account.token()), 400, "validation_failed");
    assertThat(problem.getString("field")).isEqualTo("status.text");
  }

  @Test
  @DisplayName("PATCH /users/me without Authorization answers 401")
  void updateNeedsToken() {
    assertProblem(gateway.patch("/users/me", new JsonObject().put("displayName", "Mallory"), null), 401,
        "unauthorized");
  }

  @Test
  @DisplayName("GET /users/{id} answers a workspace mate's public profile, without email")
  void publicProfile() {
    Account viewer = gateway.register();
    Account other = gateway.register();
    gateway.workspace(other, List.of(viewer));
    HttpResponse<Buffer> response = gateway.get("/users/" + other.id(), viewer.token());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject user = response.bodyAsJsonObject().getJsonObject("user");
    assertThat(user.fieldNames()).containsExactlyInAnyOrder("id", "username", "displayName", "avatarUrl", "kind", "createdAt",
        "status", "timeZone");
    assertThat(user.getString("id")).isEqualTo(other.id());
    assertThat(user.getString("username")).isEqualTo(other.username());
  }

  @Test
  @DisplayName("GET /users/{id} of a user who shares no workspace with the caller answers 404 not_found, as an unknown"
      + " id does")
  void strangerProfile() {
    Account viewer = gateway.register();
    Account stranger = gateway.register();
    gateway.workspace(viewer, List.of());
    gateway.workspace(stranger, List.of());

    JsonObject hidden = assertProblem(gateway.get("/users/" + stranger.id(), viewer.token()), 404, "not_found");
    JsonObject unknown = assertProblem(gateway.get("/users/" + UUID.randomUUID(), viewer.token()), 404, "not_found");
    assertThat(hidden).isEqualTo(unknown);
  }

  @Test
  @DisplayName("GET /users/{id} of the caller's own id answers their public profile")
  void ownProfileById() {
    Account viewer = gateway.register();
    HttpResponse<Buffer> response = gateway.get("/users/" + viewer.id(), viewer.token());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getJsonObject("user").getString("id")).isEqualTo(viewer.id());
  }

  @Test
  @DisplayName("GET /users/{id} needs a token")
  void publicProfileNeedsToken() {
    Account other = gateway.register();
    assertProblem(gateway.get("/users/" + other.id(), null), 401, "unauthorized");
  }

  @Test
  @DisplayName("GET /users/{id} of an unknown id answers 404 not_found")
  void unknownUser() {
    Account viewer = gateway.register();
    assertProblem(gateway.get("/users/" + UUID.randomUUID(), viewer.token()), 404, "not_found");
  }

  @Test
  @DisplayName("GET /users/{id} of a malformed id answers 404 not_found, whatever its length")
  void malformedUserId() {
    Account viewer = gateway.register();
    assertProblem(gateway.get("/users/not-a-uuid", viewer.token()), 404, "not_found");
    assertProblem(gateway.get("/users/" + "x".repeat(100), viewer.token()), 404, "not_found");
    assertProblem(gateway.get("/users/" + UUID.randomUUID().toString().replace('-', 'z'), viewer.token()), 404,
        "not_found");
  }
}
