package dev.ocomms.testkit;

import dev.ocomms.runtime.FreePorts;
import dev.ocomms.shared.config.ConfigLoader;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.keys.Es256KeyPair;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Configurations for test nodes: the shipped defaults, with free ports and the test JVM's real servers. */
public final class TestConfigs {
  private TestConfigs() {
  }

  /** The bundled {@code conf/ocomms.json}, as a node would start with no overrides. */
  public static OcommsConfig defaults() {
    try (InputStream in = TestConfigs.class.getClassLoader().getResourceAsStream(ConfigLoader.DEFAULT_FILE)) {
      if (in == null) {
        throw new IllegalStateException(ConfigLoader.DEFAULT_FILE + " is not on the class path");
      }
      return OcommsConfig.parse(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)), Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One key pair per test JVM: generating EC keys is cheap, but every node of a cluster must share one. */
  private static final Es256KeyPair KEYS = Es256KeyPair.generate();

  /** One node on free ports, using a new database and Redis database of the shared test servers. */
  public static OcommsConfig node() {
    TestInfra infra = TestInfra.get();
    return defaults()
        .with(Setting.HTTP_HOST, "127.0.0.1")
        .with(Setting.HTTP_PORT, FreePorts.next())
        .with(Setting.OPS_PORT, FreePorts.next())
        .with(Setting.CLUSTER_PORT, FreePorts.next())
        .with(Setting.UPLOADS_PORT, FreePorts.next())
        .with(Setting.BOT_BRIDGE_PORT, FreePorts.next())
        .with(Setting.UPLOADS_DIR, UploadDirectories.next())
        .with(Setting.PG_URL, infra.newPgUrl())
        .with(Setting.REDIS_URL, infra.newRedisUrl())
        .with(Setting.SHUTDOWN_GRACE_SECONDS, 1)
        // Every test registers its accounts from 127.0.0.1; the limit has its own test (accounts' RegistrationTest).
        .with(Setting.REGISTRATIONS_PER_IP_PER_HOUR, 1_000_000)
        .with(Setting.JWT_PRIVATE_KEY, KEYS.privateKey())
        .with(Setting.JWT_PUBLIC_KEY, KEYS.publicKey());
  }
}
