package dev.ocomms.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * The ES256 key pair for access tokens when none is configured: generated once and kept under the data directory,
 * so that tokens survive restarts. A cluster of several machines must configure one pair for all nodes instead.
 */
public final class JwtKeys {
  private JwtKeys() {
  }

  /** A PEM pair: the private key (PKCS#8) and the public key (X.509 SubjectPublicKeyInfo). */
  public record Pem(String privateKey, String publicKey) {
  }

  /** Reads the pair from {@code directory}, or generates and stores it there (owner-only permissions). Blocking. */
  public static Pem loadOrCreate(Path directory) throws IOException {
    Path privateFile = directory.resolve("jwt-es256-private.pem");
    Path publicFile = directory.resolve("jwt-es256-public.pem");
    if (Files.exists(privateFile) && Files.exists(publicFile)) {
      return new Pem(Files.readString(privateFile), Files.readString(publicFile));
    }
    Pem pem = generate();
    Files.createDirectories(directory);
    Files.writeString(privateFile, pem.privateKey(), StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: rely on the directory's permissions.
    }
    Files.writeString(publicFile, pem.publicKey(), StandardCharsets.US_ASCII);
    return pem;
  }

  public static Pem generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      return new Pem(pem("PRIVATE KEY", pair.getPrivate().getEncoded()), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC key pair", e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
