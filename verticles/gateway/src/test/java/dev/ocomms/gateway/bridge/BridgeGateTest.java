package dev.ocomms.gateway.bridge;

import dev.ocomms.gateway.bridge.BridgeServer.User;
import dev.ocomms.shared.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static dev.ocomms.gateway.bridge.Frames.about;
import static dev.ocomms.gateway.bridge.Frames.errCode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What guards {@code /eventbus} before any frame: the Origin check (cross-site WebSocket hijacking) and the
 * connection-rate limits, with the shipped default limits (20 new connections per second per address).
 */
@DisplayName("The bridge's door")
class BridgeGateTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final List<String> FOREIGN_ORIGINS = List.of("http://evil.example", "null",
      "http://127.0.0.1.evil.example", "https://127.0.0.1");
  private static BridgeServer server;

  @BeforeAll
  static void start() {
    server = BridgeServer.start();
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
      server.connect(transport, origin).close();
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
    return InboxClient.block(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)), WAIT);
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
    User alice = server.register();
    XhrBridgeClient client = (XhrBridgeClient) server.connect(Transport.XHR_POLLING);
    JsonObject register = Frames.register(Addresses.user(alice.id()), alice.token());
    String frames = new io.vertx.core.json.JsonArray().add(register.encode()).encode();
    assertThat(post(client.sessionPath() + "/xhr_send", "http://evil.example", frames).statusCode()).isEqualTo(403);
    client.assertNothing(about(register.getString("replyAddress")), Duration.ofMillis(500));
  }

  @Test
  @DisplayName("the server's own origin and requests without an Origin are served over every transport")
  void ownOriginAndNone() {
    User alice = server.register();
    String own = Addresses.user(alice.id());
    for (Transport transport : Transport.values()) {
      for (String origin : Arrays.asList(server.ownOrigin(), null)) {
        BridgeTestClient client = server.connect(transport, origin);
        JsonObject register = Frames.register(own, alice.token());
        client.send(register);
        client.await(about(register.getString("replyAddress")), WAIT);
        client.close();
      }
    }
  }

  @Test
  @DisplayName("WebSocket upgrades beyond 20 per second from one address are refused with 429 and retryAfter")
  void webSocketRate() {
    List<Future<UpgradeRejectedException>> attempts = IntStream.range(0, 30).mapToObj(i -> server.clientVertx()
        .executeBlocking(() -> {
          try {
            server.connect(Transport.RAW_WEBSOCKET).close();
            return (UpgradeRejectedException) null;
          } catch (UpgradeRejectedException e) {
            return e;
          }
        }, false)).toList();
    List<UpgradeRejectedException> outcomes = InboxClient.block(Future.all(attempts), Duration.ofSeconds(20)).list();
    List<UpgradeRejectedException> refusals = outcomes.stream().filter(java.util.Objects::nonNull).toList();
    // 20 at once, plus what refills while the burst lasts.
    assertThat(refusals).hasSizeBetween(5, 10);
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
    List<BridgeTestClient> clients = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      clients.add(server.connect(i % 2 == 0 ? Transport.XHR_POLLING : Transport.XHR_STREAMING));
    }
    List<BridgeTestClient> refused = clients.stream().filter(client -> {
      try {
        client.await(errCode("rate_limited"), Duration.ofMillis(300));
        return true;
      } catch (AssertionError e) {
        return false;
      }
    }).toList();
    assertThat(refused).hasSizeBetween(5, 10);
    refused.forEach(client -> client.awaitClosedByServer(WAIT));
    clients.forEach(BridgeTestClient::close);
  }
}
