package dev.ocomms.system.accounts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.auth.jwt.JWTAuth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Tokens an attacker could make, for the tests that show each one is refused (on REST and on the bridge). */
public final class ForgedTokens {
  private ForgedTokens() {
  }

  /** Claims as the gateway issues them, for this user, valid for the next 15 minutes. */
  public static JsonObject claims(String userId) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", userId).put("sid", UUID.randomUUID().toString())
        .put("iss", "ocomms").put("aud", new JsonArray().add("ocomms")).put("iat", now).put("exp", now + 900);
  }

  /** Signs claims as they are (no timestamps added) with ES256 and the given private key. */
  public static String signEs256(Vertx vertx, String privateKeyPem, JsonObject claims) {
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(privateKeyPem)));
    return signer.generateToken(claims, new JWTOptions().setAlgorithm("ES256").setNoTimestamp(true));
  }

  /** An unsigned token: {@code alg: none}. */
  public static String algNone(JsonObject claims) {
    return base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + base64Url(claims.encode()) + ".";
  }

  /** The classic key-confusion attack: HS256 with the server's public key PEM as the HMAC secret. */
  public static String hs256WithKeyAsSecret(JsonObject claims, String publicKeyPem) {
    String signingInput = base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + base64Url(claims.encode());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(publicKeyPem.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return signingInput + "." + base64Url(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String base64Url(String text) {
    return base64Url(text.getBytes(StandardCharsets.UTF_8));
  }

  static String base64Url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The claims of a JWT, read without verifying it (as anyone holding the token can). */
  static JsonObject claimsOf(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
        StandardCharsets.UTF_8));
  }
}
