package dev.ocomms.runtime;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

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
  @DisplayName("keep the private key readable by its owner only")
  void privateKeyOwnerOnly(@TempDir Path dataDir) throws Exception {
    JwtKeys.loadOrCreate(dataDir);

    assertThat(PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dataDir.resolve("jwt-es256-private.pem")))).isEqualTo("rw-------");
  }
}
