package dev.ocomms.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconnect storm in smoke mode: a few dozen clients against real server processes (the packaged launcher jar,
 * which the reactor builds before these tests), a node killed, every client back, nothing lost or duplicated.
 */
@DisplayName("The reconnect storm, in smoke mode")
class ReconnectSmokeTest {
  /** The packaged server, relative to this module's directory (the tests' working directory). */
  private static final Path SERVER_JAR = Path.of("..", "verticles", "launcher", "target", "ocomms.jar")
      .toAbsolutePath().normalize();

  @Test
  @DisplayName("kill mode: the clients of the killed node move to the other, all recover, nothing is lost or duplicated")
  void killMode(@TempDir Path out) throws Exception {
    JsonObject report = run(out, Map.of("nodes", "2", "mode", "kill"));

    JsonObject results = report.getJsonObject("results");
    assertThat(results.getInteger("connectedBeforeKill")).isEqualTo(40);
    // Clients sit on node (index % 2): the killed node 1 held half of them.
    assertThat(results.getInteger("affected")).isEqualTo(20);
    assertRecoveredWithoutLoss(results);
    assertBaselineAndFiles(report, out);
  }

  @Test
  @DisplayName("restart mode: the node comes back, all its clients recover, nothing is lost or duplicated")
  void restartMode(@TempDir Path out) throws Exception {
    JsonObject report = run(out, Map.of("nodes", "1", "mode", "restart"));

    JsonObject results = report.getJsonObject("results");
    assertThat(results.getInteger("connectedBeforeKill")).isEqualTo(40);
    assertThat(results.getInteger("affected")).isEqualTo(40);
    assertRecoveredWithoutLoss(results);
    assertBaselineAndFiles(report, out);
  }

  private static JsonObject run(Path out, Map<String, String> mode) throws Exception {
    Map<String, String> options = new HashMap<>(Map.of("jar", SERVER_JAR.toString(), "clients", "40",
        "per-user", "5", "chats", "2", "rate", "5", "before", "1", "settle", "1", "backoff-initial-ms", "300",
        "backoff-max-ms", "2000", "server-heap", "512m"));
    options.putAll(mode);
    options.put("out", out.toString());
    options.put("docs", out.resolve("benchmarks.md").toString());
    return Bench.run("reconnect", options, "bin/bench reconnect --smoke " + mode.get("mode"));
  }

  private static void assertRecoveredWithoutLoss(JsonObject results) {
    assertThat(results.getInteger("recovered")).isEqualTo(results.getInteger("affected"));
    assertThat(results.getInteger("unrecovered")).isZero();
    assertThat(results.getDouble("recovered95Seconds")).isPositive();
    assertThat(results.getDouble("recovered100Seconds")).isGreaterThanOrEqualTo(results.getDouble("recovered95Seconds"));
    assertThat(results.getLong("acked")).isPositive();
    assertThat(results.getLong("unackedAtEnd")).isZero();
    assertThat(results.getLong("lost")).isZero();
    assertThat(results.getLong("duplicated")).isZero();
  }

  private static void assertBaselineAndFiles(JsonObject report, Path out) throws Exception {
    JsonObject baseline = report.getJsonObject("baseline");
    // One baseline server per node; the one standing for the struck node goes down, as many clients as ours.
    assertThat(baseline.getInteger("affected")).isEqualTo(report.getJsonObject("results").getInteger("affected"));
    assertThat(baseline.getInteger("recovered")).isEqualTo(baseline.getInteger("affected"));
    assertThat(baseline.getDouble("recovered100Seconds")).isPositive();
    assertThat(baseline.getJsonObject("ratio").getDouble("recovered100")).isPositive();
    assertThat(report.getJsonArray("series")).isNotEmpty();
    try (var files = Files.list(out)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .anyMatch(name -> name.startsWith("reconnect-") && name.endsWith(".json"))
          .anyMatch(name -> name.startsWith("reconnect-") && name.endsWith(".png"));
    }
    assertThat(Files.readString(out.resolve("benchmarks.md"))).contains("bin/bench reconnect --smoke")
        .contains("lost 0, dup 0");
  }
}
