package dev.ocomms.launcher;

import dev.ocomms.runtime.FreePorts;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The packaged launcher, run as a separate process")
class LauncherIT {
  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration STOP = Duration.ofSeconds(40);

  @TempDir
  Path workDir;

  private Map<String, String> environment(int httpPort) {
    return Map.of(
        "OCOMMS_HTTP_PORT", String.valueOf(httpPort),
        "OCOMMS_CLUSTER_PORT", String.valueOf(FreePorts.next()),
        "OCOMMS_OPS_PORT", String.valueOf(FreePorts.next()),
        "OCOMMS_BOT_BRIDGE_PORT", String.valueOf(FreePorts.next()),
        "OCOMMS_DATA_DIR", workDir.resolve("data").toString());
  }

  @Test
  @DisplayName("with no URLs it starts embedded PostgreSQL and Redis, answers /health and /ready with 200, "
      + "stops them on SIGTERM, and a second start reuses the kept data")
  void embeddedDefault() throws Exception {
    int port = FreePorts.next();
    try (LauncherProcess first = LauncherProcess.start(workDir, environment(port))) {
      assertThat(first.awaitStatus(port, "/ready", 200, START)).as(first.output()).isEqualTo(200);
      assertThat(first.awaitStatus(port, "/health", 200, Duration.ofSeconds(5))).isEqualTo(200);
      // The start is logged as complete a moment after the gateway, deployed last, opens.
      String log = first.awaitOutput("OComms started", Duration.ofSeconds(10));
      assertThat(log).contains("embedded PostgreSQL started: url=postgresql://").contains("reusedData=false")
          .contains("embedded Redis started: url=redis://127.0.0.1:")
          .contains("effective configuration")
          .contains("OComms started");
      first.terminate(STOP);
      assertThat(first.output()).contains("embedded PostgreSQL stopped").contains("OComms stopped")
          .doesNotContain("Client is closed").doesNotContain("did not stop cleanly")
          .doesNotContain("did not close cleanly");
    }
    assertThat(workDir.resolve("data/pg/PG_VERSION")).exists();
    assertThat(workDir.resolve("data/pg/postmaster.pid")).doesNotExist();

    int secondPort = FreePorts.next();
    try (LauncherProcess second = LauncherProcess.start(workDir, environment(secondPort))) {
      assertThat(second.awaitStatus(secondPort, "/ready", 200, START)).as(second.output()).isEqualTo(200);
      assertThat(second.output()).contains("reusedData=true");
      second.terminate(STOP);
    }
  }

  @Test
  @DisplayName("a node started without the gateway (OCOMMS_VERTICLES) answers /ready and /metrics on its operators' "
      + "port")
  void nodeWithoutGatewayServesTheOperatorsPort() throws Exception {
    int opsPort = FreePorts.next();
    Map<String, String> environment = new HashMap<>(environment(FreePorts.next()));
    environment.put("OCOMMS_OPS_PORT", String.valueOf(opsPort));
    environment.put("OCOMMS_VERTICLES", "accounts,messaging");
    try (LauncherProcess process = LauncherProcess.start(workDir, environment)) {
      assertThat(process.awaitStatus(opsPort, "/ready", 200, START)).as(process.output()).isEqualTo(200);
      assertThat(process.awaitStatus(opsPort, "/metrics", 200, Duration.ofSeconds(5))).isEqualTo(200);
      process.terminate(STOP);
      assertThat(process.output()).contains("OComms stopped").doesNotContain("did not close cleanly");
    }
  }

  @Test
  @DisplayName("an invalid value of a known setting stops the start with exit code 2 and a message naming it")
  void invalidSetting() throws Exception {
    try (LauncherProcess process = LauncherProcess.start(workDir, Map.of(
        "OCOMMS_HTTP_PORT", "eighty",
        "OCOMMS_DATA_DIR", workDir.resolve("data").toString()))) {
      assertThat(process.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
      assertThat(process.output())
          .contains("OComms cannot start")
          .contains("OCOMMS_HTTP_PORT").contains("not a whole number");
    }
    assertThat(Files.exists(workDir.resolve("data/pg"))).isFalse();
  }

  @Test
  @DisplayName("an unknown OCOMMS_ variable (a setting of another version, in a rolling upgrade) is named in a warning "
      + "and the node starts")
  void unknownSettingWarns() throws Exception {
    int port = FreePorts.next();
    Map<String, String> environment = new HashMap<>(environment(port));
    environment.put("OCOMMS_NO_SUCH_SETTING", "1");
    try (LauncherProcess process = LauncherProcess.start(workDir, environment)) {
      assertThat(process.awaitStatus(port, "/ready", 200, START)).as(process.output()).isEqualTo(200);
      String log = process.awaitOutput("OComms started", Duration.ofSeconds(10));
      assertThat(log.lines().filter(line -> line.contains("unknown environment variable OCOMMS_NO_SUCH_SETTING")))
          .as(log).singleElement().asString().contains("WARN");
      process.terminate(STOP);
    }
  }
}
