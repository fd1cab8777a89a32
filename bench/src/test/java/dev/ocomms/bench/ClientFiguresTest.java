package dev.ocomms.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The client scenario's definitions of its figures, each on made-up records. */
@DisplayName("The client scenario's figures")
class ClientFiguresTest {

  private static ClientLoad.Sent sent(String chatId, long seq, long sentAtMs) {
    return new ClientLoad.Sent(chatId, "m" + seq, seq, sentAtMs, sentAtMs + 5);
  }

  private static ClientFigures.BadgeChange shown(String chatId, int count, long atMs) {
    return new ClientFigures.BadgeChange(chatId, count, atMs);
  }

  @Test
  @DisplayName("a message's badge lag runs to the first count that includes it, above the count before the phase")
  void badgeLagCountsFromTheCountBefore() {
    // Chat a had 3 unread before; its messages (seq 10, 11) are included at counts 4 and 5.
    List<ClientLoad.Sent> messages = List.of(sent("a", 11, 1_100), sent("a", 10, 1_000), sent("b", 1, 1_000));
    List<ClientFigures.BadgeChange> log = List.of(shown("a", 4, 1_030), shown("b", 1, 1_200), shown("a", 5, 1_500));

    JsonObject lags = ClientFigures.badgeLags(messages, Map.of("a", 3), log);

    assertThat(lags.getInteger("count")).isEqualTo(3);
    assertThat(lags.getInteger("neverShown")).isZero();
    assertThat(lags.getDouble("p50")).isEqualTo(200.0); // 30 (a 10), 200 (b 1), 400 (a 11)
    assertThat(lags.getDouble("max")).isEqualTo(400.0);
  }

  @Test
  @DisplayName("a message whose badge never reached a count that includes it is counted as never shown")
  void badgeNeverShown() {
    List<ClientLoad.Sent> messages = List.of(sent("a", 1, 1_000), sent("a", 2, 1_010));

    JsonObject lags = ClientFigures.badgeLags(messages, Map.of(), List.of(shown("a", 1, 1_050)));

    assertThat(lags.getInteger("count")).isEqualTo(1);
    assertThat(lags.getInteger("neverShown")).isEqualTo(1);
  }

  @Test
  @DisplayName("badges are right for good at the last change of a chat that is checked, after the senders stopped")
  void rightAfterStop() {
    List<ClientFigures.BadgeChange> log = List.of(shown("a", 2, 900), shown("b", 1, 1_400), shown("open", 0, 3_000));

    assertThat(ClientFigures.rightAfterStop(Map.of("a", 2, "b", 1), Map.of("a", 2, "b", 1, "open", 0), log, 1_000))
        .isEqualTo(400);
    assertThat(ClientFigures.rightAfterStop(Map.of("a", 2), Map.of("a", 2), List.of(shown("a", 2, 900)), 1_000))
        .as("right before the stop").isZero();
    assertThat(ClientFigures.rightAfterStop(Map.of("a", 2, "b", 2), Map.of("a", 2, "b", 1), log, 1_000))
        .as("a row still wrong").isNull();
  }

  @Test
  @DisplayName("the longest gap between read markers counts from the window's start and to its end")
  void longestGap() {
    assertThat(ClientFigures.longestGap(List.of(1_000.0, 1_500.0), 0, 4_000)).isEqualTo(2_500.0);
    assertThat(ClientFigures.longestGap(List.of(200.0, 900.0, 1_000.0), 100, 1_200)).isEqualTo(700.0);
    assertThat(ClientFigures.longestGap(List.of(), 100, 20_100)).as("no read at all").isEqualTo(20_000.0);
  }

  @Test
  @DisplayName("percentiles are nearest-rank, and empty when nothing was measured")
  void percentiles() {
    JsonObject summary = ClientFigures.percentiles(List.of(5.0, 1.0, 3.0, 2.0, 4.0), 50, 90, 99);
    assertThat(summary.getDouble("p50")).isEqualTo(3.0);
    assertThat(summary.getDouble("p90")).isEqualTo(5.0);
    assertThat(summary.getDouble("max")).isEqualTo(5.0);
    JsonObject empty = ClientFigures.percentiles(List.of(), 50);
    assertThat(empty.getInteger("count")).isZero();
    assertThat(empty.getValue("p50")).isNull();
  }

  @Test
  @DisplayName("the busy share is the change of TaskDuration over the change of the metrics' own clock")
  void busy() {
    JsonObject busy = ClientFigures.busy(Map.of("Timestamp", 100.0, "TaskDuration", 1.0, "ThreadTime", 0.5),
        Map.of("Timestamp", 110.0, "TaskDuration", 3.5, "ThreadTime", 1.5));
    assertThat(busy.getDouble("busyPercent")).isEqualTo(25.0);
    assertThat(busy.getDouble("threadBusyPercent")).isEqualTo(10.0);
    assertThat(busy.getDouble("seconds")).isEqualTo(10.0);
  }
}
