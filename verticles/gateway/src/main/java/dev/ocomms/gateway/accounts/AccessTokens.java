package dev.ocomms.gateway.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.auth.jwt.JWTAuth;
import io.vertx.rxjava3.redis.client.Redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Access tokens: ES256 JWTs valid for 15 minutes, naming the user ({@code sub}) and the session ({@code sid}).
 * Only ES256 with the configured key verifies: {@code alg: none}, HS256 and other keys are refused. A revoked session
 * is remembered in Redis for the tokens' lifetime, so a logged-out token stops working on every node.
 */
public final class AccessTokens {
  public static final int LIFETIME_SECONDS = 900;
  private static final String ISSUER = "ocomms";
  private static final String REVOKED_KEY = "ocomms:session:revoked:";
  private static final int SIGNATURES_REMEMBERED = 50_000;

  private final JWTAuth jwt;
  private final Redis redis;
  /**
   * Sessions this node has seen revoked: answers without a Redis round trip. Kept as long as a token of theirs can
   * still be valid, as in Redis, so that it does not grow with every logout.
   */
  private final Cache<String, Boolean> revokedHere = Caffeine.newBuilder()
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

  public AccessTokens(Vertx vertx, OcommsConfig config, Redis redis) {
    this.redis = redis;
    JWTOptions options = new JWTOptions().setAlgorithm("ES256").setIssuer(ISSUER).setAudience(List.of(ISSUER))
        .setExpiresInSeconds(LIFETIME_SECONDS);
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(config.jwtPrivateKey().orElseThrow()))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(config.jwtPublicKey().orElseThrow()))
        .setJWTOptions(options));
  }

  public String issue(String userId, String sessionId) {
    return jwt.generateToken(new JsonObject().put("sub", userId).put("sid", sessionId),
        new JWTOptions().setAlgorithm("ES256").setIssuer(ISSUER).setAudience(List.of(ISSUER))
            .setExpiresInSeconds(LIFETIME_SECONDS));
  }

  /** The caller a token proves, with its expiry; {@code unauthorized} for anything invalid, expired or revoked. */
  public Single<Verified> verify(String token) {
    if (token == null || token.isBlank() || token.length() > 4096) {
      return Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "missing or malformed access token"));
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

  /** The claims of a token whose signature, issuer, audience and expiry hold. */
  private Single<Verified> checkSignature(String token) {
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

  /** A token's SHA-256, as the cache's key: 32 bytes instead of the token's few hundred. */
  private static String fingerprint(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  Completable markRevoked(String sessionId) {
    revokedHere.put(sessionId, true);
    return redis.rxSend(Request.cmd(Command.SET).arg(REVOKED_KEY + sessionId).arg("1").arg("EX")
            .arg(LIFETIME_SECONDS + 60))
        .ignoreElement();
  }

  /** Called when another node announces a revocation. */
  public void rememberRevoked(String sessionId) {
    revokedHere.put(sessionId, true);
  }

  private Single<Boolean> isRevoked(String sessionId) {
    if (revokedHere.getIfPresent(sessionId) != null) {
      return Single.just(true);
    }
    return redis.rxSend(Request.cmd(Command.EXISTS).arg(REVOKED_KEY + sessionId))
        .map(reply -> reply.toInteger() > 0)
        .defaultIfEmpty(false);
  }

  /** A verified token: who, and until when (epoch millis). */
  public record Verified(Caller caller, long expiresAtMillis) {
  }
}
