package dev.ocomms.accounts;

import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.testkit.TestCluster;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_LOGIN;
import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_REGISTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The accounts verticle as the gateway and the other verticles use it, for tests: a two-node cluster with accounts
 * on node 0 and every request sent from node 1, so that all traffic crosses the clustered event bus. Every account
 * it registers has fresh random names, so tests do not see each other.
 */
final class AccountsApi implements AutoCloseable {
  /** Satisfies every password rule, and shares no text with the random usernames and emails below. */
  static final String PASSWORD = "correct horse battery staple";

  private final TestCluster cluster;

  private AccountsApi(TestCluster cluster) {
    this.cluster = cluster;
  }

  static AccountsApi start() {
    TestCluster cluster = TestCluster.start(2);
    try {
      cluster.deploy(0, AccountsVerticle::new);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return new AccountsApi(cluster);
  }

  TestCluster cluster() {
    return cluster;
  }

  Vertx client() {
    return cluster.node(1);
  }

  /** An internal request (no caller) that must succeed; its reply. */
  JsonObject call(String address, JsonObject body) {
    return client().eventBus().<JsonObject>rxRequest(address, body).blockingGet().body();
  }

  /** A request on behalf of a session's user that must succeed; its reply. */
  JsonObject call(Session session, String address, JsonObject body) {
    return client().eventBus().<JsonObject>rxRequest(address, body, session.caller().deliveryOptions())
        .blockingGet().body();
  }

  /** An internal request that must fail with {@code code}; the failure, for assertions on its detail. */
  OcommsException fails(ErrorCode code, String address, JsonObject body) {
    return fails(code, address, body, new DeliveryOptions());
  }

  /** A request on behalf of a session's user that must fail with {@code code}. */
  OcommsException fails(ErrorCode code, Session session, String address, JsonObject body) {
    return fails(code, address, body, session.caller().deliveryOptions());
  }

  private OcommsException fails(ErrorCode code, String address, JsonObject body, DeliveryOptions options) {
    try {
      JsonObject reply = client().eventBus().<JsonObject>rxRequest(address, body, options).blockingGet().body();
      return fail("expected %s from %s but got the reply %s", code.wireName(), address, reply);
    } catch (ReplyException e) {
      OcommsException failure = BusErrors.fromFailure(e);
      assertThat(failure.code()).as("error code of %s (%s)", address, failure.getMessage()).isEqualTo(code);
      assertThat(e.failureCode()).isEqualTo(code.failureCode());
      return failure;
    }
  }

  /** A valid registration with fresh, random username and email. */
  static JsonObject newRegistration() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return new JsonObject()
        .put("email", "mail." + suffix + "@example.org")
        .put("username", "user_" + suffix)
        .put("displayName", "User " + suffix)
        .put("password", PASSWORD);
  }

  /** Registers a fresh account: the session registration opened. */
  Session register() {
    return register(newRegistration());
  }

  Session register(JsonObject registration) {
    JsonObject reply = call(ACCOUNTS_REGISTER, registration);
    return Session.of(reply, registration);
  }

  /** Logs in again (a new session of the same account). */
  Session login(Session account) {
    JsonObject reply = call(ACCOUNTS_LOGIN, new JsonObject().put("login", account.username())
        .put("password", account.password()).put("clientIp", "192.0.2.1"));
    return Session.of(reply, new JsonObject().put("username", account.username()).put("email", account.email())
        .put("password", account.password()));
  }

  @Override
  public void close() {
    cluster.close();
  }

  /** An account and one of its sessions, as the gateway would know them after verifying the access token. */
  record Session(String userId, String sessionId, String username, String email, String password, String accessToken,
                 String refreshToken) {
    static Session of(JsonObject reply, JsonObject account) {
      JsonObject claims = claimsOf(reply.getString("accessToken"));
      return new Session(reply.getJsonObject("user").getString("id"), claims.getString("sid"),
          account.getString("username"), account.getString("email"), account.getString("password"),
          reply.getString("accessToken"), reply.getString("refreshToken"));
    }

    Caller caller() {
      return new Caller(userId, sessionId);
    }
  }

  /** The claims of a JWT, read without verifying it. */
  static JsonObject claimsOf(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }
}
