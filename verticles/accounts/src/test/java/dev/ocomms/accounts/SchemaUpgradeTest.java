package dev.ocomms.accounts;

import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.testkit.TestCluster;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_LOGIN;
import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_REFRESH;
import static dev.ocomms.shared.bus.Addresses.ACCOUNTS_REGISTER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade from a deployment whose gateway owned the accounts (schema {@code gateway}, its migration kept under
 * test resources as it shipped): the accounts verticle's first start carries every user and session over.
 */
@DisplayName("Upgrading a deployment whose accounts lived in schema gateway")
class SchemaUpgradeTest {
  private static final UUID USER_ID = UUID.randomUUID();
  private static final UUID SESSION_ID = UUID.randomUUID();
  private static final String USERNAME = "Old_Timer";
  private static final String EMAIL = "old.timer@example.org";
  private static final String REFRESH_TOKEN = Tokens.newRefreshToken();

  private static TestCluster cluster;
  private static Pool sql;

  @BeforeAll
  static void upgrade() {
    cluster = TestCluster.start(1);
    Vertx node = cluster.node(0);
    String pgUrl = cluster.config(0).pgUrl().orElseThrow();
    sql = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(pgUrl)).using(node).build();

    // The old deployment: the gateway's schema, with one user and one live session.
    Migrations.migrate(node, pgUrl, "gateway").blockingAwait();
    String hash = new Passwords(node, 1, 1).hash(TestSystem.PASSWORD).blockingGet();
    execute("INSERT INTO gateway.users (id, email, email_key, username, username_key, display_name, password_hash)"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7)", USER_ID, EMAIL, EMAIL, USERNAME,
        USERNAME.toLowerCase(Locale.ROOT), "Old Timer", hash);
    execute("INSERT INTO gateway.sessions (id, user_id) VALUES ($1, $2)", SESSION_ID, USER_ID);
    execute("INSERT INTO gateway.refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)",
        Buffer.buffer(Tokens.sha256(REFRESH_TOKEN)), SESSION_ID, OffsetDateTime.now(ZoneOffset.UTC).plusDays(7));

    cluster.deploy(0, AccountsVerticle::new);
  }

  @AfterAll
  static void stop() {
    sql.close().blockingAwait();
    cluster.close();
  }

  private static void execute(String statement, Object... arguments) {
    sql.preparedQuery(statement).rxExecute(Tuple.wrap(arguments)).blockingGet();
  }

  private static List<String> tables(String schema) {
    List<String> names = new ArrayList<>();
    sql.preparedQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = $1")
        .rxExecute(Tuple.of(schema)).blockingGet().forEach((Row row) -> names.add(row.getString("table_name")));
    return names;
  }

  private static JsonObject request(String address, JsonObject body) {
    return cluster.node(0).eventBus().<JsonObject>rxRequest(address, body).blockingGet().body();
  }

  @Test
  @DisplayName("the user logs in with their old password and is the same user")
  void oldUserLogsIn() {
    JsonObject reply = request(ACCOUNTS_LOGIN, new JsonObject().put("login", "old_timer")
        .put("password", TestSystem.PASSWORD).put("clientIp", "192.0.2.20"));

    assertThat(reply.getJsonObject("user").getString("id")).isEqualTo(USER_ID.toString());
    assertThat(reply.getJsonObject("user").getString("email")).isEqualTo(EMAIL);
  }

  @Test
  @DisplayName("a session opened before the upgrade goes on: its refresh token rotates")
  void oldSessionRefreshes() {
    JsonObject reply = request(ACCOUNTS_REFRESH, new JsonObject().put("refreshToken", REFRESH_TOKEN));

    assertThat(AccountsApi.claimsOf(reply.getString("accessToken")).getString("sid"))
        .isEqualTo(SESSION_ID.toString());
  }

  @Test
  @DisplayName("the old usernames stay taken, case-insensitively")
  void oldUsernameStaysTaken() {
    try {
      request(ACCOUNTS_REGISTER, TestSystem.newRegistration().put("username", "OLD_TIMER")
          .put("clientIp", "192.0.2.20"));
      throw new AssertionError("the old username was registered again");
    } catch (io.vertx.core.eventbus.ReplyException e) {
      assertThat(e.failureCode()).isEqualTo(ErrorCode.CONFLICT.failureCode());
    }
  }

  @Test
  @DisplayName("the tables moved: schema accounts has them, schema gateway keeps only its migration history")
  void tablesMoved() {
    assertThat(tables("accounts")).contains("users", "sessions", "refresh_tokens");
    assertThat(tables("gateway")).containsExactly("flyway_schema_history");
  }
}
