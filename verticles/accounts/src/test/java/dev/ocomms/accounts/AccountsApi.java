package dev.ocomms.accounts;

import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.testkit.BusAssertions;
import dev.ocomms.testkit.TestCluster;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.UnaryOperator;

import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_LOGIN;
import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_REGISTER;
import static dev.ocomms.shared.bus.Addresses.WORKSPACE_CREATE;
import static dev.ocomms.shared.bus.Addresses.WORKSPACE_INVITE_CREATE;
import static dev.ocomms.shared.bus.Addresses.WORKSPACE_JOIN;
import static org.assertj.core.api.Assertions.fail;

/**
 * The accounts verticle as the gateway and the other verticles use it, for tests: a two-node cluster with accounts
 * on node 0 and every request sent from node 1, so that all traffic crosses the clustered event bus. Every account
 * it registers has fresh random names, so tests do not see each other.
 */
final class AccountsApi implements AutoCloseable {

  static final String CLIENT_IP = "192.0.2.1";

  private final TestSystem system;
  private final TestCluster cluster;
  private Pool sql;

  private AccountsApi(TestSystem system) {
    this.system = system;
    this.cluster = system.cluster();
  }

  static AccountsApi start() {
    return start(UnaryOperator.identity());
  }

  /** As {@link #start()}, with changed settings. */
  static AccountsApi start(UnaryOperator<OcommsConfig> configure) {
    return new AccountsApi(TestSystem.builder().nodes(2).configure(configure).deploy(AccountsVerticle::new).start());
  }

  /** As {@link #start()}, with messaging beside accounts: for what depends on who shares a workspace. */
  static AccountsApi startWithMessaging() {
    return new AccountsApi(TestSystem.builder().nodes(2).deploy(AccountsVerticle::new).deploy(MessagingVerticle::new)
        .start());
  }

  /** A workspace that {@code owner} created and {@code members} joined with an invite (messaging must run). */
  void shareWorkspace(Session owner, Session... members) {
    String workspaceId = call(owner, WORKSPACE_CREATE, new JsonObject().put("name", "Team " + owner.username()))
        .getJsonObject("workspace").getString("id");
    String code = call(owner, WORKSPACE_INVITE_CREATE, new JsonObject().put("workspaceId", workspaceId))
        .getString("code");
    for (Session member : members) {
      call(member, WORKSPACE_JOIN, new JsonObject().put("code", code));
    }
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
    return BusAssertions.assertFails(client(), code, address, body, options);
  }

  /** Registers a fresh account: the session registration opened. */
  Session register() {
    return register(TestSystem.newRegistration());
  }

  /** Registers {@code registration}, from {@code clientIp} unless it names another. */
  Session register(JsonObject registration) {
    JsonObject reply = call(ACCOUNTS_REGISTER, withClientIp(registration));
    return Session.of(reply, registration);
  }

  /** Logs in again (a new session of the same account). */
  Session login(Session account) {
    JsonObject reply = call(ACCOUNTS_LOGIN, new JsonObject().put("login", account.username())
        .put("password", account.password()).put("clientIp", "192.0.2.1"));
    return Session.of(reply, new JsonObject().put("username", account.username()).put("email", account.email())
        .put("password", account.password()));
  }

  /** A registration as the gateway forwards it: with the client's address (by default {@value #CLIENT_IP}). */
  static JsonObject withClientIp(JsonObject registration) {
    return registration.containsKey("clientIp") ? registration : registration.copy().put("clientIp", CLIENT_IP);
  }

  /** Runs one SQL statement on the accounts database, as an operator (or time passing) would change it. */
  RowSet<Row> sql(String statement, Object... arguments) {
    if (sql == null) {
      sql = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(cluster.config(0).pgUrl().orElseThrow()))
          .using(client()).build();
    }
    return sql.preparedQuery(statement).rxExecute(Tuple.wrap(arguments)).blockingGet();
  }

  /** The accounts tables, as the verticle sees them. */
  AccountStore store() {
    sql("SELECT 1");
    return new AccountStore(sql);
  }

  @Override
  public void close() {
    if (sql != null) {
      sql.close().blockingAwait();
    }
    system.close();
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
