package dev.ocomms.system.bots;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.runtime.ClusterTls;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.TcpBridgeClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The TCP bridge with {@code OCOMMS_BOT_BRIDGE_TLS_CERT} and {@code _KEY} set speaks TLS. */
@DisplayName("The event bus over TCP, with TLS")
class TcpBridgeTlsTest {
  private static TestSystem system;
  private static ClusterTls.Material certificate;

  @BeforeAll
  static void start() throws IOException {
    certificate = ClusterTls.issue(ClusterTls.newCa(), "127.0.0.1");
    Path dir = Files.createTempDirectory("bot-bridge-tls");
    Path cert = Files.writeString(dir.resolve("cert.pem"), certificate.certificate());
    Path key = Files.writeString(dir.resolve("key.pem"), certificate.privateKey());
    system = TestSystem.builder().configure(config -> config
            .with(Setting.BOT_BRIDGE_TLS_CERT, cert.toString()).with(Setting.BOT_BRIDGE_TLS_KEY, key.toString()))
        .deploy(AccountsVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  @Test
  @DisplayName("a client that trusts the certificate speaks the bridge over TLS")
  void overTls() {
    Account alice = system.register("Alice");
    TcpBridgeClient tcp = TcpBridgeClient.connect(system.clientVertx(), system.botBridgePort(0),
        new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("")
            .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(certificate.ca()))));
    try {
      JsonObject me = tcp.call(Addresses.USERS_ME_BRIDGE, new JsonObject(), alice.token());
      assertThat(me.getJsonObject("user").getString("id")).isEqualTo(alice.id());
    } finally {
      tcp.close();
    }
  }
}
