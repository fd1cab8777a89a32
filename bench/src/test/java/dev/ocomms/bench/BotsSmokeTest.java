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

/**
 * The bots scenario in smoke mode: two bots on the TCP bridge answering a low rate of mentions from four people on
 * the browser bridge, against a real node, checked from its report.
 */
@DisplayName("The bench's bots scenario, in smoke mode")
class BotsSmokeTest {
  private static TestSystem system;
  private static Path out;
  private static JsonObject report;

  @BeforeAll
  static void run(@TempDir Path directory) throws Exception {
    system = TestSystem.builder()
        .deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new)
        .start();
    out = directory;
    report = Bench.run("bots", Map.of("url", system.baseUrl(), "bot-bridge-port",
            String.valueOf(system.botBridgePort(0)), "bots", "2", "senders-per-bot", "2", "rate", "4",
            "seconds", "3", "warmup", "1", "idle-seconds", "1", "out", out.toString(),
            "docs", out.resolve("benchmarks.md").toString()),
        "bin/bench bots --smoke");
  }

  @AfterAll
  static void stop() {
    if (system != null) {
      system.close();
    }
  }

  @Test
  @DisplayName("every acked mention's sender sees the bot's answer, once, and nothing is refused")
  void everyMentionIsAnswered() {
    JsonObject results = report.getJsonObject("results");
    assertThat(results.getJsonObject("errors")).isEmpty();
    assertThat(results.getJsonObject("botErrors")).isEmpty();
    assertThat(results.getLong("acked")).isGreaterThanOrEqualTo(8);
    assertThat(results.getLong("expectedReplies")).isEqualTo(results.getLong("acked"));
    assertThat(results.getLong("replies")).isEqualTo(results.getLong("acked"));
    assertThat(results.getLong("lost")).isZero();
    assertThat(results.getLong("duplicated")).isZero();
    assertThat(results.getLong("unexpected")).isZero();
    assertThat(results.getJsonObject("roundTrip").getLong("count")).isEqualTo(results.getLong("replies"));
    assertThat(results.getJsonObject("heard").getLong("count")).isEqualTo(results.getLong("acked"));
  }

  @Test
  @DisplayName("writes its JSON report and PNG chart, and appends its row to the given docs file")
  void writesTheReport() throws Exception {
    try (var files = Files.list(out)) {
      List<String> names = files.map(path -> path.getFileName().toString()).toList();
      assertThat(names).anyMatch(name -> name.startsWith("bots-") && name.endsWith(".json"))
          .anyMatch(name -> name.startsWith("bots-") && name.endsWith(".png"));
    }
    assertThat(Files.readString(out.resolve("benchmarks.md"))).contains("bin/bench bots --smoke")
        .contains("round trip (mention → reply seen by the sender)").contains("lost 0, dup 0");
  }
}
