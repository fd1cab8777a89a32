package dev.ocomms.gateway.ops;

import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Operator endpoints on a two-node cluster: probes on the public and the operators' port, metrics only on"
    + " the operators'")
class OpsEndpointsTest {
  private static TestSystem system;

  @BeforeAll
  static void start() {
    // Two instances per node, as the launcher runs one per core: they share the public and the operators' port.
    system = TestSystem.builder().nodes(2).everyNodeServes().deploy(GatewayVerticle::new, 2).start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  /** On the public port. */
  private static HttpResponse<Buffer> get(int node, String path) {
    return system.request(node, HttpMethod.GET, path).rxSend().blockingGet();
  }

  @Test
  @DisplayName("/health answers 200 UP on the public and the operators' port")
  void health() {
    for (HttpResponse<Buffer> response : List.of(get(0, "/health"), system.ops(0, "/health"))) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("UP");
    }
  }

  @Test
  @DisplayName("/ready answers 200 on both nodes and both ports with named checks, and each counts 2 cluster members")
  void readyOnBothNodes() {
    for (int node = 0; node < 2; node++) {
      for (HttpResponse<Buffer> response : List.of(get(node, "/ready"), system.ops(node, "/ready"))) {
        assertReady(response);
      }
    }
  }

  private static void assertReady(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    JsonArray checks = response.bodyAsJsonObject().getJsonArray("checks");
    assertThat(checks.stream().map(c -> ((JsonObject) c).getString("id")))
        .containsExactlyInAnyOrder("accepting", "postgresql", "redis", "cluster");
    JsonObject clusterCheck = checks.stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("id").equals("cluster")).findFirst().orElseThrow();
    assertThat(clusterCheck.getJsonObject("data").getInteger("members")).isEqualTo(2);
  }

  @Test
  @DisplayName("/metrics on the operators' port serves Prometheus text with JVM, HTTP server, pool and event-bus"
      + " meters")
  void metrics() {
    get(0, "/health");
    get(0, "/ready");
    var consumer = system.cluster().node(0).eventBus().consumer("test.metrics", message -> { });
    consumer.rxCompletion().blockingAwait();
    HttpResponse<Buffer> response = system.ops(0, "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/plain");
    assertThat(response.bodyAsString())
        .contains("jvm_memory_used_bytes")
        .contains("vertx_http_server_requests_total")
        .contains("vertx_pool_in_use")
        .contains("vertx_eventbus_handlers");
    consumer.rxUnregister().blockingAwait();
  }

  @Test
  @DisplayName("/metrics on the public port is a 404 problem document, as any unknown path")
  void noMetricsOnPublicPort() {
    for (int node = 0; node < 2; node++) {
      assertNotFound(get(node, "/metrics"));
    }
  }

  @Test
  @DisplayName("an unknown path is a 404 problem document with a stable code, on either port")
  void unknownPath() {
    assertNotFound(get(1, "/no/such/thing"));
    assertNotFound(system.ops(1, "/no/such/thing"));
    assertNotFound(system.ops(1, "/api/v1/users/me"));
  }

  private static void assertNotFound(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("not_found");
  }
}
