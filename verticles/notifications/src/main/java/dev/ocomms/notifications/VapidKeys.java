package dev.ocomms.notifications;

import dev.ocomms.shared.config.ConfigException;
import dev.ocomms.shared.config.OcommsConfig;
import io.reactivex.rxjava3.core.Single;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import io.vertx.rxjava3.sqlclient.Tuple;
import nl.martijndwars.webpush.Utils;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.interfaces.ECPrivateKey;
import org.bouncycastle.jce.interfaces.ECPublicKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.util.BigIntegers;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Base64;

/**
 * The VAPID key pair (RFC 8292) every push is signed with, the same on every node: the configured one
 * ({@code OCOMMS_VAPID_PUBLIC_KEY} / {@code OCOMMS_VAPID_PRIVATE_KEY}) when given, else the one kept in
 * {@code notifications.vapid_keys}. The first node to start generates a pair and inserts it if no row is there yet;
 * nodes starting at the same time each try, one row wins, and all read that one.
 *
 * @param publicKey base64url (no padding) of the uncompressed P-256 point: what browsers subscribe with
 */
record VapidKeys(String publicKey, KeyPair keyPair) {
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
  private static final String CURVE = "prime256v1";

  /**
   * The configured pair, or the stored one (made on the first start). Key work (and loading BouncyCastle) runs off
   * the event loop.
   */
  static Single<VapidKeys> load(Vertx vertx, Pool pg, OcommsConfig config) {
    if (config.vapidPublicKey().isPresent()) {
      String publicKey = config.vapidPublicKey().get();
      String privateKey = config.vapidPrivateKey().orElseThrow();
      return vertx.rxExecuteBlocking(() -> parse(publicKey, privateKey), false).toSingle();
    }
    return vertx.rxExecuteBlocking(VapidKeys::generate, false).toSingle()
        .flatMap(candidate -> pg.preparedQuery("""
                INSERT INTO notifications.vapid_keys (public_key, private_key) VALUES ($1, $2)
                ON CONFLICT (only_row) DO NOTHING""")
            .rxExecute(Tuple.of(candidate[0], candidate[1])))
        .flatMap(inserted -> pg.query("SELECT public_key, private_key FROM notifications.vapid_keys").rxExecute())
        .flatMap(rows -> {
          Row row = rows.iterator().next();
          String publicKey = row.getString("public_key");
          String privateKey = row.getString("private_key");
          return vertx.rxExecuteBlocking(() -> parse(publicKey, privateKey), false).toSingle();
        });
  }

  /** A new pair, as {public, private} in base64url. */
  static String[] generate() throws GeneralSecurityException {
    BouncyCastle.register();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("ECDH", BouncyCastleProvider.PROVIDER_NAME);
    generator.initialize(ECNamedCurveTable.getParameterSpec(CURVE), new SecureRandom());
    KeyPair pair = generator.generateKeyPair();
    byte[] publicKey = Utils.encode((ECPublicKey) pair.getPublic());
    byte[] privateKey = BigIntegers.asUnsignedByteArray(32, ((ECPrivateKey) pair.getPrivate()).getD());
    return new String[] {BASE64URL.encodeToString(publicKey), BASE64URL.encodeToString(privateKey)};
  }

  /** A pair from its base64url form; a configuration error when the keys are malformed or do not match. */
  static VapidKeys parse(String publicKey, String privateKey) {
    BouncyCastle.register();
    byte[] publicBytes;
    byte[] privateBytes;
    try {
      publicBytes = Base64.getUrlDecoder().decode(strip(publicKey));
      privateBytes = Base64.getUrlDecoder().decode(strip(privateKey));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("the VAPID keys must be base64url");
    }
    if (publicBytes.length != 65 || publicBytes[0] != 4 || privateBytes.length != 32) {
      throw new ConfigException("the VAPID public key must be an uncompressed P-256 point (65 bytes) and the private"
          + " key a 32-byte scalar, both base64url");
    }
    try {
      KeyPair pair = new KeyPair(Utils.loadPublicKey(publicBytes), Utils.loadPrivateKey(privateBytes));
      if (!Utils.verifyKeyPair(pair.getPrivate(), pair.getPublic())) {
        throw new ConfigException("the VAPID public and private keys do not belong together");
      }
      return new VapidKeys(BASE64URL.encodeToString(publicBytes), pair);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ConfigException("the VAPID public key is not a point of P-256");
    } finally {
      Arrays.fill(privateBytes, (byte) 0);
    }
  }

  private static String strip(String key) {
    return key.trim().replace("=", "");
  }

  @Override
  public String toString() {
    return "VapidKeys[publicKey=" + publicKey + "]";
  }

  /** BouncyCastle as a JCA provider, which the Web Push library asks for by name ({@code BC}). */
  static final class BouncyCastle {
    private BouncyCastle() {
    }

    static synchronized void register() {
      if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
        Security.addProvider(new BouncyCastleProvider());
      }
    }
  }
}
