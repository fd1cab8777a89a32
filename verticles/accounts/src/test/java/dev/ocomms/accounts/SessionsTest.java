package dev.ocomms.accounts;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Flowable;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
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

  /** Every {@code accounts.session.revoked} event the client node hears, from the start of the class. */
  private static final BlockingQueue<JsonObject> revocations = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() {
    accounts = AccountsApi.start();
    accounts.client().eventBus()
        .<JsonObject>consumer(Addresses.SESSION_REVOKED, message -> revocations.add(message.body()))
        .rxCompletion().blockingAwait();
    awaitRevocationsHeard();
  }

  /**
   * A new clustered consumer reaches the other nodes' view of the cluster a little after its registration completes:
   * logs out throwaway sessions until one's announcement is heard, so that no test can miss its own.
   */
  private static void awaitRevocationsHeard() {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      AccountsApi.Session probe = accounts.register();
      accounts.call(probe, ACCOUNTS_LOGOUT, new JsonObject());
      try {
        JsonObject heard = revocations.poll(500, TimeUnit.MILLISECONDS);
        if (heard != null) {
          revocations.clear();
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("the client node never heard a session.revoked announcement");
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
  @DisplayName("25 concurrent wrong passwords for one account: at most 5 are checked, the others rate_limited")
  void concurrentGuessesAreReservedBeforeHashing() {
    AccountsApi.Session registered = accounts.register();
    List<ErrorCode> outcomes = Flowable.range(0, 25)
        .flatMapSingle(i -> accounts.client().eventBus()
            .<JsonObject>rxRequest(ACCOUNTS_LOGIN, login(registered.username(), "wrong password " + i, "192.0.2.13"))
            .map(reply -> ErrorCode.INTERNAL)
            .onErrorReturn(failure -> BusErrors.fromFailure(failure).code()))
        .toList().blockingGet();

    assertThat(outcomes).containsOnly(ErrorCode.UNAUTHORIZED, ErrorCode.RATE_LIMITED);
    assertThat(outcomes).filteredOn(code -> code == ErrorCode.UNAUTHORIZED).hasSizeBetween(1, 5);
  }

  @Test
  @DisplayName("wrong passwords from one address: waits that grow after 3, that address locked out after 5;"
      + " the owner at another address still logs in")
  void failuresCountPerAccountAndAddress() throws InterruptedException {
    AccountsApi.Session registered = accounts.register();
    String attacker = "192.0.2.14";
    for (int i = 0; i < 3; i++) {
      accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_LOGIN, login(registered.username(), "wrong " + i, attacker));
    }
    assertThat(retryAfter(accounts.fails(ErrorCode.RATE_LIMITED, ACCOUNTS_LOGIN,
        login(registered.username(), "wrong 3", attacker)))).isEqualTo(1L);
    Thread.sleep(1_100);
    accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_LOGIN, login(registered.username(), "wrong 3", attacker));
    assertThat(retryAfter(accounts.fails(ErrorCode.RATE_LIMITED, ACCOUNTS_LOGIN,
        login(registered.username(), "wrong 4", attacker)))).isEqualTo(2L);
    Thread.sleep(2_100);
    accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_LOGIN, login(registered.username(), "wrong 4", attacker));

    OcommsException locked = accounts.fails(ErrorCode.RATE_LIMITED, ACCOUNTS_LOGIN,
        login(registered.username(), registered.password(), attacker));
    assertThat(retryAfter(locked)).isBetween(800L, 900L);
    JsonObject owner = accounts.call(ACCOUNTS_LOGIN,
        login(registered.email(), registered.password(), "198.51.100.7"));
    assertThat(owner.getJsonObject("user").getString("id")).isEqualTo(registered.userId());
  }

  @Test
  @DisplayName("a right password forgets the failures of its account from that address")
  void successForgetsFailures() throws InterruptedException {
    AccountsApi.Session registered = accounts.register();
    for (int i = 0; i < 3; i++) {
      accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_LOGIN, login(registered.username(), "wrong " + i, "192.0.2.15"));
    }
    Thread.sleep(1_100);
    accounts.call(ACCOUNTS_LOGIN, login(registered.username(), registered.password(), "192.0.2.15"));

    for (int i = 0; i < 3; i++) {
      accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_LOGIN, login(registered.username(), "again " + i, "192.0.2.15"));
    }
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
  @DisplayName("a session lives 30 days at most: a refresh past that is unauthorized, one just before gets a token"
      + " that ends with the session")
  void sessionAbsoluteLifetime() {
    AccountsApi.Session old = accounts.register();
    AccountsApi.Session nearlyOld = accounts.register();
    accounts.sql("UPDATE accounts.sessions SET created_at = now() - interval '30 days 1 minute' WHERE id = $1",
        UUID.fromString(old.sessionId()));
    accounts.sql("UPDATE accounts.sessions SET created_at = now() - interval '29 days 23 hours' WHERE id = $1",
        UUID.fromString(nearlyOld.sessionId()));

    OcommsException expired = accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_REFRESH, refresh(old.refreshToken()));
    assertThat(expired.getMessage()).contains("session expired");
    JsonObject rotated = accounts.call(ACCOUNTS_REFRESH, refresh(nearlyOld.refreshToken()));
    Row token = accounts.sql("SELECT t.expires_at <= s.created_at + interval '30 days' AS within"
            + " FROM accounts.refresh_tokens t JOIN accounts.sessions s ON s.id = t.session_id WHERE t.token_hash = $1",
        Buffer.buffer(Tokens.sha256(rotated.getString("refreshToken")))).iterator().next();
    assertThat(token.getBoolean("within")).isTrue();
  }

  @Test
  @DisplayName("pruning deletes the refresh tokens nobody can use (expired, revoked, past the session's lifetime),"
      + " and keeps the live ones and the used ones that detect reuse")
  void pruning() {
    AccountsApi.Session live = accounts.register();
    JsonObject rotated = accounts.call(ACCOUNTS_REFRESH, refresh(live.refreshToken()));
    AccountsApi.Session loggedOut = accounts.register();
    accounts.call(loggedOut, ACCOUNTS_LOGOUT, new JsonObject());
    AccountsApi.Session expired = accounts.register();
    accounts.sql("UPDATE accounts.refresh_tokens SET expires_at = now() - interval '1 second' WHERE session_id = $1",
        UUID.fromString(expired.sessionId()));
    AccountsApi.Session tooOld = accounts.register();
    accounts.sql("UPDATE accounts.sessions SET created_at = now() - interval '31 days' WHERE id = $1",
        UUID.fromString(tooOld.sessionId()));

    AccountStore store = accounts.store();
    while (store.pruneRefreshTokens(Duration.ofDays(30), 2).blockingGet() == 2) {
      // batch after batch, as the verticle prunes
    }

    assertThat(refreshTokens(live)).isEqualTo(2);
    assertThat(refreshTokens(loggedOut)).isZero();
    assertThat(refreshTokens(expired)).isZero();
    assertThat(refreshTokens(tooOld)).isZero();
    accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_REFRESH, refresh(live.refreshToken()));
    assertThat(revoked(live)).isTrue();
    accounts.fails(ErrorCode.UNAUTHORIZED, ACCOUNTS_REFRESH, refresh(rotated.getString("refreshToken")));
  }

  private static long refreshTokens(AccountsApi.Session session) {
    return accounts.sql("SELECT count(*) AS n FROM accounts.refresh_tokens WHERE session_id = $1",
        UUID.fromString(session.sessionId())).iterator().next().getLong("n");
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

  private static long retryAfter(OcommsException failure) {
    return failure.details().getLong("retryAfter");
  }

  /** The one {@code accounts.session.revoked} event published while the action runs. */
  private static JsonObject revocationAnnouncedDuring(Runnable action) {
    revocations.clear();
    action.run();
    try {
      JsonObject event = revocations.poll(5, TimeUnit.SECONDS);
      assertThat(event).as("a session.revoked event").isNotNull();
      assertThat(revocations.poll(200, TimeUnit.MILLISECONDS)).as("a further session.revoked event").isNull();
      return event;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
