package dev.ocomms.accounts;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sessions: login, refresh-token rotation with reuse detection, logout, and whether a session is still valid. A
 * session is one login on one device; its refresh tokens rotate on every use, and a used one presented again
 * revokes the whole session (it was stolen or replayed).
 */
final class Sessions {
  private final AccountStore store;
  private final Passwords passwords;
  private final LoginThrottle throttle;
  private final Tokens tokens;
  private final Revocations revocations;
  private final Duration maxAge;

  /** {@code maxAge}: a session's absolute lifetime, however often its refresh token rotates. */
  Sessions(AccountStore store, Passwords passwords, LoginThrottle throttle, Tokens tokens, Revocations revocations,
           Duration maxAge) {
    this.maxAge = maxAge;
    this.store = store;
    this.passwords = passwords;
    this.throttle = throttle;
    this.tokens = tokens;
    this.revocations = revocations;
  }

  /**
   * {login (email or username, any case), password, clientIp} → {user, accessToken, refreshToken, expiresIn}. The
   * attempt is reserved with the throttle before the password is checked (see {@link LoginThrottle}).
   */
  Single<JsonObject> login(Input request) {
    String login = request.string("login").trim();
    String password = request.string("password");
    String clientIp = request.string("clientIp");
    return store.findByLogin(login)
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .flatMap(user -> {
          if (user.isPresent() && user.get().isBot()) {
            return Single.error(new OcommsException(Reason.BOT_NOT_ALLOWED,
                "bots cannot log in: they use their token (Authorization: Bearer ocb_...)"));
          }
          // Failures count per account, however the login spells it (username or email, any case).
          String account = user.map(found -> "user:" + found.id()).orElse("login:" + login.toLowerCase(Locale.ROOT));
          return throttle.reserve(account, clientIp)
              .andThen(passwords.matches(password, user.map(AccountStore.User::passwordHash).orElse(null))
                  .onErrorResumeNext(noVerdict -> throttle.release(account, clientIp)
                      .onErrorComplete()
                      .andThen(Single.error(noVerdict))))
              .flatMap(matched -> {
                if (!matched) {
                  return Single.<JsonObject>error(new OcommsException(ErrorCode.UNAUTHORIZED,
                      "wrong login or password"));
                }
                return throttle.succeeded(account, clientIp).andThen(start(user.get()));
              });
        });
  }

  /** A new session of {@code user}: {user (own profile), accessToken, refreshToken, expiresIn}. */
  Single<JsonObject> start(AccountStore.User user) {
    UUID sessionId = Ids.next();
    String refreshToken = Tokens.newRefreshToken();
    OffsetDateTime now = AccountStore.now();
    return store.insertSession(sessionId, user.id(), Tokens.sha256(refreshToken), refreshExpiry(now, now))
        .andThen(Single.fromCallable(() -> tokens.pair(user.id(), sessionId, refreshToken)
            .put("user", user.ownProfile())));
  }

  /** {refreshToken} → {accessToken, refreshToken, expiresIn}; the presented token is used up. */
  Single<JsonObject> refresh(Input request) {
    String presented = request.string("refreshToken");
    byte[] hash = Tokens.sha256(presented);
    String next = Tokens.newRefreshToken();
    AtomicReference<AccountStore.RefreshToken> reused = new AtomicReference<>();
    return store.<JsonObject>transaction(connection -> store.lockRefresh(connection, hash)
            .switchIfEmpty(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "unknown refresh token")))
            .flatMapMaybe(token -> {
              if (token.sessionRevoked()) {
                return Maybe.error(new OcommsException(ErrorCode.UNAUTHORIZED, "session revoked"));
              }
              if (token.used()) {
                reused.set(token);
                return store.revokeSession(connection, token.sessionId(), "refresh_token_reuse")
                    .ignoreElement().andThen(Maybe.<JsonObject>empty());
              }
              OffsetDateTime now = AccountStore.now();
              if (token.expiresAt().isBefore(now)) {
                return Maybe.error(new OcommsException(ErrorCode.UNAUTHORIZED, "refresh token expired"));
              }
              if (!token.sessionCreatedAt().plus(maxAge).isAfter(now)) {
                return Maybe.error(new OcommsException(ErrorCode.UNAUTHORIZED,
                    "session expired; log in again"));
              }
              return store.markRefreshUsed(connection, hash)
                  .flatMap(n -> store.insertRefresh(connection, token.sessionId(), Tokens.sha256(next),
                      refreshExpiry(token.sessionCreatedAt(), now)))
                  .map(n -> tokens.pair(token.userId(), token.sessionId(), next))
                  .toMaybe();
            }))
        // The revocation commits first; only then is the reuse answered as an error.
        .switchIfEmpty(Single.defer(() -> {
          AccountStore.RefreshToken token = reused.get();
          Completable revoke = token == null ? Completable.complete()
              : revocations.revoke(token.sessionId(), token.userId());
          return revoke.andThen(Single.error(new OcommsException(ErrorCode.UNAUTHORIZED,
              "refresh token already used; the session is revoked")));
        }));
  }

  /** A new refresh token's expiry: its own lifetime, but never past its session's end. */
  private OffsetDateTime refreshExpiry(OffsetDateTime sessionCreatedAt, OffsetDateTime now) {
    OffsetDateTime own = now.plus(Tokens.REFRESH_LIFETIME);
    OffsetDateTime sessionEnd = sessionCreatedAt.plus(maxAge);
    return own.isBefore(sessionEnd) ? own : sessionEnd;
  }

  /** Revokes the caller's session: its tokens stop working on every node, its bridge connections close. */
  Single<JsonObject> logout(BusRequest request) {
    UUID sessionId = Ids.parse(request.sessionId())
        .orElseThrow(() -> new OcommsException(ErrorCode.UNAUTHORIZED, "no session on this request"));
    return store.transaction(connection -> store.revokeSession(connection, sessionId, "logout"))
        .ignoreElement()
        .andThen(revocations.revoke(sessionId, request.caller()))
        .toSingleDefault(new JsonObject());
  }

  /** {sessionId} → {revoked}: asked by the gateway for every token whose session it does not know revoked. */
  Single<JsonObject> status(Input request) {
    return revocations.isRevoked(request.id("sessionId"))
        .map(revoked -> new JsonObject().put("revoked", revoked));
  }
}
