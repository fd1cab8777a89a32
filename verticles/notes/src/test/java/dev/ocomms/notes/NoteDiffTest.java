package dev.ocomms.notes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The diff between two versions of a note")
class NoteDiffTest {
  private static final String TWENTY_LINES = IntStream.rangeClosed(1, 20).mapToObj(i -> "line " + i)
      .collect(Collectors.joining("\n", "", "\n"));

  @Test
  @DisplayName("a changed line is a removed and an added line, with three lines of context on each side")
  void changedLine() {
    JsonArray hunks = NoteDiff.between(TWENTY_LINES, TWENTY_LINES.replace("line 10\n", "line ten\n"))
        .getJsonArray("hunks");

    assertThat(hunks).hasSize(1);
    JsonObject hunk = hunks.getJsonObject(0);
    assertThat(hunk.getInteger("fromLine")).isEqualTo(7);
    assertThat(hunk.getInteger("fromCount")).isEqualTo(7);
    assertThat(hunk.getInteger("toLine")).isEqualTo(7);
    assertThat(lines(hunk)).containsExactly(" line 7", " line 8", " line 9", "-line 10", "+line ten", " line 11",
        " line 12", " line 13");
  }

  @Test
  @DisplayName("changes far apart are separate hunks; identical texts have none")
  void hunks() {
    String changed = TWENTY_LINES.replace("line 2\n", "").replace("line 19\n", "line 19\nline 19½\n");

    assertThat(NoteDiff.between(TWENTY_LINES, changed).getJsonArray("hunks")).hasSize(2);
    assertThat(NoteDiff.between(TWENTY_LINES, TWENTY_LINES).getJsonArray("hunks")).isEmpty();
  }

  private static List<String> lines(JsonObject hunk) {
    return hunk.getJsonArray("lines").stream().map(JsonObject.class::cast)
        .map(line -> switch (line.getString("op")) {
          case "context" -> " ";
          case "removed" -> "-";
          default -> "+";
        } + line.getString("text"))
        .toList();
  }
}
