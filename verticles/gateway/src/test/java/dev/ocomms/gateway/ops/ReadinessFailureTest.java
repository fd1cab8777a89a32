package dev.ocomms.gateway.ops;

import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.runtime.FreePorts;
import dev.ocomms.runtime.NodeStarter;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.TestConfigs;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.client.HttpResponse;
import io.vertx.rxjava3.ext.web.client.WebClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Readiness when a dependency is down")
class ReadinessFailureTest {

  @Test
  @DisplayName("/ready answers 503 naming redis as DOWN when Redis cannot be reached, while /health stays 200")
  void redisDown() {
    // Nothing listens on this port: the Redis "server" is down.
    OcommsConfig config = TestConfigs.node().with(Setting.REDIS_URL, "redis://127.0.0.1:" + FreePorts.next());
    Vertx node = NodeStarter.start(config).blockingGet();
    WebClient client = WebClient.create(node);
    try {
      node.rxDeployVerticle(new GatewayVerticle(), new DeploymentOptions().setConfig(config.toJson())).blockingGet();
      HttpResponse<Buffer> ready = client.get(config.httpPort(), "127.0.0.1", "/ready").rxSend().blockingGet();
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonObject redis = ready.bodyAsJsonObject().getJsonArray("checks").stream().map(JsonObject.class::cast)
          .filter(check -> check.getString("id").equals("redis")).findFirst().orElseThrow();
      assertThat(redis.getString("status")).isEqualTo("DOWN");
      HttpResponse<Buffer> health = client.get(config.httpPort(), "127.0.0.1", "/health").rxSend().blockingGet();
      assertThat(health.statusCode()).isEqualTo(200);
    } finally {
      client.close();
      node.rxClose().blockingAwait();
    }
  }
}
