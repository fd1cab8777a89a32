package dev.ocomms.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Set;

/**
 * The ES256 key pair for access tokens when none is configured: generated once and kept under the data directory,
 * so that tokens survive restarts. A cluster of several machines must configure one pair for all nodes instead.
 */
public final class JwtKeys {
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private JwtKeys() {
  }

  /** A PEM pair: the private key (PKCS#8) and the public key (X.509 SubjectPublicKeyInfo). */
  public record Pem(String privateKey, String publicKey) {
  }

  /**
   * Reads the pair from {@code directory}, or generates and stores it there. Blocking. On POSIX file systems the
   * directory is created owner-only (0700) and the private key is written to a file created owner-only (0600), then
   * moved into place: it is never readable by anyone else, not even for a moment, and a pair half-written by a crash
   * is replaced whole.
   */
  public static Pem loadOrCreate(Path directory) throws IOException {
    Path privateFile = directory.resolve("jwt-es256-private.pem");
    Path publicFile = directory.resolve("jwt-es256-public.pem");
    if (Files.exists(privateFile) && Files.exists(publicFile)) {
      return new Pem(Files.readString(privateFile), Files.readString(publicFile));
    }
    Pem pem = generate();
    boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!Files.isDirectory(directory)) {
      Path parent = directory.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      // Windows: rely on the parent directory's permissions.
      Files.createDirectory(directory, posix ? new FileAttribute<?>[] {OWNER_ONLY_DIRECTORY} : new FileAttribute<?>[0]);
    }
    Path partial = Files.createTempFile(directory, ".jwt-es256-private", ".partial",
        posix ? new FileAttribute<?>[] {OWNER_ONLY_FILE} : new FileAttribute<?>[0]);
    try {
      Files.writeString(partial, pem.privateKey(), StandardCharsets.US_ASCII);
      Files.move(partial, privateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
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
