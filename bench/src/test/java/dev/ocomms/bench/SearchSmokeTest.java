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
 * The search scenario in smoke mode against a real server process of the packaged launcher: 12 users, 8 chats,
 * 3,000 messages loaded in bulk, a few queries of each kind, two seconds of sustained searching and five freshness
 * probes. Runs once; each test checks one part of its report. It checks the tool, not the speed.
 */
@DisplayName("The search scenario, in smoke mode")
class SearchSmokeTest {
  @TempDir
  static Path out;
  private static JsonObject report;

  @BeforeAll
  static void run() throws Exception {
    Path jar = LauncherJar.path();
    report = Bench.run("search", Map.ofEntries(Map.entry("jar", jar.toString()), Map.entry("server-heap", "512m"),
            Map.entry("users", "12"), Map.entry("chats", "8"), Map.entry("private-channels", "1"),
            Map.entry("dms", "1"), Map.entry("chats-per-user", "3"), Map.entry("messages", "3000"),
            Map.entry("chunk", "1000"), Map.entry("vocabulary", "1000"), Map.entry("connections", "10"),
            Map.entry("queries", "20"), Map.entry("warmup-queries", "5"), Map.entry("warmup-seconds", "1"),
            Map.entry("sustained-seconds", "2"),
            Map.entry("sustained-warmup", "1"), Map.entry("send-rate", "10"), Map.entry("senders", "3"),
            Map.entry("probes", "5"), Map.entry("probe-interval-ms", "200"), Map.entry("index-timeout", "120"),
            Map.entry("out", out.toString()), Map.entry("docs", out.resolve("benchmarks.md").toString())),
        "bin/bench search --smoke");
  }

  @Test
  @DisplayName("loads the messages in bulk and waits until the search finds the last one")
  void fillsAndIndexes() {
    JsonObject results = report.getJsonObject("results");
    assertThat(results.getJsonObject("fill").getLong("messages")).isEqualTo(3000);
    assertThat(results.getJsonObject("fill").getDouble("seconds")).isPositive();
    assertThat(results.getJsonObject("indexing").getDouble("secondsAfterFill")).isPositive();
  }

  @Test
  @DisplayName("measures every query kind over the bridge without an error, and common words find messages")
  void measuresEveryKind() {
    JsonObject kinds = report.getJsonObject("results").getJsonObject("kinds");
    for (SearchQueries.Kind kind : SearchQueries.Kind.values()) {
      JsonObject figures = kinds.getJsonObject(kind.label);
      assertThat(figures.getJsonObject("errors")).as(kind.label).isEmpty();
      assertThat(figures.getLong("count")).as(kind.label).isEqualTo(20);
      assertThat(figures.getDouble("p99")).as(kind.label).isPositive();
    }
    assertThat(kinds.getJsonObject("common word").getDouble("meanResults")).isPositive();
  }

  @Test
  @DisplayName("measures sustained searches and finds every freshness probe")
  void sustainedAndFreshness() {
    JsonObject results = report.getJsonObject("results");
    assertThat(results.getJsonObject("sustained").getDouble("searchesPerSecond")).isPositive();
    assertThat(results.getJsonObject("sustained").getJsonObject("errors")).isEmpty();
    JsonObject freshness = results.getJsonObject("freshness");
    assertThat(freshness.getLong("found")).isEqualTo(5);
    assertThat(freshness.getLong("notFound")).isZero();
    assertThat(freshness.getJsonObject("load").getJsonObject("errors")).isEmpty();
  }

  @Test
  @DisplayName("writes its report with the targets, its chart and a row of figures")
  void writesReportChartAndRow() throws Exception {
    JsonArray targets = report.getJsonObject("results").getJsonArray("targets");
    // Two per query kind, people and channels by prefix, freshness.
    assertThat(targets).hasSize(2 * SearchQueries.Kind.values().length + 3);
    assertThat(targets.stream().map(t -> ((JsonObject) t).getString("what")))
        .contains("autocomplete people p95", "autocomplete channels p95", "freshness p99");
    try (var files = Files.list(out)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .anyMatch(name -> name.startsWith("search-") && name.endsWith(".json"))
          .anyMatch(name -> name.startsWith("search-") && name.endsWith(".png"));
    }
    assertThat(Files.readString(out.resolve("benchmarks.md"))).contains("bin/bench search --smoke")
        .contains("fill 3000 messages").contains("autocomplete people").contains("targets met");
  }
}
