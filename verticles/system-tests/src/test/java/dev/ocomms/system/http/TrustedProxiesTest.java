package dev.ocomms.system.http;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Blocking;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.Transport;
import dev.ocomms.testkit.bridge.WebSocketBridgeClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.ocomms.system.HttpProblems.assertProblem;
import static dev.ocomms.testkit.TestSystem.newRegistration;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-address limits behind a proxy ({@code OCOMMS_TRUSTED_PROXIES}). Test clients connect from 127.0.0.1: on one
 * system that address is the trusted proxy, so the forwarding headers name the clients; on the other only 10.0.0.0/8
 * is trusted, so 127.0.0.1 is a client like any other and what it writes in those headers counts for nothing.
 */
@DisplayName("Client addresses behind trusted proxies")
class TrustedProxiesTest {
  private static final int REGISTRATIONS_PER_ADDRESS = 2;
  private static final int CONNECTIONS_PER_ADDRESS_PER_SECOND = 2;
  /** Upgrades tried one after another: far more than an address's allowance refills while they are made. */
  private static final int ATTEMPTS = 30;
  private static TestSystem behindProxy;
  private static TestSystem direct;

  @BeforeAll
  static void start() {
    behindProxy = system("127.0.0.1/32");
    direct = system("10.0.0.0/8");
  }

  private static TestSystem system(String trustedProxies) {
    return TestSystem.builder()
        .configure(config -> config
            .with(Setting.TRUSTED_PROXIES, trustedProxies)
            .with(Setting.REGISTRATIONS_PER_IP_PER_HOUR, REGISTRATIONS_PER_ADDRESS)
            .with(Setting.BRIDGE_CONNECTIONS_PER_IP_PER_SECOND, CONNECTIONS_PER_ADDRESS_PER_SECOND)
            .with(Setting.BRIDGE_CONNECTIONS_PER_SECOND, 1000))
        .deploy(AccountsVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    if (behindProxy != null) {
      behindProxy.close();
    }
    if (direct != null) {
      direct.close();
    }
  }

  /** A fresh address in 198.18.0.0/15 (for tests); each test uses its own, so that they share no allowance. */
  private static String freshAddress() {
    int random = UUID.randomUUID().hashCode() & 0x1ffff;
    return "198." + (18 + (random >> 16)) + "." + ((random >> 8) & 0xff) + "." + (random & 0xff);
  }

  private static HttpResponse<Buffer> register(TestSystem system, String header, String value) {
    return system.request(HttpMethod.POST, TestSystem.API + "/auth/register").putHeader(header, value)
        .rxSendJsonObject(newRegistration()).timeout(TestSystem.WAIT.toMillis(), TimeUnit.MILLISECONDS)
        .blockingGet();
  }

  /** A raw WebSocket upgrade to the bridge carrying {@code header}: 101, or the status it was refused with. */
  private static int upgrade(TestSystem system, String header, String value) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(system.port(0))
        .setURI(WebSocketBridgeClient.uri(Transport.RAW_WEBSOCKET)).addHeader(header, value);
    try {
      Blocking.get(system.webSockets().connect(options).compose(ws -> ws.close().map(101)), Duration.ofSeconds(5));
      return 101;
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    }
  }

  @Test
  @DisplayName("two clients behind one trusted proxy have a registration allowance each (X-Forwarded-For)")
  void registrationsPerClientBehindProxy() {
    String first = freshAddress();
    String second = freshAddress();
    for (int i = 0; i < REGISTRATIONS_PER_ADDRESS; i++) {
      assertThat(register(behindProxy, "X-Forwarded-For", first).statusCode()).isEqualTo(201);
    }
    assertProblem(register(behindProxy, "X-Forwarded-For", first), 429, "rate_limited");

    assertThat(register(behindProxy, "X-Forwarded-For", second).statusCode()).isEqualTo(201);
  }

  @Test
  @DisplayName("two clients behind one trusted proxy have a registration allowance each (Forwarded)")
  void registrationsPerClientBehindProxyForwarded() {
    String first = freshAddress();
    for (int i = 0; i < REGISTRATIONS_PER_ADDRESS; i++) {
      assertThat(register(behindProxy, "Forwarded", "for=" + first + ";proto=https").statusCode()).isEqualTo(201);
    }
    assertProblem(register(behindProxy, "Forwarded", "for=" + first), 429, "rate_limited");

    assertThat(register(behindProxy, "Forwarded", "for=\"" + freshAddress() + ":4711\"").statusCode())
        .isEqualTo(201);
  }

  @Test
  @DisplayName("a client that is no trusted proxy escapes no registration limit by naming fresh addresses in "
      + "X-Forwarded-For or Forwarded")
  void spoofedRegistrations() {
    for (int i = 0; i < REGISTRATIONS_PER_ADDRESS; i++) {
      assertThat(register(direct, "X-Forwarded-For", freshAddress()).statusCode()).isEqualTo(201);
    }
    assertProblem(register(direct, "X-Forwarded-For", freshAddress()), 429, "rate_limited");
    assertProblem(register(direct, "Forwarded", "for=" + freshAddress()), 429, "rate_limited");
  }

  @Test
  @DisplayName("behind a trusted proxy, one client's exhausted connection allowance leaves another client's whole")
  void connectionsPerClientBehindProxy() {
    String busy = freshAddress();
    int refused = 0;
    for (int i = 0; i < ATTEMPTS && refused == 0; i++) {
      int status = upgrade(behindProxy, "X-Forwarded-For", busy);
      assertThat(status).isIn(101, 429);
      refused += status == 429 ? 1 : 0;
    }
    assertThat(refused).as("refused upgrades of %s", busy).isEqualTo(1);

    assertThat(upgrade(behindProxy, "X-Forwarded-For", freshAddress())).isEqualTo(101);
  }

  @Test
  @DisplayName("a client that is no trusted proxy escapes no connection limit by naming a fresh address each time")
  void spoofedConnections() {
    int refused = 0;
    for (int i = 0; i < ATTEMPTS && refused == 0; i++) {
      int status = upgrade(direct, "X-Forwarded-For", freshAddress());
      assertThat(status).isIn(101, 429);
      refused += status == 429 ? 1 : 0;
    }
    assertThat(refused).as("refused upgrades, each naming a fresh address").isEqualTo(1);
  }
}
