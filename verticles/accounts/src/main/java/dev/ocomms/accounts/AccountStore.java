package dev.ocomms.accounts;

import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.RowSet;
import io.vertx.rxjava3.sqlclient.SqlConnection;
import io.vertx.rxjava3.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** All SQL about users, sessions and refresh tokens (schema {@code accounts}). */
final class AccountStore {
  private static final String USER_COLUMNS = "id, email, username, display_name, avatar_url, password_hash, created_at,"
      + " kind, status_text, status_emoji, status_expires_at, time_zone";

  private final Pool pool;

  AccountStore(Pool pool) {
    this.pool = pool;
  }

  /** A stored user. */
  record User(UUID id, String email, String username, String displayName, String avatarUrl, String passwordHash,
              OffsetDateTime createdAt, String kind, Status status, String timeZone) {
    static final String BOT = "bot";

    static User of(Row row) {
      return new User(row.getUUID("id"), row.getString("email"), row.getString("username"),
          row.getString("display_name"), row.getString("avatar_url"), row.getString("password_hash"),
          row.getOffsetDateTime("created_at"), row.getString("kind"), Status.of(row), row.getString("time_zone"));
    }

    boolean isBot() {
      return BOT.equals(kind);
    }

    /** What anyone may see of a user. */
    JsonObject publicProfile() {
      return new JsonObject().put("id", id.toString()).put("username", username).put("displayName", displayName)
          .put("avatarUrl", avatarUrl)
          .put("kind", kind)
          .put("createdAt", createdAt.format(DateTimeFormatter.ISO_INSTANT))
          .put("status", status == null || status.expired(now()) ? null : status.toJson())
          .put("timeZone", timeZone);
    }

    /** What the user sees of themselves: the public profile and the email. */
    JsonObject ownProfile() {
      return publicProfile().put("email", email);
    }
  }

  /** A bot: its user, and the bot's own columns. */
  record Bot(User user, UUID workspaceId, UUID createdBy, String description, UUID tokenId, OffsetDateTime createdAt) {
    private static final String COLUMNS = "b.workspace_id, b.created_by, b.description, b.token_id,"
        + " b.created_at AS bot_created_at, " + USER_COLUMNS.replaceAll("(^|, )", "$1u.");

    static Bot of(Row row) {
      return new Bot(User.of(row), row.getUUID("workspace_id"), row.getUUID("created_by"),
          row.getString("description"), row.getUUID("token_id"), row.getOffsetDateTime("bot_created_at"));
    }

    /** What owners and admins see of a bot (never its token). */
    JsonObject toJson() {
      return user.publicProfile().put("workspaceId", workspaceId.toString()).put("description", description)
          .put("createdBy", createdBy.toString());
    }
  }

  /** A user's status: text and emoji (either may be empty), until {@code expiresAt} (null: until cleared). */
  record Status(String text, String emoji, OffsetDateTime expiresAt) {
    static Status of(Row row) {
      String text = row.getString("status_text");
      String emoji = row.getString("status_emoji");
      return text == null && emoji == null ? null : new Status(text == null ? "" : text, emoji == null ? "" : emoji,
          row.getOffsetDateTime("status_expires_at"));
    }

    boolean expired(OffsetDateTime now) {
      return expiresAt != null && !expiresAt.isAfter(now);
    }

    JsonObject toJson() {
      return new JsonObject().put("text", text).put("emoji", emoji)
          .put("expiresAt", expiresAt == null ? null : expiresAt.format(DateTimeFormatter.ISO_INSTANT));
    }
  }

  /** A refresh token looked up for rotation, with the state of its session. */
  record RefreshToken(UUID sessionId, UUID userId, OffsetDateTime expiresAt, boolean used, boolean sessionRevoked,
                      OffsetDateTime sessionCreatedAt) {
  }

  /** Runs {@code work} in one transaction. */
  <T> Maybe<T> transaction(Function<SqlConnection, Maybe<T>> work) {
    return pool.rxWithTransaction(work::apply);
  }

  /** Inserts a user; fails with the PostgreSQL unique violation when the email or username is taken. */
  Single<User> insertUser(UUID id, String email, String username, String displayName, String passwordHash) {
    return pool.preparedQuery("INSERT INTO accounts.users (id, email, email_key, username, username_key,"
            + " display_name, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + USER_COLUMNS)
        .rxExecute(Tuple.from(List.of(id, email, email.toLowerCase(Locale.ROOT), username,
            username.toLowerCase(Locale.ROOT), displayName, passwordHash)))
        .map(rows -> User.of(rows.iterator().next()));
  }

  /** Creates a bot: its user (kind bot, no email, no password) and its token's hash, in one transaction. */
  Single<Bot> insertBot(UUID id, String username, String displayName, UUID workspaceId, UUID createdBy,
                        String description, UUID tokenId, byte[] tokenHash) {
    return transaction(connection -> connection.preparedQuery("INSERT INTO accounts.users (id, username,"
                + " username_key, display_name, kind) VALUES ($1, $2, $3, $4, 'bot')")
            .rxExecute(Tuple.of(id, username, username.toLowerCase(Locale.ROOT), displayName))
            .flatMap(rows -> connection.preparedQuery("INSERT INTO accounts.bots (user_id, workspace_id, created_by,"
                    + " description, token_id, token_hash) VALUES ($1, $2, $3, $4, $5, $6)")
                .rxExecute(Tuple.of(id, workspaceId, createdBy, description, tokenId, Buffer.buffer(tokenHash))))
            .toMaybe())
        .ignoreElement()
        .andThen(Single.defer(() -> findBot(id).toSingle()));
  }

  private static final String BOTS_JOIN = " FROM accounts.bots b JOIN accounts.users u ON u.id = b.user_id";

  /** A bot that has not been deleted. */
  Maybe<Bot> findBot(UUID id) {
    return pool.preparedQuery("SELECT " + Bot.COLUMNS + BOTS_JOIN + " WHERE b.user_id = $1 AND b.deleted_at IS NULL")
        .rxExecute(Tuple.of(id))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty() : Maybe.just(Bot.of(rows.iterator().next())));
  }

  /** The bot a token hash belongs to, unless it was rotated away or the bot deleted. */
  Maybe<Bot> findBotByTokenHash(byte[] hash) {
    return pool.preparedQuery("SELECT " + Bot.COLUMNS + BOTS_JOIN + " WHERE b.token_hash = $1 AND b.deleted_at IS NULL")
        .rxExecute(Tuple.of(Buffer.buffer(hash)))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty() : Maybe.just(Bot.of(rows.iterator().next())));
  }

  /** A workspace's bots, oldest first. */
  Single<List<Bot>> botsOf(UUID workspaceId) {
    return pool.preparedQuery("SELECT " + Bot.COLUMNS + BOTS_JOIN + " WHERE b.workspace_id = $1 AND b.deleted_at IS NULL"
            + " ORDER BY b.created_at, b.user_id")
        .rxExecute(Tuple.of(workspaceId))
        .map(rows -> {
          List<Bot> bots = new ArrayList<>(rows.size());
          rows.forEach(row -> bots.add(Bot.of(row)));
          return bots;
        });
  }

  /** Marks a bot deleted: whether it was there to delete. */
  Single<Boolean> deleteBot(UUID id) {
    return pool.preparedQuery("UPDATE accounts.bots SET deleted_at = now() WHERE user_id = $1 AND deleted_at IS NULL")
        .rxExecute(Tuple.of(id))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Replaces a bot's token if its current one is {@code previousTokenId}: whether it did (two rotations race). */
  Single<Boolean> replaceBotToken(UUID id, UUID previousTokenId, UUID tokenId, byte[] tokenHash) {
    return pool.preparedQuery("UPDATE accounts.bots SET token_id = $3, token_hash = $4, token_created_at = now()"
            + " WHERE user_id = $1 AND token_id = $2 AND deleted_at IS NULL")
        .rxExecute(Tuple.of(id, previousTokenId, tokenId, Buffer.buffer(tokenHash)))
        .map(rows -> rows.rowCount() == 1);
  }

  /** The user whose email or username is {@code login}, in any case. */
  Maybe<User> findByLogin(String login) {
    String key = login.trim().toLowerCase(Locale.ROOT);
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM accounts.users"
            + " WHERE email_key = $1 OR username_key = $1 LIMIT 1")
        .rxExecute(Tuple.of(key))
        .flatMapMaybe(AccountStore::first);
  }

  Maybe<User> findById(UUID id) {
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM accounts.users WHERE id = $1")
        .rxExecute(Tuple.of(id))
        .flatMapMaybe(AccountStore::first);
  }

  Single<List<User>> findByIds(List<UUID> ids) {
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM accounts.users WHERE id = ANY($1)")
        .rxExecute(Tuple.of(ids.toArray(UUID[]::new)))
        .map(AccountStore::all);
  }

  Single<List<User>> findByUsernames(List<String> usernames) {
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM accounts.users WHERE username_key = ANY($1)")
        .rxExecute(Tuple.of(usernames.stream().map(name -> name.toLowerCase(Locale.ROOT)).toArray(String[]::new)))
        .map(AccountStore::all);
  }

  /**
   * Changes the profile fields given (each Optional: absent leaves the field as it is); {@code status} holds the new
   * status, or null to clear it.
   */
  Maybe<User> updateProfile(UUID id, Optional<String> displayName, Optional<Optional<Status>> status,
                            Optional<String> timeZone) {
    Status newStatus = status.flatMap(s -> s).orElse(null);
    return pool.preparedQuery("UPDATE accounts.users SET display_name = COALESCE($2, display_name),"
            + " status_text = CASE WHEN $3 THEN $4 ELSE status_text END,"
            + " status_emoji = CASE WHEN $3 THEN $5 ELSE status_emoji END,"
            + " status_expires_at = CASE WHEN $3 THEN $6 ELSE status_expires_at END,"
            + " time_zone = COALESCE($7, time_zone), updated_at = now() WHERE id = $1 RETURNING " + USER_COLUMNS)
        .rxExecute(Tuple.from(Arrays.asList(id, displayName.orElse(null), status.isPresent(),
            newStatus == null ? null : newStatus.text(), newStatus == null ? null : newStatus.emoji(),
            newStatus == null ? null : newStatus.expiresAt(), timeZone.orElse(null))))
        .flatMapMaybe(AccountStore::first);
  }

  /** Sets (or, with null, clears) a user's avatar: the user as it is now, and the avatar URL it had before. */
  Maybe<Map.Entry<User, Optional<String>>> updateAvatar(UUID id, String avatarUrl) {
    return pool.preparedQuery("UPDATE accounts.users u SET avatar_url = $2, updated_at = now()"
            + " FROM (SELECT id, avatar_url AS previous FROM accounts.users WHERE id = $1 FOR UPDATE) before"
            + " WHERE u.id = before.id RETURNING before.previous, "
            + USER_COLUMNS.replaceAll("(^|, )", "$1u."))
        .rxExecute(Tuple.of(id, avatarUrl))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty() : Maybe.just(rows.iterator().next()))
        .map(row -> Map.entry(User.of(row), Optional.ofNullable(row.getString("previous"))));
  }

  /** Creates a session with its first refresh token. */
  Completable insertSession(UUID sessionId, UUID userId, byte[] refreshHash, OffsetDateTime expiresAt) {
    return transaction(connection -> connection
        .preparedQuery("INSERT INTO accounts.sessions (id, user_id) VALUES ($1, $2)")
        .rxExecute(Tuple.of(sessionId, userId))
        .flatMap(rows -> insertRefresh(connection, sessionId, refreshHash, expiresAt))
        .toMaybe()).ignoreElement();
  }

  /** Locks a refresh token row, and its session's, for rotation inside the caller's transaction. */
  Maybe<RefreshToken> lockRefresh(SqlConnection connection, byte[] hash) {
    return connection.preparedQuery("SELECT t.session_id, s.user_id, t.expires_at, t.used_at IS NOT NULL AS used,"
            + " s.revoked_at IS NOT NULL AS revoked, s.created_at AS session_created_at FROM accounts.refresh_tokens t"
            + " JOIN accounts.sessions s ON s.id = t.session_id WHERE t.token_hash = $1 FOR UPDATE OF t, s")
        .rxExecute(Tuple.of(Buffer.buffer(hash)))
        .flatMapMaybe(rows -> {
          if (rows.size() == 0) {
            return Maybe.empty();
          }
          Row row = rows.iterator().next();
          return Maybe.just(new RefreshToken(row.getUUID("session_id"), row.getUUID("user_id"),
              row.getOffsetDateTime("expires_at"), row.getBoolean("used"), row.getBoolean("revoked"),
              row.getOffsetDateTime("session_created_at")));
        });
  }

  Single<Integer> markRefreshUsed(SqlConnection connection, byte[] hash) {
    return connection.preparedQuery("UPDATE accounts.refresh_tokens SET used_at = now() WHERE token_hash = $1")
        .rxExecute(Tuple.of(Buffer.buffer(hash))).map(RowSet::rowCount);
  }

  Single<Integer> insertRefresh(SqlConnection connection, UUID sessionId, byte[] hash, OffsetDateTime expiresAt) {
    return connection.preparedQuery("INSERT INTO accounts.refresh_tokens (token_hash, session_id, expires_at)"
            + " VALUES ($1, $2, $3)")
        .rxExecute(Tuple.of(Buffer.buffer(hash), sessionId, expiresAt))
        .flatMap(rows -> connection.preparedQuery(
                "UPDATE accounts.sessions SET last_refreshed_at = now() WHERE id = $1")
            .rxExecute(Tuple.of(sessionId)))
        .map(RowSet::rowCount);
  }

  /** Revokes a session; its user when it was live until now. */
  Maybe<UUID> revokeSession(SqlConnection connection, UUID sessionId, String reason) {
    return connection.preparedQuery("UPDATE accounts.sessions SET revoked_at = now(), revoked_reason = $2"
            + " WHERE id = $1 AND revoked_at IS NULL RETURNING user_id")
        .rxExecute(Tuple.of(sessionId, reason))
        .flatMapMaybe(rows -> rows.size() == 0 ? Maybe.empty()
            : Maybe.just(rows.iterator().next().getUUID("user_id")));
  }

  /**
   * Deletes up to {@code batch} refresh tokens nobody can use any more: expired ones, those of revoked sessions and
   * those of sessions older than {@code maxAge}. Rows another node is deleting are skipped, not waited for. The number
   * deleted: a full batch means there may be more.
   */
  Single<Integer> pruneRefreshTokens(Duration maxAge, int batch) {
    return pool.preparedQuery("DELETE FROM accounts.refresh_tokens WHERE token_hash IN ("
            + "SELECT t.token_hash FROM accounts.refresh_tokens t JOIN accounts.sessions s ON s.id = t.session_id"
            + " WHERE t.expires_at < now() OR s.revoked_at IS NOT NULL OR s.created_at < $1"
            + " LIMIT $2 FOR UPDATE OF t SKIP LOCKED)")
        .rxExecute(Tuple.of(now().minus(maxAge), batch))
        .map(RowSet::rowCount);
  }

  static OffsetDateTime now() {
    return OffsetDateTime.now(ZoneOffset.UTC);
  }

  /** The unique constraint a failed insert violated, if that is why it failed. */
  static Optional<String> violatedConstraint(Throwable failure) {
    if (failure instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      return Optional.ofNullable(pg.getConstraint());
    }
    return Optional.empty();
  }

  private static Maybe<User> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Maybe.empty() : Maybe.just(User.of(rows.iterator().next()));
  }

  private static List<User> all(RowSet<Row> rows) {
    List<User> users = new ArrayList<>(rows.size());
    rows.forEach(row -> users.add(User.of(row)));
    return users;
  }
}
