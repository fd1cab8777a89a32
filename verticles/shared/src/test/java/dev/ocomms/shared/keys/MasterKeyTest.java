package dev.ocomms.shared.keys;

import dev.ocomms.shared.config.ConfigException;
import dev.ocomms.shared.config.OcommsConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The master key for secrets kept in the database")
class MasterKeyTest {
  private static String randomKey() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Test
  @DisplayName("a sealed secret opens with the same key and context, and shows nothing of the secret")
  void roundTrip() {
    MasterKey key = MasterKey.parse(randomKey());
    String secret = Es256KeyPair.generate().privateKey();

    String sealed = key.seal(secret, "accounts.token_keys:abc");

    assertThat(sealed).startsWith(MasterKey.SEALED_PREFIX).doesNotContain("PRIVATE KEY");
    assertThat(key.open(sealed, "accounts.token_keys:abc")).isEqualTo(secret);
    assertThat(key.seal(secret, "accounts.token_keys:abc")).as("a new nonce each time").isNotEqualTo(sealed);
  }

  @Test
  @DisplayName("a sealed secret does not open with another key or in another context")
  void boundToKeyAndContext() {
    MasterKey key = MasterKey.parse(randomKey());
    String sealed = key.seal("secret", "accounts.token_keys:abc");

    assertThatThrownBy(() -> MasterKey.parse(randomKey()).open(sealed, "accounts.token_keys:abc"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> key.open(sealed, "accounts.token_keys:other"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a configured master key that is not 32 bytes of base64 stops the start, naming the setting")
  void invalidSetting() {
    assertThatThrownBy(() -> OcommsConfig.parse(new JsonObject(), Map.of("OCOMMS_SECRETS_MASTER_KEY", "too-short")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OCOMMS_SECRETS_MASTER_KEY")
        .hasMessageContaining("openssl rand -base64 32");
  }

  @Test
  @DisplayName("a key's id depends on the public key alone, not on how its PEM is wrapped")
  void kidOfPublicKey() {
    Es256KeyPair pair = Es256KeyPair.generate();
    String unwrapped = pair.publicKey().replace("\n", "")
        .replace("-----BEGIN PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\n")
        .replace("-----END PUBLIC KEY-----", "\n-----END PUBLIC KEY-----\n");

    assertThat(Es256KeyPair.kidOf(unwrapped)).isEqualTo(pair.kid()).hasSize(22);
    assertThat(Es256KeyPair.generate().kid()).isNotEqualTo(pair.kid());
  }
}
