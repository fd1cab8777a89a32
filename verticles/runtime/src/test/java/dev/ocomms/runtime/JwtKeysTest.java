package dev.ocomms.runtime;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Access-token keys kept under the data directory")
class JwtKeysTest {

  @Test
  @DisplayName("are generated on the first start and read back unchanged on the next, so tokens survive a restart")
  void keptAcrossRestarts(@TempDir Path dataDir) throws Exception {
    JwtKeys.Pem first = JwtKeys.loadOrCreate(dataDir.resolve("keys"));
    JwtKeys.Pem second = JwtKeys.loadOrCreate(dataDir.resolve("keys"));

    assertThat(first.privateKey()).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(first.publicKey()).startsWith("-----BEGIN PUBLIC KEY-----");
    assertThat(second).isEqualTo(first);
  }

  @Test
  @DisplayName("keep the private key readable by its owner only, in a directory only its owner can enter")
  void privateKeyOwnerOnly(@TempDir Path dataDir) throws Exception {
    Path keys = dataDir.resolve("keys");
    JwtKeys.loadOrCreate(keys);

    assertThat(mode(keys)).isEqualTo("rwx------");
    assertThat(mode(keys.resolve("jwt-es256-private.pem"))).isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(keys)) {
      assertThat(files.map(file -> file.getFileName().toString()))
          .containsExactlyInAnyOrder("jwt-es256-private.pem", "jwt-es256-public.pem");
    }
  }

  @Test
  @DisplayName("replace a pair half-written by a crash (a readable private key, no public key) with a new pair")
  void halfWrittenPairReplaced(@TempDir Path dataDir) throws Exception {
    Path privateFile = dataDir.resolve("jwt-es256-private.pem");
    Files.writeString(privateFile, "-----BEGIN PRIVATE KEY-----\ntruncated");
    Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-r--r--"));

    JwtKeys.Pem pem = JwtKeys.loadOrCreate(dataDir);

    assertThat(Files.readString(privateFile)).isEqualTo(pem.privateKey()).endsWith("-----END PRIVATE KEY-----\n");
    assertThat(mode(privateFile)).isEqualTo("rw-------");
    assertThat(JwtKeys.loadOrCreate(dataDir)).isEqualTo(pem);
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
