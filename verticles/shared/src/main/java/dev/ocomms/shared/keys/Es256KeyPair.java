package dev.ocomms.shared.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * An ES256 (EC P-256) key pair in PEM, as access tokens are signed and verified with: the private key in PKCS#8, the
 * public key as an X.509 SubjectPublicKeyInfo. Its key id ({@code kid}, in every token's header) is derived from the
 * public key, so that the same key has the same id wherever it is configured, stored or imported.
 */
public record Es256KeyPair(String privateKey, String publicKey) {

  /** A new random pair. */
  public static Es256KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      return new Es256KeyPair(pem("PRIVATE KEY", pair.getPrivate().getEncoded()),
          pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC key pair", e);
    }
  }

  /** This pair's key id: {@link #kidOf} its public key. */
  public String kid() {
    return kidOf(publicKey);
  }

  /**
   * The key id of a PEM public key: the first 16 bytes of the SHA-256 of its DER encoding, base64url (22 characters).
   * Whitespace and line breaks in the PEM do not change it.
   */
  public static String kidOf(String publicKeyPem) {
    String body = publicKeyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(body));
      byte[] id = new byte[16];
      System.arraycopy(digest, 0, id, 0, id.length);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a PEM public key", e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  /** Never prints the private key. */
  @Override
  public String toString() {
    return "Es256KeyPair[kid=" + kid() + "]";
  }
}
