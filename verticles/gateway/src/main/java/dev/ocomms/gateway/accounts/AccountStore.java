package dev.ocomms.gateway.accounts;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/** All SQL about users, sessions and refresh tokens (schema {@code gateway}). */
final class AccountStore {
  private static final String USER_COLUMNS = "id, email, username, display_name, password_hash, created_at";

  private final Pool pool;

  AccountStore(Pool pool) {
    this.pool = pool;
  }

  /** A stored user. */
  record UserRecord(UUID id, String email, String username, String displayName, String passwordHash,
                    OffsetDateTime createdAt) {
    static UserRecord of(Row row) {
      return new UserRecord(row.getUUID("id"), row.getString("email"), row.getString("username"),
          row.getString("display_name"), row.getString("password_hash"), row.getOffsetDateTime("created_at"));
    }
  }

  /** A refresh token looked up for rotation, with the state of its session. */
  record RefreshRecord(UUID sessionId, UUID userId, OffsetDateTime expiresAt, boolean used, boolean sessionRevoked) {
  }

  /** Inserts a user; fails with the PostgreSQL unique violation when the email or username is taken. */
  Single<UserRecord> insertUser(UUID id, String email, String username, String displayName, String passwordHash) {
    return pool.preparedQuery("INSERT INTO gateway.users (id, email, email_key, username, username_key, display_name,"
            + " password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + USER_COLUMNS)
        .rxExecute(Tuple.from(List.of(id, email, email.toLowerCase(Locale.ROOT), username,
            username.toLowerCase(Locale.ROOT), displayName, passwordHash)))
        .map(rows -> UserRecord.of(rows.iterator().next()));
  }

  Maybe<UserRecord> findByLogin(String login) {
    String key = login.trim().toLowerCase(Locale.ROOT);
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM gateway.users WHERE email_key = $1 OR username_key = $1"
            + " LIMIT 1")
        .rxExecute(Tuple.of(key))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty() : Maybe.just(UserRecord.of(rows.iterator().next())));
  }

  Maybe<UserRecord> findById(UUID id) {
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM gateway.users WHERE id = $1")
        .rxExecute(Tuple.of(id))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty() : Maybe.just(UserRecord.of(rows.iterator().next())));
  }

  Single<List<UserRecord>> findByIds(List<UUID> ids) {
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM gateway.users WHERE id = ANY($1)")
        .rxExecute(Tuple.of(ids.toArray(UUID[]::new)))
        .map(rows -> {
          List<UserRecord> users = new java.util.ArrayList<>();
          rows.forEach(row -> users.add(UserRecord.of(row)));
          return users;
        });
  }

  Single<List<UserRecord>> findByUsernames(List<String> usernames) {
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM gateway.users WHERE username_key = ANY($1)")
        .rxExecute(Tuple.of(usernames.stream().map(name -> name.toLowerCase(Locale.ROOT)).toArray(String[]::new)))
        .map(rows -> {
          List<UserRecord> users = new java.util.ArrayList<>();
          rows.forEach(row -> users.add(UserRecord.of(row)));
          return users;
        });
  }

  Maybe<UserRecord> updateDisplayName(UUID id, String displayName) {
    return pool.preparedQuery("UPDATE gateway.users SET display_name = $2, updated_at = now() WHERE id = $1"
            + " RETURNING " + USER_COLUMNS)
        .rxExecute(Tuple.of(id, displayName))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty() : Maybe.just(UserRecord.of(rows.iterator().next())));
  }

  /** Creates a session with its first refresh token. */
  Completable insertSession(UUID sessionId, UUID userId, byte[] refreshHash, OffsetDateTime expiresAt) {
    return pool.rxWithTransaction(connection -> connection
        .preparedQuery("INSERT INTO gateway.sessions (id, user_id) VALUES ($1, $2)")
        .rxExecute(Tuple.of(sessionId, userId))
        .flatMap(rows -> insertRefresh(connection, sessionId, refreshHash, expiresAt))
        .toMaybe()).ignoreElement();
  }

  /** Locks a refresh token row for rotation inside the caller's transaction. */
  Maybe<RefreshRecord> lockRefresh(SqlConnection connection, byte[] hash) {
    return connection.preparedQuery("SELECT t.session_id, s.user_id, t.expires_at, t.used_at IS NOT NULL AS used,"
            + " s.revoked_at IS NOT NULL AS revoked FROM gateway.refresh_tokens t"
            + " JOIN gateway.sessions s ON s.id = t.session_id WHERE t.token_hash = $1 FOR UPDATE OF t, s")
        .rxExecute(Tuple.of(Buffer.buffer(hash)))
        .flatMapMaybe(rows -> {
          if (rows.size() == 0) {
            return Maybe.empty();
          }
          Row row = rows.iterator().next();
          return Maybe.just(new RefreshRecord(row.getUUID("session_id"), row.getUUID("user_id"),
              row.getOffsetDateTime("expires_at"), row.getBoolean("used"), row.getBoolean("revoked")));
        });
  }

  Single<Integer> markRefreshUsed(SqlConnection connection, byte[] hash) {
    return connection.preparedQuery("UPDATE gateway.refresh_tokens SET used_at = now() WHERE token_hash = $1")
        .rxExecute(Tuple.of(Buffer.buffer(hash))).map(rows -> rows.rowCount());
  }

  Single<Integer> insertRefresh(SqlConnection connection, UUID sessionId, byte[] hash, OffsetDateTime expiresAt) {
    return connection.preparedQuery("INSERT INTO gateway.refresh_tokens (token_hash, session_id, expires_at)"
            + " VALUES ($1, $2, $3)")
        .rxExecute(Tuple.of(Buffer.buffer(hash), sessionId, expiresAt))
        .flatMap(rows -> connection.preparedQuery(
                "UPDATE gateway.sessions SET last_refreshed_at = now() WHERE id = $1")
            .rxExecute(Tuple.of(sessionId)))
        .map(rows -> rows.rowCount());
  }

  /** Revokes a session; returns its user when it was live until now. */
  Maybe<UUID> revokeSession(SqlConnection connection, UUID sessionId, String reason) {
    return connection.preparedQuery("UPDATE gateway.sessions SET revoked_at = now(), revoked_reason = $2"
            + " WHERE id = $1 AND revoked_at IS NULL RETURNING user_id")
        .rxExecute(Tuple.of(sessionId, reason))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty() : Maybe.just(rows.iterator().next().getUUID("user_id")));
  }

  Pool pool() {
    return pool;
  }

  static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }

  static Optional<String> constraintOf(Throwable failure) {
    if (failure instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
      return Optional.ofNullable(pg.getConstraint());
    }
    return Optional.empty();
  }
}
