package dev.ocomms.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The peer-shaped scenario in smoke mode: 2 chats of 4 members (8 connections) against a real server process of the
 * packaged launcher, offered 20 and 40 msg/s (2 s measured each), and 100 msg/s, which 8 accounts cannot offer under
 * the server's 10 msg/s per user. Runs once; each test checks one part of its report. The p99 limit is generous:
 * the machine is shared, and the smoke run checks the tool, not the speed.
 */
@DisplayName("The peer-shaped scenario, in smoke mode")
class PeerSmokeTest {
  private static final int MEMBERS = 4;

  @TempDir
  static Path out;
  private static JsonObject report;

  @BeforeAll
  static void run() throws Exception {
    Path jar = LauncherJar.path();
    report = Bench.run("peer", Map.ofEntries(Map.entry("jar", jar.toString()), Map.entry("server-heap", "512m"),
            Map.entry("chats", "2"), Map.entry("members", String.valueOf(MEMBERS)), Map.entry("rates", "40,20,100"),
            Map.entry("seconds", "2"), Map.entry("warmup", "1"), Map.entry("p99-limit-ms", "5000"),
            Map.entry("out", out.toString()), Map.entry("docs", out.resolve("benchmarks.md").toString())),
        "bin/bench peer --smoke");
  }

  @Test
  @DisplayName("measures each offered rate, lowest first, with ceil(rate / 5) senders")
  void measuresEachRate() {
    assertThat(report.getString("scenario")).isEqualTo("peer");
    assertThat(report.getJsonObject("config").getInteger("connections")).isEqualTo(2 * MEMBERS);
    assertThat(report.getJsonObject("config").getInteger("contentBytes")).isEqualTo(100);
    JsonArray rates = report.getJsonObject("results").getJsonArray("rates");
    assertThat(rates).hasSize(3);
    assertThat(rates.getJsonObject(0).getDouble("offeredPerSecond")).isEqualTo(20);
    assertThat(rates.getJsonObject(0).getInteger("senders")).isEqualTo(4);
    assertThat(rates.getJsonObject(1).getDouble("offeredPerSecond")).isEqualTo(40);
    assertThat(rates.getJsonObject(1).getInteger("senders")).isEqualTo(8);
    for (int i = 0; i < 2; i++) {
      JsonObject step = rates.getJsonObject(i);
      JsonObject results = step.getJsonObject("results");
      assertThat(step.getString("status")).as(step.encode()).isEqualTo("passed");
      assertThat(results.getLong("acked")).isPositive();
      assertThat(results.getJsonObject("deliver").getDouble("p99")).isPositive();
      assertThat(results.getJsonObject("ack").getDouble("p50")).isPositive();
      assertThat(step.getJsonObject("cpu").getValue("serverShareOfMachine")).isNotNull();
    }
  }

  @Test
  @DisplayName("every acked message reaches every member of its chat exactly once, and nothing is refused")
  void nothingLostDuplicatedOrRefused() {
    JsonArray rates = report.getJsonObject("results").getJsonArray("rates");
    for (int i = 0; i < 2; i++) {
      JsonObject results = rates.getJsonObject(i).getJsonObject("results");
      assertThat(results.getJsonObject("errors")).isEmpty();
      assertThat(results.getLong("delivered")).isEqualTo(results.getLong("acked") * MEMBERS);
      assertThat(results.getLong("lost")).isZero();
      assertThat(results.getLong("duplicated")).isZero();
      assertThat(results.getBoolean("drained")).isTrue();
    }
  }

  @Test
  @DisplayName("reports the highest passing rate, and does not run a rate the accounts cannot offer")
  void highestPassingRate() {
    JsonObject results = report.getJsonObject("results");
    JsonObject tooFast = results.getJsonArray("rates").getJsonObject(2);
    assertThat(tooFast.getDouble("offeredPerSecond")).isEqualTo(100);
    assertThat(tooFast.getString("status")).isEqualTo("not run");
    assertThat(tooFast.getBoolean("sendersCapped")).isTrue();
    assertThat(tooFast.containsKey("results")).isFalse();
    assertThat(results.getDouble("highestPassingRate")).isEqualTo(40);
    assertThat(results.getDouble("p99LimitMs")).isEqualTo(5000);
    assertThat(results.getValue("deliverP99At1000Ms")).isNull();
  }

  @Test
  @DisplayName("writes its report, its chart and a row of figures")
  void writesReportChartAndRow() throws Exception {
    try (var files = Files.list(out)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .anyMatch(name -> name.startsWith("peer-") && name.endsWith(".json"))
          .anyMatch(name -> name.startsWith("peer-") && name.endsWith(".png"));
    }
    assertThat(report.getJsonArray("charts").getJsonObject(0).getString("xAxisTitle"))
        .isEqualTo("offered messages/s");
    assertThat(Files.readString(out.resolve("benchmarks.md"))).contains("bin/bench peer --smoke")
        .contains("highest passing rate 40 msg/s").contains("100/s not run").contains("lost 0, dup 0, refused 0");
  }
}
