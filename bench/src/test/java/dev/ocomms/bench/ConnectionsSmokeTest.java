package dev.ocomms.bench;

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
 * The connections scenario in smoke mode: 40 connections from 2 generator processes over 2 source addresses, held
 * 3 s, against a real server process of the packaged launcher and the raw baseline. Runs once; each test checks one
 * part of its report.
 */
@DisplayName("The connections scenario, in smoke mode")
class ConnectionsSmokeTest {
  private static final int CONNECTIONS = 40;

  @TempDir
  static Path out;
  private static JsonObject report;

  @BeforeAll
  static void run() throws Exception {
    Path jar = LauncherJar.path();
    Map<String, String> options = Map.ofEntries(Map.entry("jar", jar.toString()), Map.entry("server-heap", "512m"),
        Map.entry("connections", String.valueOf(CONNECTIONS)), Map.entry("per-user", "20"), Map.entry("chats", "3"),
        Map.entry("generators", "2"), Map.entry("source-addresses", "2"), Map.entry("hold", "3"),
        Map.entry("generator-heap", "256m"), Map.entry("renew-seconds", "1"), Map.entry("out", out.toString()),
        Map.entry("docs", out.resolve("benchmarks.md").toString()));
    report = Bench.run("connections", options, "bin/bench connections --smoke");
  }

  @Test
  @DisplayName("every connection connects and registers, with no failure")
  void everyConnectionConnects() {
    JsonObject results = report.getJsonObject("results");
    assertThat(results.getInteger("connected")).isEqualTo(CONNECTIONS);
    assertThat(results.getInteger("failed")).isZero();
    assertThat(results.getJsonObject("failures")).isEmpty();
    assertThat(results.getBoolean("allConnectedInTime")).isTrue();
    assertThat(results.getDouble("connectSeconds")).isPositive();
  }

  @Test
  @DisplayName("every connection is still open at the end of the hold")
  void allHeld() {
    JsonObject results = report.getJsonObject("results");
    assertThat(results.getInteger("openAtEndOfHold")).isEqualTo(CONNECTIONS);
    assertThat(results.getInteger("droppedDuringHold")).isZero();
  }

  @Test
  @DisplayName("renews the sessions while holding, as browsers refresh their access tokens")
  void sessionsRenewed() {
    // Renewed every second in smoke mode (every 10 minutes by default): a 3 s hold sees at least one renewal.
    assertThat(report.getJsonObject("results").getInteger("sessionRenewals")).isPositive();
    assertThat(report.getJsonObject("config").getInteger("sessionRenewalSeconds")).isEqualTo(1);
  }

  @Test
  @DisplayName("reports the server's memory before and after, and per connection")
  void memory() {
    JsonObject memory = report.getJsonObject("results").getJsonObject("memory");
    assertThat(memory.getLong("rssBeforeBytes")).isPositive();
    assertThat(memory.getLong("rssAfterBytes")).isPositive();
    assertThat(memory.getLong("heapBeforeBytes")).isPositive();
    assertThat(memory.getLong("heapAfterBytes")).isGreaterThan(memory.getLong("heapBeforeBytes"));
    assertThat(memory.getLong("heapPerConnectionBytes")).isPositive();
    assertThat(memory.getLong("rssPerConnectionBytes")).isNotNull();
  }

  @Test
  @DisplayName("reports how the cores were shared between servers, stores and generators")
  void cpu() {
    JsonObject share = report.getJsonObject("cpu").getJsonObject("shareOfMachine");
    assertThat(share.getDouble("servers")).isPositive();
    assertThat(share.getDouble("generators")).isPositive();
    assertThat(share.getDouble("stores")).isNotNull();
  }

  @Test
  @DisplayName("runs the same sockets against the raw baseline and gives our figures as ratios of it")
  void baseline() {
    JsonObject baseline = report.getJsonObject("baseline");
    assertThat(baseline.getInteger("connected")).isEqualTo(CONNECTIONS);
    assertThat(baseline.getInteger("failed")).isZero();
    assertThat(baseline.getInteger("openAtEndOfHold")).isEqualTo(CONNECTIONS);
    assertThat(baseline.getLong("heapPerConnectionBytes")).isPositive();
    assertThat(baseline.getDouble("connectSeconds")).isPositive();
    assertThat(baseline.getJsonObject("ratio").getDouble("heapPerConnection")).isPositive();
  }

  @Test
  @DisplayName("writes its JSON report, its PNG chart and its table row")
  void files() throws Exception {
    assertThat(report.getJsonArray("series")).isNotEmpty();
    try (var files = Files.list(out)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .anyMatch(name -> name.startsWith("connections-") && name.endsWith(".json"))
          .anyMatch(name -> name.startsWith("connections-") && name.endsWith(".png"));
    }
    assertThat(Files.readString(out.resolve("benchmarks.md"))).contains("bin/bench connections --smoke")
        .contains("40/40 connected");
  }
}
