package dev.ocomms.accounts;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.rxjava3.ext.auth.jwt.JWTAuth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_REGISTER;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Registration over the event bus (accounts.auth.register)")
class RegistrationTest {
  private static AccountsApi accounts;

  @BeforeAll
  static void start() {
    accounts = AccountsApi.start();
  }

  @AfterAll
  static void stop() {
    accounts.close();
  }

  @Test
  @DisplayName("answers the new user's own profile, with email, and the tokens of a first session")
  void answersProfileAndTokens() {
    JsonObject registration = TestSystem.newRegistration();
    JsonObject reply = accounts.call(ACCOUNTS_REGISTER, AccountsApi.withClientIp(registration));

    JsonObject user = reply.getJsonObject("user");
    assertThat(user.fieldNames()).containsExactlyInAnyOrder("id", "username", "displayName", "avatarUrl", "kind", "email",
        "createdAt", "status", "timeZone");
    assertThat(user.getString("username")).isEqualTo(registration.getString("username"));
    assertThat(user.getString("email")).isEqualTo(registration.getString("email"));
    assertThat(reply.getString("refreshToken")).isNotBlank();
    assertThat(reply.getInteger("expiresIn")).isEqualTo(900);
  }

  @Test
  @DisplayName("the access token is an ES256 JWT that the configured public key verifies, naming user and session")
  void accessTokenVerifiesWithPublicKey() {
    AccountsApi.Session session = accounts.register();
    JWTAuth verifier = JWTAuth.create(accounts.client(), new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256")
            .setBuffer(accounts.cluster().config(0).jwtPublicKey().orElseThrow()))
        .setJWTOptions(new JWTOptions().setIssuer("ocomms").setAudience(List.of("ocomms"))));

    JsonObject claims = verifier.rxAuthenticate(new TokenCredentials(session.accessToken())).blockingGet()
        .attributes().getJsonObject("accessToken");
    assertThat(claims.getString("sub")).isEqualTo(session.userId());
    assertThat(claims.getString("sid")).isNotBlank();
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(900);
  }

  @Test
  @DisplayName("a username taken in another case is a conflict naming the username")
  void usernameTaken() {
    JsonObject first = TestSystem.newRegistration();
    accounts.register(first);
    JsonObject second = TestSystem.newRegistration()
        .put("username", first.getString("username").toUpperCase(Locale.ROOT));

    OcommsException failure = accounts.fails(ErrorCode.CONFLICT, ACCOUNTS_REGISTER,
        AccountsApi.withClientIp(second));
    assertThat(failure.getMessage()).startsWith("username");
  }

  @Test
  @DisplayName("an email taken in another case is a conflict naming the email")
  void emailTaken() {
    JsonObject first = TestSystem.newRegistration();
    accounts.register(first);
    JsonObject second = TestSystem.newRegistration()
        .put("email", first.getString("email").toUpperCase(Locale.ROOT));

    OcommsException failure = accounts.fails(ErrorCode.CONFLICT, ACCOUNTS_REGISTER,
        AccountsApi.withClientIp(second));
    assertThat(failure.getMessage()).startsWith("email");
  }

  @Test
  @DisplayName("a rule violation is validation_failed naming the field")
  void ruleViolationsNameTheField() {
    assertThat(invalidField(TestSystem.newRegistration().put("username", "-starts-with-dash"))).isEqualTo("username");
    assertThat(invalidField(TestSystem.newRegistration().put("email", "not-an-email"))).isEqualTo("email");
    assertThat(invalidField(TestSystem.newRegistration().put("displayName", "  "))).isEqualTo("displayName");
    assertThat(invalidField(TestSystem.newRegistration().put("password", "short"))).isEqualTo("password");
  }

  @Test
  @DisplayName("a NUL or an unpaired surrogate in any field is validation_failed naming it, never a failed insert")
  void textPostgresRefusesIsInvalid() {
    for (String field : List.of("email", "username", "displayName")) {
      for (String bad : List.of("\u0000", "\uD800")) {
        JsonObject registration = TestSystem.newRegistration();
        registration.put(field, field.equals("email")
            ? bad + registration.getString("email") : registration.getString(field) + bad);
        assertThat(invalidField(registration)).as("%s with U+%04X", field, (int) bad.charAt(0)).isEqualTo(field);
      }
    }
    JsonObject registration = TestSystem.newRegistration();
    registration.put("password", registration.getString("password") + "\u0000");
    assertThat(invalidField(registration)).isEqualTo("password");
  }

  @Test
  @DisplayName("a display name or email with line breaks, zero-width or bidi-override characters is refused")
  void impersonatingCharactersAreRefused() {
    for (String hidden : List.of("\n", "\u200B", "\u202E", "\u2066", "\uFEFF")) {
      JsonObject registration = TestSystem.newRegistration();
      registration.put("displayName", "Ad" + hidden + "min");
      assertThat(invalidField(registration)).as("displayName with U+%04X", (int) hidden.charAt(0))
          .isEqualTo("displayName");
      registration = TestSystem.newRegistration();
      registration.put("email", "a" + hidden + registration.getString("email"));
      assertThat(invalidField(registration)).as("email with U+%04X", (int) hidden.charAt(0)).isEqualTo("email");
    }
  }

  @Test
  @DisplayName("a display name is stored in NFC")
  void displayNameIsNfc() {
    JsonObject registration = TestSystem.newRegistration().put("displayName", "Jose\u0301");
    JsonObject user = accounts.call(ACCOUNTS_REGISTER, AccountsApi.withClientIp(registration)).getJsonObject("user");

    assertThat(user.getString("displayName")).isEqualTo("Jos\u00E9");
  }

  @Test
  @DisplayName("a password containing the username is refused")
  void passwordWithUsername() {
    JsonObject registration = TestSystem.newRegistration();
    registration.put("password", "my " + registration.getString("username") + " secret");

    OcommsException failure = accounts.fails(ErrorCode.VALIDATION_FAILED, ACCOUNTS_REGISTER,
        AccountsApi.withClientIp(registration));
    assertThat(failure.getMessage()).startsWith("password");
  }

  @Test
  @DisplayName("a missing field is validation_failed naming it")
  void missingField() {
    JsonObject registration = TestSystem.newRegistration();
    registration.remove("displayName");

    assertThat(invalidField(registration)).isEqualTo("displayName");
  }

  private static String invalidField(JsonObject registration) {
    return accounts.fails(ErrorCode.VALIDATION_FAILED, ACCOUNTS_REGISTER, AccountsApi.withClientIp(registration))
        .details().getString("field");
  }
}
