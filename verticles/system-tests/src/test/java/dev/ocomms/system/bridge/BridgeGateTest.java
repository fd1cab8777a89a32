package dev.ocomms.system.bridge;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.Blocking;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.SockJsPaths;
import dev.ocomms.testkit.bridge.Transport;
import dev.ocomms.testkit.bridge.XhrBridgeClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static dev.ocomms.testkit.bridge.Frames.about;
import static dev.ocomms.testkit.bridge.Frames.errCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What guards {@code /eventbus} before any frame: the Origin check (cross-site WebSocket hijacking) and the
 * connection-rate limits, with the shipped default limits (20 new connections per second per address).
 */
@DisplayName("The bridge's door")
class BridgeGateTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  /** The shipped limit of new connections per second from one client address. */
  private static final int PER_ADDRESS_PER_SECOND = 20;
  /** New connections made at once by the rate tests. */
  private static final int BURST = 60;
  private static final List<String> FOREIGN_ORIGINS = List.of("http://evil.example", "null",
      "http://127.0.0.1.evil.example", "https://127.0.0.1");
  private static TestSystem server;

  @BeforeAll
  static void start() {
    server = TestSystem.builder().deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void fullAllowance() throws InterruptedException {
    // The per-address allowance refills in one second; each test starts with all of it.
    Thread.sleep(1_100);
  }

  private static int upgradeStatus(Transport transport, String origin) {
    try {
      server.connect(0, transport, origin).close();
      return 101;
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    }
  }

  private static HttpResponse<Buffer> post(String path, String origin, String body) {
    var request = server.request(HttpMethod.POST, path).putHeader("Content-Type", "text/plain");
    if (origin != null) {
      request.putHeader("Origin", origin);
    }
    return (body == null ? request.rxSend() : request.rxSendBuffer(Buffer.buffer(body))).blockingGet();
  }

  @Test
  @DisplayName("a WebSocket upgrade (raw or SockJS) from a foreign Origin is refused with 403")
  void foreignOriginWebSocket() {
    for (String origin : FOREIGN_ORIGINS) {
      assertThat(upgradeStatus(Transport.RAW_WEBSOCKET, origin)).as("raw, Origin %s", origin).isEqualTo(403);
      assertThat(upgradeStatus(Transport.SOCKJS_WEBSOCKET, origin)).as("SockJS, Origin %s", origin).isEqualTo(403);
    }
  }

  @Test
  @DisplayName("xhr-streaming, xhr-polling and xhr_send requests from a foreign Origin are refused with 403")
  void foreignOriginXhr() {
    for (String origin : FOREIGN_ORIGINS) {
      String session = SockJsPaths.session();
      assertThat(post(session + "/xhr", origin, null).statusCode()).as("xhr, %s", origin).isEqualTo(403);
      assertThat(post(session + "/xhr_streaming", origin, null).statusCode()).as("streaming, %s", origin)
          .isEqualTo(403);
      assertThat(post(session + "/xhr_send", origin, "[\"{}\"]").statusCode()).as("send, %s", origin)
          .isEqualTo(403);
    }
    // Not even an open session accepts a frame posted into it from elsewhere.
    Account alice = server.register();
    XhrBridgeClient client = (XhrBridgeClient) server.connect(Transport.XHR_POLLING);
    JsonObject register = Frames.register(Addresses.user(alice.id()), alice.token());
    String frames = new io.vertx.core.json.JsonArray().add(register.encode()).encode();
    assertThat(post(client.sessionPath() + "/xhr_send", "http://evil.example", frames).statusCode()).isEqualTo(403);
    client.assertNothing(about(register.getString("replyAddress")), Duration.ofMillis(500));
  }

  @Test
  @DisplayName("the server's own origin and requests without an Origin are served over every transport")
  void ownOriginAndNone() {
    Account alice = server.register();
    String own = Addresses.user(alice.id());
    for (Transport transport : Transport.values()) {
      for (String origin : Arrays.asList(server.ownOrigin(0), null)) {
        BridgeClient client = server.connect(0, transport, origin);
        JsonObject register = Frames.register(own, alice.token());
        client.send(register);
        client.await(about(register.getString("replyAddress")), WAIT);
        client.close();
      }
    }
  }

  /**
   * Checks how many of {@code attempts} new connections, made at once, were refused: the allowance is 20 at once plus
   * 20 a second, so at least 20 are admitted, and at most 20 more for each second the burst lasted. A burst slow
   * enough to be refused nothing (over two seconds for 60) fails the test rather than passing it unchecked.
   */
  private static void assertRateLimited(int attempts, long burstNanos, int refused) {
    int mostAdmitted = PER_ADDRESS_PER_SECOND + (int) Math.ceil(PER_ADDRESS_PER_SECOND * burstNanos / 1e9);
    assertThat(refused).as("refused of %d made within %d ms", attempts, burstNanos / 1_000_000)
        .isBetween(Math.max(1, attempts - mostAdmitted), attempts - PER_ADDRESS_PER_SECOND);
  }

  @Test
  @DisplayName("WebSocket upgrades beyond 20 per second from one address are refused with 429 and retryAfter")
  void webSocketRate() {
    long started = System.nanoTime();
    List<Future<UpgradeRejectedException>> attempts = IntStream.range(0, BURST).mapToObj(i -> server.clientVertx()
        .executeBlocking(() -> {
          try {
            server.connect(Transport.RAW_WEBSOCKET).close();
            return (UpgradeRejectedException) null;
          } catch (UpgradeRejectedException e) {
            return e;
          }
        }, false)).toList();
    List<UpgradeRejectedException> outcomes = Blocking.get(Future.all(attempts), Duration.ofSeconds(20)).list();
    long burst = System.nanoTime() - started;
    List<UpgradeRejectedException> refusals = outcomes.stream().filter(java.util.Objects::nonNull).toList();
    assertRateLimited(BURST, burst, refusals.size());
    for (UpgradeRejectedException refusal : refusals) {
      assertThat(refusal.getStatus()).isEqualTo(429);
      JsonObject problem = new JsonObject(refusal.getBody());
      assertThat(problem.getString("code")).isEqualTo("rate_limited");
      assertThat(problem.getInteger("retryAfter")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("xhr sessions count against the same connection rate: beyond it they get 429 and are closed")
  void xhrSessionRate() {
    long started = System.nanoTime();
    List<Future<BridgeClient>> opening = IntStream.range(0, BURST).mapToObj(i -> server.clientVertx()
        .executeBlocking(() -> server.connect(i % 2 == 0 ? Transport.XHR_POLLING : Transport.XHR_STREAMING), false))
        .toList();
    List<BridgeClient> clients = Blocking.get(Future.all(opening), Duration.ofSeconds(20)).list();
    long burst = System.nanoTime() - started;
    // Each session shows which it is: a refused one was told 429 as it opened (and takes no frame after that); an
    // admitted one answers a REGISTER without a token with 401. A refused session may be gone already (xhr_send 404).
    List<BridgeClient> refused = clients.stream().filter(client -> {
      client.sendText(Frames.register(Addresses.user("nobody"), null).encode());
      JsonObject verdict = client.await(errCode("rate_limited").or(errCode("unauthorized")), WAIT);
      return "rate_limited".equals(verdict.getString("message"));
    }).toList();
    assertRateLimited(BURST, burst, refused.size());
    refused.forEach(client -> client.awaitClosedByServer(WAIT));
    clients.forEach(BridgeClient::close);
  }
}
