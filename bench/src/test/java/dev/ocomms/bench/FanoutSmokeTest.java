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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The fan-out scenario in smoke mode: one small run against a real node (and its baseline), checked from its report. */
@DisplayName("The bench's fan-out scenario, in smoke mode")
class FanoutSmokeTest {
  private static final int MEMBERS = 20;
  private static TestSystem system;
  private static Path out;
  private static JsonObject report;

  @BeforeAll
  static void run(@TempDir Path directory) throws Exception {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new)
        .start();
    out = directory;
    String url = system.baseUrl();
    report = Bench.run("fanout", Map.of("url", url, "members", String.valueOf(MEMBERS), "senders", "2", "rate", "10",
            "seconds", "3", "warmup", "1", "capacity-seconds", "1", "out", out.toString(),
            "docs", out.resolve("benchmarks.md").toString()),
        "bin/bench fanout --smoke");
  }

  @AfterAll
  static void stop() {
    if (system != null) {
      system.close();
    }
  }

  @Test
  @DisplayName("every acked message reaches every member exactly once")
  void deliversEveryMessageToEveryMemberOnce() {
    JsonObject results = report.getJsonObject("results");
    assertThat(results.getJsonObject("errors")).isEmpty();
    assertThat(results.getLong("acked")).isGreaterThanOrEqualTo(20);
    assertThat(results.getLong("expectedDeliveries")).isEqualTo(results.getLong("acked") * MEMBERS);
    assertThat(results.getLong("delivered")).isEqualTo(results.getLong("acked") * MEMBERS);
    assertThat(results.getLong("lost")).isZero();
    assertThat(results.getLong("duplicated")).isZero();
    assertThat(results.getLong("unnumbered")).isZero();
  }

  @Test
  @DisplayName("reports positive delivered frames per second, latencies and a per-second series")
  void reportsFramesPerSecond() {
    JsonObject results = report.getJsonObject("results");
    assertThat(results.getLong("framesPerSecond")).isPositive();
    assertThat(results.getJsonObject("deliver").getLong("count")).isEqualTo(results.getLong("delivered"));
    assertThat(results.getJsonObject("deliver").getDouble("p50")).isPositive();
    assertThat(report.getJsonArray("series").size()).isGreaterThanOrEqualTo(2);
    assertThat(report.getJsonArray("series").getJsonObject(0).getLong("delivered")).isPositive();
  }

  @Test
  @DisplayName("runs the baseline with the same load, its closed-loop capacity, and reports ours as a ratio of it")
  void reportsTheBaseline() {
    JsonObject baseline = report.getJsonObject("baseline");
    assertThat(baseline).isNotNull();
    JsonObject results = baseline.getJsonObject("results");
    assertThat(baseline.getLong("framesPerSecond")).isPositive();
    assertThat(results.getLong("delivered")).isEqualTo(results.getLong("acked") * MEMBERS);
    assertThat(results.getLong("lost")).isZero();
    assertThat(results.getLong("duplicated")).isZero();
    assertThat(baseline.getJsonObject("capacity").getLong("maxFramesPerSecond")).isPositive();
    assertThat(baseline.getJsonObject("capacity").getLong("duplicated")).isZero();
    assertThat(baseline.getJsonObject("ratio").getDouble("framesPerSecond")).isPositive();
  }

  @Test
  @DisplayName("writes its JSON report and PNG chart, and appends its row to the given docs file")
  void writesTheReport() throws Exception {
    try (var files = Files.list(out)) {
      List<String> names = files.map(path -> path.getFileName().toString()).toList();
      assertThat(names).anyMatch(name -> name.startsWith("fanout-") && name.endsWith(".json"))
          .anyMatch(name -> name.startsWith("fanout-") && name.endsWith(".png"));
    }
    assertThat(Files.readString(out.resolve("benchmarks.md"))).contains("bin/bench fanout --smoke")
        .contains("lost 0, dup 0").contains("baseline");
  }
}
