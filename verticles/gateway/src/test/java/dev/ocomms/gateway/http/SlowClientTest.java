package dev.ocomms.gateway.http;

import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Transport;
import dev.ocomms.testkit.Blocking;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow clients (slowloris) against a gateway whose request-header timeout is 1 s and idle timeout 5 s: stalled
 * connections are closed within those bounds, and the bridge's long-lived connections are not.
 */
@DisplayName("Slow HTTP clients are disconnected; bridge connections are not")
class SlowClientTest {
  private static final int HEADER_TIMEOUT_SECONDS = 1;
  private static final int IDLE_TIMEOUT_SECONDS = 5;
  /** How much later than its bound a close may come (timers, a busy CI machine). */
  private static final long SLACK_MS = 1_500;

  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder()
        .configure(config -> config.with(Setting.HTTP_REQUEST_HEADER_TIMEOUT_SECONDS, HEADER_TIMEOUT_SECONDS)
            .with(Setting.HTTP_IDLE_TIMEOUT_SECONDS, IDLE_TIMEOUT_SECONDS))
        .deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", system.port(0));
    socket.setSoTimeout((int) Duration.ofSeconds(IDLE_TIMEOUT_SECONDS * 3L).toMillis());
    return socket;
  }

  private static void pause(Duration duration) {
    Blocking.sleepUntil(System.nanoTime() + duration.toNanos());
  }

  private static void write(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** Reads until the server closes the connection; how long that took, in ms (fails if it stays open 15 s). */
  private static long millisUntilClosed(Socket socket, long since) throws IOException {
    InputStream in = socket.getInputStream();
    try {
      while (in.read() != -1) {
        // whatever the server says before it closes (a 408, say) does not matter
      }
    } catch (SocketTimeoutException stillOpen) {
      throw new AssertionError("the connection is still open after " + (System.nanoTime() - since) / 1_000_000
          + " ms");
    } catch (SocketException reset) {
      // closed with a reset: closed all the same
    }
    return (System.nanoTime() - since) / 1_000_000;
  }

  /** One complete response on a kept-alive connection (the body length is in Content-Length). */
  private static String response(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("a response before the connection closes").isNotEqualTo(-1);
      seen.write(b);
    }
    String head = seen.toString(StandardCharsets.US_ASCII);
    int length = head.lines().filter(line -> line.regionMatches(true, 0, "content-length:", 0, 15))
        .map(line -> Integer.parseInt(line.substring(15).trim())).findFirst().orElse(0);
    in.readNBytes(length);
    return head;
  }

  @Test
  @DisplayName("a connection that sends half a request line and then nothing is closed within the header timeout")
  void halfARequestLine() throws IOException {
    try (Socket socket = connect()) {
      long since = System.nanoTime();
      write(socket, "GET /hea");

      assertThat(millisUntilClosed(socket, since)).isLessThan(HEADER_TIMEOUT_SECONDS * 1000L + SLACK_MS);
    }
  }

  @Test
  @DisplayName("headers trickled a line every 200 ms, never finished, are closed within the header timeout")
  void trickledHeaders() throws IOException {
    try (Socket socket = connect()) {
      long since = System.nanoTime();
      write(socket, "GET /health HTTP/1.1\r\n");
      long closedAfter;
      try {
        for (int i = 0; i < 50; i++) {
          pause(Duration.ofMillis(200));
          write(socket, "X-Slow-" + i + ": " + i + "\r\n");
        }
        closedAfter = millisUntilClosed(socket, since);
      } catch (SocketException closed) {
        closedAfter = (System.nanoTime() - since) / 1_000_000;
      }

      assertThat(closedAfter).isLessThan(HEADER_TIMEOUT_SECONDS * 1000L + SLACK_MS);
    }
  }

  @Test
  @DisplayName("after a complete exchange, a kept-alive connection that starts a request and stalls is closed within "
      + "the idle timeout, not the header timeout (a load balancer's pooled connection must not be closed early)")
  void stallAfterAnsweredRequest() throws IOException {
    try (Socket socket = connect()) {
      write(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(response(socket)).startsWith("HTTP/1.1 200");

      long since = System.nanoTime();
      write(socket, "GET /hea");
      long closedAfter = millisUntilClosed(socket, since);
      assertThat(closedAfter).isGreaterThan(2 * HEADER_TIMEOUT_SECONDS * 1000L)
          .isLessThan(IDLE_TIMEOUT_SECONDS * 1000L + SLACK_MS);
    }
  }

  @Test
  @DisplayName("a connection that sends nothing at all is closed within the idle timeout")
  void silentConnection() throws IOException {
    try (Socket socket = connect()) {
      long since = System.nanoTime();

      assertThat(millisUntilClosed(socket, since)).isLessThan(IDLE_TIMEOUT_SECONDS * 1000L + SLACK_MS);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Transport.class, names = {"RAW_WEBSOCKET", "SOCKJS_WEBSOCKET", "XHR_STREAMING"})
  @DisplayName("a bridge connection outlives several header timeouts and still answers")
  void bridgeConnectionsStay(Transport transport) {
    try (BridgeClient client = system.connect(transport)) {
      pause(Duration.ofMillis(HEADER_TIMEOUT_SECONDS * 3500L));

      assertThat(client.closedByServer()).as("closed by the server").isFalse();
      JsonObject reply = client.request("chat.history", new JsonObject(), null);
      assertThat(reply.getString("type")).as("the answer to a request: %s", reply).isIn("rec", "err");
      assertThat(client.closedByServer()).as("closed by the server").isFalse();
    }
  }
}
