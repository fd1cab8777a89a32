package dev.ocomms.shared.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The operator's master key ({@code OCOMMS_SECRETS_MASTER_KEY}: 32 random bytes, base64), with which secrets the
 * cluster keeps in its database are encrypted at rest (AES-256-GCM). A sealed value is {@code enc:v1:} followed by the
 * base64 of a random 12-byte nonce and the ciphertext with its tag; it is bound to a context (such as the key's id),
 * so that a sealed value copied into another row does not open there.
 */
public final class MasterKey {
  /** What every sealed value starts with. */
  public static final String SEALED_PREFIX = "enc:v1:";
  public static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private MasterKey(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /**
   * The master key from its configured form (base64 of 32 bytes, as {@code openssl rand -base64 32} prints).
   *
   * @throws IllegalArgumentException if it is not that
   */
  public static MasterKey parse(String base64) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64 (make one with: openssl rand -base64 32)");
    }
    if (bytes.length != KEY_BYTES) {
      throw new IllegalArgumentException(bytes.length + " bytes, expected " + KEY_BYTES
          + " (make one with: openssl rand -base64 32)");
    }
    return new MasterKey(bytes);
  }

  public static boolean isSealed(String stored) {
    return stored.startsWith(SEALED_PREFIX);
  }

  /** {@code secret} encrypted for storage, bound to {@code context}. */
  public String seal(String secret, String context) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, context);
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
      return SEALED_PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is in every JVM", e);
    }
  }

  /**
   * The secret a value sealed with this key and {@code context} holds.
   *
   * @throws IllegalArgumentException if it was not sealed so (another master key, another context, altered)
   */
  public String open(String stored, String context) {
    if (!isSealed(stored)) {
      throw new IllegalArgumentException("not a sealed value");
    }
    try {
      byte[] in = Base64.getDecoder().decode(stored.substring(SEALED_PREFIX.length()));
      if (in.length <= NONCE_BYTES) {
        throw new IllegalArgumentException("sealed value too short");
      }
      byte[] nonce = new byte[NONCE_BYTES];
      System.arraycopy(in, 0, nonce, 0, NONCE_BYTES);
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, nonce, context);
      return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot open a sealed value: another master key, or altered");
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String context) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "MasterKey[****]";
  }
}
