package dev.ocomms.gateway.accounts;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Accounts: registration, login, token refresh with rotation and reuse detection, logout, profiles. Every public
 * method returns what the REST layer sends, or fails with an {@link OcommsException}.
 */
public final class AccountService {
  static final Duration REFRESH_LIFETIME = Duration.ofDays(7);
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,31}");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final int MIN_PASSWORD = 10;
  private static final int MAX_PASSWORD = 128;
  /** As short as the shortest username: shorter email names are not looked for in passwords. */
  private static final int MIN_NAME_IN_PASSWORD = 3;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final AccountStore store;
  private final Passwords passwords;
  private final AccessTokens tokens;
  private final LoginThrottle throttle;

  public AccountService(Vertx vertx, Pool pg, Redis redis, AccessTokens tokens) {
    this.vertx = vertx;
    this.store = new AccountStore(pg);
    this.passwords = new Passwords(vertx);
    this.tokens = tokens;
    this.throttle = new LoginThrottle(redis);
  }

  public Single<JsonObject> register(JsonObject request) {
    String email = request.getString("email", "").trim();
    String username = request.getString("username", "").trim();
    String displayName = request.getString("displayName", "").trim();
    String password = request.getString("password", "");
    if (!EMAIL.matcher(email).matches() || email.length() > 254) {
      return invalid("email: not an email address");
    }
    if (!USERNAME.matcher(username).matches()) {
      return invalid("username: 3 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (displayName.isEmpty() || displayName.length() > 64) {
      return invalid("displayName: 1 to 64 characters");
    }
    String passwordProblem = passwordProblem(password, username, email);
    if (passwordProblem != null) {
      return invalid("password: " + passwordProblem);
    }
    UUID userId = Ids.next();
    return passwords.hash(password)
        .flatMap(hash -> store.insertUser(userId, email, username, displayName, hash))
        .onErrorResumeNext(failure -> Single.error(AccountStore.constraintOf(failure)
            .<Throwable>map(constraint -> new OcommsException(ErrorCode.CONFLICT, constraint.contains("email")
                ? "email: already registered" : "username: already taken"))
            .orElse(failure)))
        .flatMap(user -> startSession(user).map(session -> session.put("user", ownProfile(user))));
  }

  public Single<JsonObject> login(JsonObject request, String clientIp) {
    String login = request.getString("login", "").trim();
    String password = request.getString("password", "");
    return store.findByLogin(login)
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .flatMap(user -> {
          // Failures count per account, however the login spells it (username or email, any case).
          String account = user.map(found -> "user:" + found.id()).orElse("login:" + login.toLowerCase(Locale.ROOT));
          return throttle.check(account, clientIp)
              .andThen(passwords.matches(password, user.map(AccountStore.UserRecord::passwordHash).orElse(null)))
              .flatMap(matched -> {
                if (!matched) {
                  return throttle.recordFailure(account, clientIp).andThen(Single.<JsonObject>error(
                      new OcommsException(ErrorCode.UNAUTHORIZED, "wrong login or password")));
                }
                AccountStore.UserRecord found = user.get();
                return throttle.recordSuccess(account).andThen(startSession(found))
                    .map(session -> session.put("user", ownProfile(found)));
              });
        });
  }

  /** Rotates a refresh token. A token presented twice revokes its whole session (it was stolen or replayed). */
  public Single<JsonObject> refresh(JsonObject request) {
    String presented = request.getString("refreshToken", "");
    byte[] hash = sha256(presented);
    String next = newRefreshToken();
    AtomicReference<AccountStore.RefreshRecord> reused = new AtomicReference<>();
    return store.pool().rxWithTransaction(connection -> store.lockRefresh(connection, hash)
            .switchIfEmpty(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "unknown refresh token")))
            .flatMapMaybe(record -> {
              if (record.sessionRevoked()) {
                return Maybe.error(new OcommsException(ErrorCode.UNAUTHORIZED, "session revoked"));
              }
              if (record.used()) {
                reused.set(record);
                return store.revokeSession(connection, record.sessionId(), "refresh_token_reuse")
                    .ignoreElement().andThen(Maybe.<JsonObject>empty());
              }
              if (record.expiresAt().isBefore(AccountStore.now())) {
                return Maybe.error(new OcommsException(ErrorCode.UNAUTHORIZED, "refresh token expired"));
              }
              return store.markRefreshUsed(connection, hash)
                  .flatMap(n -> store.insertRefresh(connection, record.sessionId(), sha256(next),
                      AccountStore.now().plus(REFRESH_LIFETIME)))
                  .map(n -> tokenPair(record.userId().toString(), record.sessionId().toString(), next))
                  .toMaybe();
            }))
        // The revocation commits first; only then is the reuse answered as an error.
        .switchIfEmpty(Single.defer(() -> {
          AccountStore.RefreshRecord record = reused.get();
          Completable revoke = record == null ? Completable.complete()
              : announceRevoked(record.sessionId().toString(), record.userId().toString());
          return revoke.andThen(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED,
              "refresh token already used; the session is revoked")));
        }));
  }

  public Completable logout(Caller caller) {
    UUID sessionId = UUID.fromString(caller.sessionId());
    return store.pool().rxWithTransaction(connection -> store.revokeSession(connection, sessionId, "logout"))
        .ignoreElement()
        .andThen(announceRevoked(caller.sessionId(), caller.userId()));
  }

  public Single<JsonObject> me(Caller caller) {
    return store.findById(UUID.fromString(caller.userId()))
        .switchIfEmpty(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "account no longer exists")))
        .map(user -> new JsonObject().put("user", ownProfile(user)));
  }

  public Single<JsonObject> updateMe(Caller caller, JsonObject request) {
    String displayName = request.getString("displayName", "").trim();
    if (displayName.isEmpty() || displayName.length() > 64) {
      return invalid("displayName: 1 to 64 characters");
    }
    return store.updateDisplayName(UUID.fromString(caller.userId()), displayName)
        .switchIfEmpty(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "account no longer exists")))
        .map(user -> new JsonObject().put("user", ownProfile(user)));
  }

  public Single<JsonObject> profile(String userId) {
    return Maybe.fromOptional(Ids.parse(userId))
        .flatMap(store::findById)
        .switchIfEmpty(Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such user")))
        .map(user -> new JsonObject().put("user", publicProfile(user)));
  }

  /** Public profiles of these users, in no particular order; unknown ids are left out. */
  public Single<JsonArray> profiles(List<String> userIds) {
    List<UUID> ids = userIds.stream().map(Ids::parse).flatMap(Optional::stream).distinct().toList();
    if (ids.isEmpty()) {
      return Single.just(new JsonArray());
    }
    return store.findByIds(ids).map(users -> new JsonArray(users.stream().map(AccountService::publicProfile).toList()));
  }

  /** Users by username, case-insensitively (for mentions); unknown names are left out. */
  public Single<JsonArray> byUsernames(List<String> usernames) {
    List<String> names = usernames.stream().filter(name -> name != null && name.length() <= 32).distinct()
        .limit(100).toList();
    if (names.isEmpty()) {
      return Single.just(new JsonArray());
    }
    return store.findByUsernames(names)
        .map(users -> new JsonArray(users.stream().map(AccountService::publicProfile).toList()));
  }

  private Single<JsonObject> startSession(AccountStore.UserRecord user) {
    UUID sessionId = Ids.next();
    String refreshToken = newRefreshToken();
    return store.insertSession(sessionId, user.id(), sha256(refreshToken), AccountStore.now().plus(REFRESH_LIFETIME))
        .andThen(Single.fromCallable(() -> tokenPair(user.id().toString(), sessionId.toString(), refreshToken)));
  }

  private JsonObject tokenPair(String userId, String sessionId, String refreshToken) {
    return new JsonObject()
        .put("accessToken", tokens.issue(userId, sessionId))
        .put("refreshToken", refreshToken)
        .put("expiresIn", AccessTokens.LIFETIME_SECONDS);
  }

  private Completable announceRevoked(String sessionId, String userId) {
    return tokens.markRevoked(sessionId)
        .doOnComplete(() -> vertx.eventBus().publish(Addresses.SESSION_REVOKED,
            new JsonObject().put("sessionId", sessionId).put("userId", userId)));
  }

  static JsonObject publicProfile(AccountStore.UserRecord user) {
    return new JsonObject().put("id", user.id().toString()).put("username", user.username())
        .put("displayName", user.displayName())
        .put("createdAt", user.createdAt().format(DateTimeFormatter.ISO_INSTANT));
  }

  private static JsonObject ownProfile(AccountStore.UserRecord user) {
    return publicProfile(user).put("email", user.email());
  }

  private static String passwordProblem(String password, String username, String email) {
    if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      return MIN_PASSWORD + " to " + MAX_PASSWORD + " characters";
    }
    String lower = password.toLowerCase(Locale.ROOT);
    String emailName = email.toLowerCase(Locale.ROOT).substring(0, email.indexOf('@'));
    // A name as short as "a" (a@example.org) would forbid every password with that letter: it says nothing.
    if (lower.contains(username.toLowerCase(Locale.ROOT))
        || emailName.length() >= MIN_NAME_IN_PASSWORD && lower.contains(emailName)) {
      return "must not contain the username or the email's name";
    }
    if (password.chars().distinct().count() < 4) {
      return "too repetitive";
    }
    return null;
  }

  private static <T> Single<T> invalid(String detail) {
    return Single.error(new OcommsException(ErrorCode.VALIDATION_FAILED, detail));
  }

  private static String newRefreshToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
