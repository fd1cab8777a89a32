package dev.ocomms.accounts;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_LOGIN;
import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_LOGOUT;
import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_REFRESH;
import static dev.ocomms.shared.bus.Addresses.SESSION_STATUS;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Sessions over the event bus: login, refresh, logout and revocation")
class SessionsTest {
  private static AccountsApi accounts;

  @BeforeAll
  static void start() {
    accounts = AccountsApi.start();
  }

  @AfterAll
  static void stop() {
    accounts.close();
  }

  private static JsonObject login(String login, String password, String clientIp) {
    return new JsonObject().put("login", login).put("password", password).put("clientIp", clientIp);
  }

  private static JsonObject refresh(String refreshToken) {
    return new JsonObject().put("refreshToken", refreshToken);
  }

  private static boolean revoked(AccountsApi.Session session) {
    return accounts.call(SESSION_STATUS, new JsonObject().put("sessionId", session.sessionId()))
        .getBoolean("revoked");
  }

  @Test
  @DisplayName("login by email in any case opens a new session of the same user")
  void loginByEmailAnyCase() {
    AccountsApi.Session registered = accounts.register();
    JsonObject reply = accounts.call(ACCOUNTS_LOGIN,
        login(registered.email().toUpperCase(Locale.ROOT), registered.password(), "192.0.2.10"));

    AccountsApi.Session session = AccountsApi.Session.of(reply, new JsonObject());
    assertThat(session.userId()).isEqualTo(registered.userId());
    assertThat(session.sessionId()).isNotEqualTo(registered.sessionId());
    assertThat(reply.getJsonObject("user").getString("email")).isEqualTo(registered.email());
  }

  @Test
  @DisplayName("an unknown login and a wrong password fail alike, as unauthorized")
  void unknownLoginLikeWrongPassword() {
    AccountsApi.Session registered = accounts.register();
    OcommsException wrongPassword = accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_LOGIN,
        login(registered.username(), "not the password at all", "192.0.2.11"));
    OcommsException unknown = accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_LOGIN,
        login("nobody_" + registered.username(), registered.password(), "192.0.2.11"));

    assertThat(unknown.getMessage()).isEqualTo(wrongPassword.getMessage());
  }

  @Test
  @DisplayName("after 5 failed logins of an account, even the right password is rate_limited with retryAfter")
  void throttledAfterFiveFailures() {
    AccountsApi.Session registered = accounts.register();
    for (int i = 0; i < 5; i++) {
      accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_LOGIN, login(registered.username(), "wrong password " + i,
          "192.0.2.12"));
    }

    OcommsException throttled = accounts.fails(ErrorCode.RATE_LIMITED, ACCOUNTS_LOGIN,
        login(registered.username(), registered.password(), "192.0.2.12"));
    assertThat(throttled.details().getInteger("retryAfter")).isBetween(1, 900);
  }

  @Test
  @DisplayName("a login or password with a NUL is validation_failed naming it, not a failed query")
  void nulInLoginIsInvalid() {
    AccountsApi.Session registered = accounts.register();
    OcommsException login = accounts.fails(ErrorCode.VALIDATION_FAILED, ACCOUNTS_LOGIN,
        login(registered.email() + "\u0000", registered.password(), "192.0.2.13"));
    OcommsException password = accounts.fails(ErrorCode.VALIDATION_FAILED, ACCOUNTS_LOGIN,
        login(registered.username(), registered.password() + "\u0000", "192.0.2.13"));

    assertThat(login.details().getString("field")).isEqualTo("login");
    assertThat(password.details().getString("field")).isEqualTo("password");
  }

  @Test
  @DisplayName("a login without the client's address is validation_failed naming clientIp")
  void loginNeedsClientIp() {
    AccountsApi.Session registered = accounts.register();
    OcommsException failure = accounts.fails(ErrorCode.VALIDATION_FAILED, ACCOUNTS_LOGIN,
        new JsonObject().put("login", registered.username()).put("password", registered.password()));

    assertThat(failure.details().getString("field")).isEqualTo("clientIp");
  }

  @Test
  @DisplayName("refresh rotates: new tokens of the same session, and the presented refresh token is used up")
  void refreshRotates() {
    AccountsApi.Session session = accounts.register();
    JsonObject reply = accounts.call(ACCOUNTS_REFRESH, refresh(session.refreshToken()));

    assertThat(reply.getString("refreshToken")).isNotBlank().isNotEqualTo(session.refreshToken());
    assertThat(reply.getInteger("expiresIn")).isEqualTo(900);
    assertThat(AccountsApi.claimsOf(reply.getString("accessToken")).getString("sid")).isEqualTo(session.sessionId());
    assertThat(accounts.call(ACCOUNTS_REFRESH, refresh(reply.getString("refreshToken"))).getString("accessToken"))
        .isNotBlank();
  }

  @Test
  @DisplayName("an unknown refresh token is unauthorized")
  void unknownRefreshToken() {
    accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_REFRESH, refresh("no-such-refresh-token"));
  }

  @Test
  @DisplayName("a used refresh token presented again revokes its session, announces it, and fails")
  void reuseRevokesSession() {
    AccountsApi.Session session = accounts.register();
    JsonObject newest = accounts.call(ACCOUNTS_REFRESH, refresh(session.refreshToken()));
    assertThat(revoked(session)).isFalse();

    JsonObject event = revocationAnnouncedDuring(() ->
        accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_REFRESH, refresh(session.refreshToken())));

    assertThat(event).isEqualTo(new JsonObject().put("sessionId", session.sessionId())
        .put("userId", session.userId()));
    assertThat(revoked(session)).isTrue();
    accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_REFRESH, refresh(newest.getString("refreshToken")));
  }

  @Test
  @DisplayName("logout revokes only the caller's session and announces it; its refresh token then fails")
  void logoutRevokesTheSession() {
    AccountsApi.Session session = accounts.register();
    AccountsApi.Session other = accounts.login(session);

    JsonObject event = revocationAnnouncedDuring(() -> accounts.call(session, ACCOUNTS_LOGOUT, new JsonObject()));

    assertThat(event).isEqualTo(new JsonObject().put("sessionId", session.sessionId())
        .put("userId", session.userId()));
    assertThat(revoked(session)).isTrue();
    assertThat(revoked(other)).isFalse();
    accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_REFRESH, refresh(session.refreshToken()));
  }

  @Test
  @DisplayName("an instance started after a revocation, which never heard it announced, answers it revoked")
  void revocationKnownToLaterInstances() {
    AccountsApi.Session session = accounts.register();
    accounts.call(session, ACCOUNTS_LOGOUT, new JsonObject());
    String later = accounts.cluster().deploy(1, AccountsVerticle::new);
    try {
      JsonObject status = accounts.client().eventBus().<JsonObject>rxRequest(SESSION_STATUS,
              new JsonObject().put("sessionId", session.sessionId()), new DeliveryOptions().setLocalOnly(true))
          .blockingGet().body();
      assertThat(status.getBoolean("revoked")).isTrue();
    } finally {
      accounts.client().rxUndeploy(later).blockingAwait();
    }
  }

  @Test
  @DisplayName("the status of a malformed session id is not_found")
  void malformedSessionId() {
    accounts.fails(ErrorCode.NOT_FOUND, SESSION_STATUS, new JsonObject().put("sessionId", "not-a-uuid"));
  }

  /** The one {@code accounts.session.revoked} event published while the action runs. */
  private static JsonObject revocationAnnouncedDuring(Runnable action) {
    BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
    MessageConsumer<JsonObject> consumer = accounts.client().eventBus()
        .consumer(Addresses.SESSION_REVOKED, message -> events.add(message.body()));
    consumer.rxCompletion().blockingAwait();
    try {
      action.run();
      JsonObject event = events.poll(5, TimeUnit.SECONDS);
      assertThat(event).as("a session.revoked event").isNotNull();
      assertThat(events.poll(200, TimeUnit.MILLISECONDS)).as("a further session.revoked event").isNull();
      return event;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      consumer.rxUnregister().blockingAwait();
    }
  }
}
