package dev.ocomms.bench;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.testkit.TestSystem;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench in smoke mode: seconds and tiny numbers against real nodes, so that the tool cannot rot. */
@DisplayName("The bench, in smoke mode")
class BenchSmokeTest {
  private static TestSystem system;

  @BeforeAll
  static void start() {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new)
        .start();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  @Test
  @DisplayName("the throughput scenario runs the same load against the raw baseline and reports the ratios")
  void throughputBaseline(@TempDir Path out) throws Exception {
    String url = system.baseUrl();
    JsonObject report = Bench.run("throughput", options("url", url, "chats", "2", "members", "2", "per-user", "2",
        "senders", "2", "rate", "6", "seconds", "2", "warmup", "1", "baseline-max-seconds", "1",
        "out", out.toString(), "docs", "none"), "bin/bench throughput --smoke");

    JsonObject baseline = report.getJsonObject("baseline");
    JsonObject theirs = baseline.getJsonObject("results");
    assertThat(theirs.getLong("acked")).isGreaterThanOrEqualTo(8);
    // Two chats of two members with two connections each: every message reaches four connections.
    assertThat(theirs.getLong("delivered")).isEqualTo(theirs.getLong("acked") * 4);
    assertThat(theirs.getLong("lost")).isZero();
    assertThat(theirs.getLong("duplicated")).isZero();
    assertThat(baseline.getLong("maxAckedPerSecond")).isPositive();
    assertThat(baseline.getJsonObject("ratio").getDouble("ackedPerSecond")).isPositive();
    assertThat(baseline.getJsonObject("ratio").getDouble("deliverP99")).isPositive();
    assertThat(report.getJsonObject("results").getLong("delivered"))
        .isEqualTo(report.getJsonObject("results").getLong("acked") * 4);
  }

  @Test
  @DisplayName("the throughput scenario acks every message, delivers each to every member once, and writes its report")
  void throughput(@TempDir Path out) throws Exception {
    String url = system.baseUrl();
    JsonObject report = Bench.run("throughput", options("url", url, "chats", "2", "members", "3", "senders", "2",
        "rate", "6", "seconds", "3", "warmup", "1", "baseline-max-seconds", "1", "out", out.toString(),
            "docs", out.resolve("benchmarks.md").toString()),
        "bin/bench throughput --smoke");

    JsonObject results = report.getJsonObject("results");
    assertThat(results.getJsonObject("errors")).isEmpty();
    assertThat(results.getLong("acked")).isGreaterThanOrEqualTo(12);
    assertThat(results.getLong("expectedDeliveries")).isEqualTo(results.getLong("acked") * 3);
    assertThat(results.getLong("delivered")).isEqualTo(results.getLong("expectedDeliveries"));
    assertThat(results.getLong("lost")).isZero();
    assertThat(results.getLong("duplicated")).isZero();
    assertThat(results.getJsonObject("ack").getDouble("p50")).isPositive();
    try (var files = Files.list(out)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .anyMatch(name -> name.startsWith("throughput-") && name.endsWith(".json"))
          .anyMatch(name -> name.startsWith("throughput-") && name.endsWith(".png"));
    }
    assertThat(Files.readString(out.resolve("benchmarks.md"))).contains("bin/bench throughput --smoke")
        .contains("lost 0, dup 0").contains("ratio to baseline");
  }

  private static Map<String, String> options(String... pairs) {
    Map<String, String> options = new java.util.HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      options.put(pairs[i], pairs[i + 1]);
    }
    return options;
  }
}
