package dev.ocomms.gateway.bridge;

import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What SockJS serves under {@code /eventbus} besides the bridge itself: only what docs/protocol.md documents, each
 * response with the security headers. Streaming transports answer with their headers long before their body ends,
 * so every request here reads the status and headers only.
 */
@DisplayName("The SockJS surface at /eventbus")
class SockJsSurfaceTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(WAIT).build();
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder().deploy(GatewayVerticle::new).withoutConnectionRateLimits().start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  /** The status and headers of a request; the body is not waited for (a stream may never end). */
  private static HttpResponse<InputStream> head(String method, String path, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(system.baseUrl() + path)).timeout(WAIT)
        .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("[]")
            : HttpRequest.BodyPublishers.noBody());
    headers.forEach(request::header);
    // A client of its own: a response closed before its end (a stream) must not leave a pooled connection behind
    // that the next request would pick up just as it closes.
    HttpResponse<InputStream> response = HttpClient.newBuilder().connectTimeout(WAIT).build()
        .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    response.body().close();
    return response;
  }

  private static HttpResponse<InputStream> head(String method, String path) throws IOException, InterruptedException {
    return head(method, path, Map.of());
  }

  private static String session() {
    return "/eventbus/" + 100 + "/" + UUID.randomUUID().toString().replace("-", "");
  }

  @Test
  @DisplayName("htmlfile, jsonp, eventsource, the iframe page and the chunking test answer 404; /eventbus/info answers")
  void onlyDocumentedTransports() throws Exception {
    List<String[]> undocumented = List.of(
        new String[] {"GET", session() + "/htmlfile?c=callback"},
        new String[] {"GET", session() + "/jsonp?c=callback"},
        new String[] {"POST", session() + "/jsonp_send"},
        new String[] {"GET", session() + "/eventsource"},
        new String[] {"GET", "/eventbus/iframe.html"},
        new String[] {"GET", "/eventbus/iframe-1.6.1.html"},
        new String[] {"POST", "/eventbus/chunking_test"});
    for (String[] request : undocumented) {
      assertThat(head(request[0], request[1]).statusCode()).as("%s %s", request[0], request[1]).isEqualTo(404);
    }

    HttpResponse<String> info = HTTP.send(HttpRequest.newBuilder(URI.create(system.baseUrl() + "/eventbus/info"))
        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(info.body()).getBoolean("websocket")).as("info: %s", info.body()).isTrue();
  }

  @Test
  @DisplayName("every /eventbus response carries a policy that loads and frames nothing, nosniff and no-referrer")
  void securityHeadersEverywhere() throws Exception {
    List<HttpResponse<InputStream>> responses = List.of(
        head("GET", "/eventbus/info"),
        head("OPTIONS", "/eventbus/info"),
        head("GET", "/eventbus/"),
        head("POST", session() + "/xhr"),
        head("POST", session() + "/xhr_streaming"),
        head("GET", "/eventbus/iframe.html"),
        head("GET", session() + "/eventsource"),
        head("GET", "/eventbus/info", Map.of("Origin", "http://evil.example")));
    assertThat(responses.stream().map(HttpResponse::statusCode).toList()).as("statuses")
        .containsExactly(200, 204, 200, 200, 200, 404, 404, 403);
    for (HttpResponse<InputStream> response : responses) {
      var headers = response.headers();
      String what = response.request().method() + " " + response.uri().getPath();
      assertThat(headers.firstValue("Content-Security-Policy")).as(what)
          .hasValue("default-src 'none'; frame-ancestors 'none'");
      assertThat(headers.firstValue("X-Frame-Options")).as(what).hasValue("DENY");
      assertThat(headers.firstValue("X-Content-Type-Options")).as(what).hasValue("nosniff");
      assertThat(headers.firstValue("Referrer-Policy")).as(what).hasValue("no-referrer");
    }
  }
}
