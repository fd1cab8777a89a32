package dev.ocomms.accounts;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Issues a session's tokens. Access tokens are ES256 JWTs valid for 15 minutes, naming the user ({@code sub}) and the
 * session ({@code sid}), signed with the cluster's current key ({@link TokenKeys}) whose id their header carries
 * ({@code kid}); the gateway verifies them with the public keys ({@code gateway/accounts/AccessTokens}), so the
 * issuer, audience and lifetime here are the ones it accepts. Refresh tokens are opaque random strings valid for
 * 7 days; only their SHA-256 is stored.
 */
final class Tokens {
  static final int ACCESS_LIFETIME_SECONDS = 900;
  static final Duration REFRESH_LIFETIME = Duration.ofDays(7);
  private static final String ISSUER = "ocomms";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final TokenKeys keys;

  Tokens(TokenKeys keys) {
    this.keys = keys;
  }

  /** A signed access token for this user's session. */
  String access(UUID userId, UUID sessionId) {
    return keys.signer().generateToken(new JsonObject().put("sub", userId.toString()).put("sid", sessionId.toString()),
        new JWTOptions().setAlgorithm("ES256").setIssuer(ISSUER).setAudience(List.of(ISSUER))
            .setExpiresInSeconds(ACCESS_LIFETIME_SECONDS));
  }

  /** What login, registration and refresh answer: {accessToken, refreshToken, expiresIn}. */
  JsonObject pair(UUID userId, UUID sessionId, String refreshToken) {
    return new JsonObject()
        .put("accessToken", access(userId, sessionId))
        .put("refreshToken", refreshToken)
        .put("expiresIn", ACCESS_LIFETIME_SECONDS);
  }

  static String newRefreshToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** How a refresh token is stored and looked up. */
  static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
