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
 * The uploads scenario in smoke mode against a real server process of the packaged launcher: a 40 MiB file (over the
 * server's default 25 MB limit, so the bench must have raised it), two users uploading two 1 MiB files each, and the
 * disk baseline. Runs once; each test checks one part of its report. It checks the tool, not the speed.
 */
@DisplayName("The uploads scenario, in smoke mode")
class UploadsSmokeTest {
  @TempDir
  static Path out;
  private static JsonObject report;

  @BeforeAll
  static void run() throws Exception {
    report = Bench.run("uploads", Map.of("jar", LauncherJar.path().toString(), "server-heap", "512m",
            "big-mb", "40", "file-mb", "1", "concurrency", "2", "rounds", "2",
            "out", out.toString(), "docs", out.resolve("benchmarks.md").toString()),
        "bin/bench uploads --smoke");
  }

  @Test
  @DisplayName("uploads the big file as plain text, and downloads it whole: same size, same checksum")
  void bigFileRoundTrip() {
    JsonObject big = report.getJsonObject("results").getJsonObject("big");
    assertThat(big.getString("type")).isEqualTo("text/plain");
    assertThat(big.getLong("reportedSize")).isEqualTo(40 * UploadsScenario.MIB);
    JsonObject download = big.getJsonObject("download");
    assertThat(download.getInteger("status")).isEqualTo(200);
    assertThat(download.getLong("bytes")).isEqualTo(40 * UploadsScenario.MIB);
    assertThat(download.getBoolean("sizeMatches")).isTrue();
    assertThat(download.getBoolean("checksumMatches")).isTrue();
  }

  @Test
  @DisplayName("watches the node's heap during the big upload, against a baseline taken after a full GC")
  void watchesTheHeap() {
    JsonObject heap = report.getJsonObject("results").getJsonObject("big").getJsonObject("heap");
    assertThat(heap.getLong("baselineAfterFullGcBytes")).isPositive();
    assertThat(heap.getInteger("samples")).isPositive();
    assertThat(heap.getLong("maxUsedBytes")).isGreaterThanOrEqualTo(heap.getLong("baselineAfterFullGcBytes")
        + heap.getLong("growthBytes") - 1);
    assertThat(heap.getLong("limitBytes")).isEqualTo(64 * UploadsScenario.MIB);
    assertThat(heap.getValue("pass")).isInstanceOf(Boolean.class);
  }

  @Test
  @DisplayName("measures every concurrent upload, without a refusal, and the same bytes written to disk")
  void concurrentAgainstDisk() {
    JsonObject concurrent = report.getJsonObject("results").getJsonObject("concurrent");
    assertThat(concurrent.getLong("uploads")).isEqualTo(4);
    assertThat(concurrent.getJsonObject("latency").getLong("count")).isEqualTo(4);
    assertThat(concurrent.getJsonObject("errors")).isEmpty();
    assertThat(concurrent.getDouble("mibPerSecond")).isPositive();
    assertThat(concurrent.getJsonObject("disk").getJsonObject("latency").getLong("count")).isEqualTo(4);
    assertThat(concurrent.getJsonObject("disk").getDouble("mibPerSecond")).isPositive();
    assertThat(concurrent.getJsonObject("ratio").getDouble("mibPerSecond")).isPositive();
  }

  @Test
  @DisplayName("writes its report, its chart and a row of figures")
  void writesReportChartAndRow() throws Exception {
    try (var files = Files.list(out)) {
      assertThat(files.map(path -> path.getFileName().toString()))
          .anyMatch(name -> name.startsWith("uploads-") && name.endsWith(".json"))
          .anyMatch(name -> name.startsWith("uploads-") && name.endsWith(".png"));
    }
    assertThat(Files.readString(out.resolve("benchmarks.md"))).contains("bin/bench uploads --smoke")
        .contains("40 MiB file").contains("CRC32C ok").contains("2 × 1 MiB at once");
  }
}
