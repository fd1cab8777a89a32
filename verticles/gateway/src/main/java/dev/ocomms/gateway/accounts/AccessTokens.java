package dev.ocomms.gateway.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.keys.Es256KeyPair;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.rxjava3.core.RxHelper;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.auth.jwt.JWTAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Verifies access tokens, which the accounts verticle issues: ES256 JWTs valid for 15 minutes, naming the user
 * ({@code sub}) and the session ({@code sid}). Only ES256 with one of the cluster's public keys verifies:
 * {@code alg: none}, HS256 and other keys are refused. The gateway needs no private key.
 *
 * <p>The keys: the configured public key ({@code OCOMMS_JWT_PUBLIC_KEY}) if there is one; otherwise the ones accounts
 * keeps for the cluster, asked of it ({@code accounts.token.keys}: the gateway never reads accounts' tables), at start,
 * every few minutes and whenever accounts announces a rotation ({@code accounts.token.keys.changed}). A token names
 * its key ({@code kid}); one naming a key not known here makes this instance ask again (at most once a second,
 * the waiting tokens sharing the answer) before it is refused, so that a token signed right after a rotation is
 * accepted everywhere. A token without a kid (issued before keys had ids) is tried with every key.
 *
 * <p>Revocation is the accounts verticle's: a session that this instance has not yet seen revoked is asked of
 * accounts on every use (accounts answers from Redis, where a revocation is written before it is announced), so a
 * logged-out token stops working on every node at once; sessions heard revoked ({@code accounts.session.revoked})
 * or answered revoked are remembered here for the tokens' lifetime and refused without asking. Redis out of reach
 * does not fail a check: signature and expiry need none, and accounts then answers from the revocations it has made
 * or heard.
 */
public final class AccessTokens {
  /** How long accounts' access tokens live. */
  private static final int LIFETIME_SECONDS = 900;
  private static final String ISSUER = "ocomms";
  private static final int SIGNATURES_REMEMBERED = 50_000;
  private static final int REVOCATIONS_REMEMBERED = 200_000;
  private static final long STATUS_TIMEOUT_MS = 5_000;
  private static final long KEYS_TIMEOUT_MS = 5_000;
  /** The keys are asked again this often without an announcement (one missed while accounts was restarting). */
  private static final long KEYS_REFRESH_INTERVAL_MS = Duration.ofMinutes(5).toMillis();
  /** Asking for the keys again because of an unknown kid: at most this often, whatever tokens arrive. */
  private static final long KEYS_MIN_GAP_MS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(AccessTokens.class);
  /** Bots' tokens start so (docs/protocol.md, "Bots"). */
  public static final String BOT_TOKEN_PREFIX = "ocb_";
  /** How long a bot token's lookup is trusted on this node without asking again (revocations end it at once). */
  static final long BOT_TOKEN_CACHE_MS = 30_000;
  private static final int BOT_TOKENS_REMEMBERED = 10_000;

  private final Vertx vertx;
  /** This verticle's event loop, where the keys are replaced and refreshes scheduled. */
  private final Scheduler scheduler;
  /** Whether the keys are accounts' (asked over the bus) rather than configured here. */
  private final boolean keysFromAccounts;
  /** The keys that verify now; replaced whole when they change. Used on this verticle's event loop only. */
  private Verifier verifier;
  /** A refresh of the keys not started yet, which tokens of unknown kids wait for together. */
  private Single<Verifier> nextRefresh;
  private long lastRefreshStartedMillis = Long.MIN_VALUE / 2;
  /**
   * Sessions known revoked: refused without a round trip. Kept as long as a token of theirs can still be valid, and
   * bounded, so that it grows neither with every logout nor with a burst of them (the least used are forgotten first,
   * and accounts answers for them again).
   */
  private final Cache<String, Boolean> revokedHere = Caffeine.newBuilder()
      .maximumSize(REVOCATIONS_REMEMBERED)
      .expireAfterWrite(Duration.ofSeconds(LIFETIME_SECONDS + 60))
      .build();
  /**
   * Tokens whose signature has been checked, by fingerprint. An ES256 verification costs about a millisecond of CPU
   * (most of a node's CPU in a reconnect storm), and a browser presents the same token on every request and every
   * connection, in every tab, for 15 minutes. Expiry and revocation are still checked on every use.
   */
  private final Cache<String, Verified> signatureChecked = Caffeine.newBuilder()
      .maximumSize(SIGNATURES_REMEMBERED)
      .expireAfterWrite(Duration.ofSeconds(LIFETIME_SECONDS))
      .build();

  /** Bots' tokens looked up, by fingerprint: who, until when the answer is trusted here. */
  private final Cache<String, Verified> botTokens = Caffeine.newBuilder()
      .maximumSize(BOT_TOKENS_REMEMBERED)
      .expireAfterWrite(Duration.ofMillis(BOT_TOKEN_CACHE_MS))
      .build();

  public AccessTokens(Vertx vertx, OcommsConfig config) {
    this.vertx = vertx;
    this.scheduler = RxHelper.scheduler(vertx.getOrCreateContext());
    this.keysFromAccounts = config.jwtPublicKey().isEmpty();
    this.verifier = config.jwtPublicKey()
        .map(publicKey -> Verifier.of(vertx, Map.of(Es256KeyPair.kidOf(publicKey), publicKey)))
        .orElseGet(() -> Verifier.of(vertx, Map.of()));
    if (keysFromAccounts) {
      vertx.eventBus().<JsonObject>consumer(Addresses.TOKEN_KEYS_CHANGED, message -> refreshInBackground());
      vertx.setPeriodic(KEYS_REFRESH_INTERVAL_MS, id -> refreshInBackground());
      refreshInBackground();
    }
  }

  /** The caller an {@code Authorization: Bearer <accessToken>} header proves; {@code unauthorized} otherwise. */
  public Single<Caller> callerOf(String authorization) {
    return verifiedOf(authorization).map(Verified::caller);
  }

  /** As {@link #callerOf}, with whether the caller is a bot (some operations are not for bots). */
  public Single<Verified> verifiedOf(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "Authorization: Bearer <accessToken> required"));
    }
    return verify(authorization.substring(7).trim());
  }

  /**
   * The caller a token proves, with its expiry; {@code unauthorized} for anything invalid, expired or revoked. A bot's
   * token ({@code ocb_...}) is verified by {@link #verifyBot}.
   */
  public Single<Verified> verify(String token) {
    if (token == null || token.isBlank() || token.length() > 4096) {
      return Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "missing or malformed access token"));
    }
    if (token.startsWith(BOT_TOKEN_PREFIX)) {
      return verifyBot(token);
    }
    String fingerprint = fingerprint(token);
    Verified known = signatureChecked.getIfPresent(fingerprint);
    Single<Verified> signed = known != null ? Single.just(known) : checkSignature(token)
        .doOnSuccess(verified -> signatureChecked.put(fingerprint, verified));
    return signed.flatMap(verified -> {
      if (System.currentTimeMillis() >= verified.expiresAtMillis()) {
        return Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "access token invalid or expired"));
      }
      return isRevoked(verified.caller().sessionId()).flatMap(revoked -> revoked
          ? Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "session revoked"))
          : Single.just(verified));
    });
  }

  /**
   * A bot's token: opaque, so it is looked up (accounts has its hash: {@code accounts.bots.token.verify}), and the
   * answer is kept here for {@link #BOT_TOKEN_CACHE_MS}, under the token's fingerprint: the lookup (a database query)
   * is made once per node and half-minute, not per request. The token's id is the bot's session: a deletion or
   * rotation revokes it as a logout revokes a session, and it is checked as a session is, on every use
   * ({@link #isRevoked}: known revoked here, or asked of accounts, which answers from Redis, written before the
   * deletion is answered), so a deleted or rotated-away token is refused on every node at once, cached or not. The
   * announcement ({@code accounts.session.revoked}) makes every gateway drop the cached answer and close the bot's
   * bridge connections. A verified bot token is good until its cached answer expires (then looked up again): a bridge
   * connection re-checks its token as often.
   */
  private Single<Verified> verifyBot(String token) {
    String fingerprint = fingerprint(token);
    Verified known = botTokens.getIfPresent(fingerprint);
    Single<Verified> looked = known != null && System.currentTimeMillis() < known.expiresAtMillis()
        ? Single.just(known)
        : Requests.<JsonObject>request(vertx, Addresses.BOTS_TOKEN_VERIFY,
                new JsonObject().put("tokenHash", fingerprint), new DeliveryOptions().setSendTimeout(STATUS_TIMEOUT_MS))
            .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)))
            .map(reply -> {
              JsonObject bot = reply.body();
              Verified verified = new Verified(new Caller(bot.getString("userId"), bot.getString("tokenId")),
                  System.currentTimeMillis() + BOT_TOKEN_CACHE_MS, true);
              if (revokedHere.getIfPresent(verified.caller().sessionId()) == null) {
                botTokens.put(fingerprint, verified);
              }
              return verified;
            });
    return looked.flatMap(verified -> isRevoked(verified.caller().sessionId()).flatMap(revoked -> revoked
        ? Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "bot token revoked"))
        : Single.just(verified)));
  }

  /** The claims of a token whose signature, issuer, audience and expiry hold. */
  private Single<Verified> checkSignature(String token) {
    String kid;
    try {
      kid = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, Math.max(0, token.indexOf('.')))),
          StandardCharsets.UTF_8)).getString("kid");
    } catch (RuntimeException e) {
      return Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "malformed access token"));
    }
    Verifier known = verifier;
    boolean askAgain = keysFromAccounts && (known.kids().isEmpty() || (kid != null && !known.kids().contains(kid)));
    return (askAgain ? refreshed() : Single.just(known)).flatMap(keys -> {
      if (keys.jwt() == null || (kid != null && !keys.kids().contains(kid))) {
        return Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "access token signed with an unknown key"));
      }
      return checkSignature(keys.jwt(), token);
    });
  }

  private Single<Verified> checkSignature(JWTAuth jwt, String token) {
    return jwt.rxAuthenticate(new TokenCredentials(token))
        .onErrorResumeNext(e -> Single.error(new OcommsException(ErrorCode.UNAUTHORIZED,
            "access token invalid or expired")))
        .flatMap(user -> {
          // The verified claims: the principal holds only the raw token ({access_token}).
          JsonObject claims = user.attributes().getJsonObject("accessToken", new JsonObject());
          String userId = claims.getString("sub");
          String sessionId = claims.getString("sid");
          Long expiresAt = claims.getLong("exp");
          if (Ids.parse(userId).isEmpty() || Ids.parse(sessionId).isEmpty() || expiresAt == null) {
            return Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "access token lacks claims"));
          }
          return Single.just(new Verified(new Caller(userId, sessionId), expiresAt * 1000));
        });
  }

  /**
   * A token's SHA-256 (base64), as the caches' key: 32 bytes instead of the token's few hundred. For a bot's token, it
   * is also how accounts finds it (accounts stores only this hash).
   */
  private static String fingerprint(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Called when accounts announces a revocation, or when this gateway's own logout was answered. */
  public void rememberRevoked(String sessionId) {
    revokedHere.put(sessionId, true);
    // A bot's token whose id was revoked: looked up again if presented (and then refused by accounts).
    botTokens.asMap().values().removeIf(verified -> sessionId.equals(verified.caller().sessionId()));
  }

  private Single<Boolean> isRevoked(String sessionId) {
    if (revokedHere.getIfPresent(sessionId) != null) {
      return Single.just(true);
    }
    return Requests.<JsonObject>request(vertx, Addresses.SESSION_STATUS, new JsonObject().put("sessionId", sessionId),
            new DeliveryOptions().setSendTimeout(STATUS_TIMEOUT_MS))
        .map(reply -> reply.body().getBoolean("revoked", true))
        .doOnSuccess(revoked -> {
          if (revoked) {
            revokedHere.put(sessionId, true);
          }
        })
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /** Asks accounts for the keys now, or soon if it was just asked; failures wait for the next occasion. */
  private void refreshInBackground() {
    refreshed().subscribe(keys -> { }, failure -> LOG.debug("access-token keys not refreshed: {}", failure.toString()));
  }

  /**
   * The keys as accounts answers them in a request that starts after this call: at once, or a second after the
   * previous one started; every caller until it starts shares it.
   */
  private Single<Verifier> refreshed() {
    if (nextRefresh != null) {
      return nextRefresh;
    }
    long wait = Math.max(0, lastRefreshStartedMillis + KEYS_MIN_GAP_MS - System.currentTimeMillis());
    AtomicReference<Single<Verifier>> self = new AtomicReference<>();
    Single<Verifier> refresh = Single.timer(wait, TimeUnit.MILLISECONDS, scheduler)
        .flatMap(tick -> {
          if (nextRefresh == self.get()) {
            nextRefresh = null;
          }
          lastRefreshStartedMillis = System.currentTimeMillis();
          return fetchKeys();
        })
        .cache();
    self.set(refresh);
    nextRefresh = refresh;
    return refresh;
  }

  private Single<Verifier> fetchKeys() {
    return Requests.<JsonObject>request(vertx, Addresses.TOKEN_KEYS, new JsonObject(),
            new DeliveryOptions().setSendTimeout(KEYS_TIMEOUT_MS))
        .map(reply -> {
          JsonArray keys = reply.body().getJsonArray("keys", new JsonArray());
          Instant now = Instant.now();
          Map<String, String> usable = keys.stream().map(JsonObject.class::cast)
              .filter(key -> key.getString("notAfter") == null || Instant.parse(key.getString("notAfter")).isAfter(now))
              .collect(Collectors.toMap(key -> key.getString("kid"), key -> key.getString("publicKey"), (a, b) -> a));
          if (!usable.keySet().equals(verifier.kids())) {
            verifier = Verifier.of(vertx, usable);
            LOG.info("access-token keys from accounts: kids={}", usable.keySet());
          }
          return verifier;
        })
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /** The keys that verify tokens, by kid; {@code jwt} null while there are none. */
  private record Verifier(Set<String> kids, JWTAuth jwt) {
    static Verifier of(Vertx vertx, Map<String, String> publicKeys) {
      if (publicKeys.isEmpty()) {
        return new Verifier(Set.of(), null);
      }
      JWTAuthOptions options = new JWTAuthOptions()
          .setJWTOptions(new JWTOptions().setAlgorithm("ES256").setIssuer(ISSUER).setAudience(List.of(ISSUER)));
      publicKeys.forEach((kid, publicKey) ->
          options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(publicKey).setId(kid)));
      return new Verifier(Set.copyOf(publicKeys.keySet()), JWTAuth.create(vertx, options));
    }
  }

  /**
   * A verified token: who, until when (epoch millis; for a bot's token, until its lookup is checked again), and whether
   * the caller is a bot.
   */
  public record Verified(Caller caller, long expiresAtMillis, boolean bot) {
    public Verified(Caller caller, long expiresAtMillis) {
      this(caller, expiresAtMillis, false);
    }
  }
}
