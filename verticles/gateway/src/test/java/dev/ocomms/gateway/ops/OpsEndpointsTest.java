package dev.ocomms.gateway.ops;

import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.testkit.TestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import io.vertx.rxjava3.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Operator endpoints on a two-node cluster")
class OpsEndpointsTest {
  private static TestCluster cluster;
  private static WebClient client;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2);
    cluster.deploy(0, GatewayVerticle::new);
    cluster.deploy(1, GatewayVerticle::new);
    client = WebClient.create(cluster.node(0));
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  private static HttpResponse<Buffer> get(int node, String path) {
    return client.get(cluster.config(node).httpPort(), "127.0.0.1", path).rxSend().blockingGet();
  }

  @Test
  @DisplayName("/health answers 200 UP")
  void health() {
    HttpResponse<Buffer> response = get(0, "/health");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("UP");
  }

  @Test
  @DisplayName("/ready answers 200 on both nodes with named checks, and each counts 2 cluster members")
  void readyOnBothNodes() {
    for (int node = 0; node < 2; node++) {
      HttpResponse<Buffer> response = get(node, "/ready");
      assertThat(response.statusCode()).isEqualTo(200);
      JsonArray checks = response.bodyAsJsonObject().getJsonArray("checks");
      assertThat(checks.stream().map(c -> ((JsonObject) c).getString("id")))
          .containsExactlyInAnyOrder("accepting", "postgresql", "redis", "cluster");
      JsonObject clusterCheck = checks.stream().map(JsonObject.class::cast)
          .filter(c -> c.getString("id").equals("cluster")).findFirst().orElseThrow();
      assertThat(clusterCheck.getJsonObject("data").getInteger("members")).isEqualTo(2);
    }
  }

  @Test
  @DisplayName("/metrics serves Prometheus text with JVM, HTTP server, pool and event-bus meters")
  void metrics() {
    get(0, "/health");
    get(0, "/ready");
    var consumer = cluster.node(0).eventBus().consumer("test.metrics", message -> { });
    consumer.rxCompletion().blockingAwait();
    HttpResponse<Buffer> response = get(0, "/metrics");
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
  @DisplayName("an unknown path is a 404 problem document with a stable code")
  void unknownPath() {
    HttpResponse<Buffer> response = get(1, "/no/such/thing");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("not_found");
  }
}
