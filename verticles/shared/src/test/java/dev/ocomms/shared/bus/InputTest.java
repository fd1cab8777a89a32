package dev.ocomms.shared.bus;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("The input validator's text rules")
class InputTest {
  private static final Pattern CHANNEL = Pattern.compile("[a-z0-9_-]{1,80}");

  private static Input body(String field, Object value) {
    return Input.of(new JsonObject().put(field, value));
  }

  /** The failure of {@code read}, which must be validation_failed naming {@code field}. */
  private static OcommsException refused(String field, Runnable read) {
    OcommsException failure = catchThrowableOfType(OcommsException.class, read::run);
    assertThat(failure).as("the failure").isNotNull();
    assertThat(failure.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(failure.details().getString("field")).isEqualTo(field);
    return failure;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"nul", "lone high surrogate", "lone low surrogate", "swapped pair"})
  @DisplayName("no string field holds a NUL or an unpaired surrogate, whichever way it is read")
  void nulAndLoneSurrogatesAreRefusedEverywhere(String what) {
    String bad = switch (what) {
      case "nul" -> "a\u0000b";
      case "lone high surrogate" -> "a\uD83D";
      case "lone low surrogate" -> "\uDE00b";
      default -> "a\uDE00\uD83Db";
    };
    refused("login", () -> body("login", bad).string("login"));
    refused("name", () -> body("name", bad).text("name", 80));
    refused("topic", () -> body("topic", bad).optionalText("topic", 0, 250));
    refused("content", () -> body("content", bad).multilineText("content"));
    refused("name", () -> body("name", bad).name("name", CHANNEL, "lower-case"));
    refused("userIds", () -> body("userIds", new JsonArray().add("x").add(bad)).strings("userIds", 10));
  }

  @Test
  @DisplayName("a surrogate pair (an emoji) is text like any other")
  void pairedSurrogatesAreKept() {
    assertThat(body("displayName", "Ada \uD83D\uDE00").text("displayName", 64)).isEqualTo("Ada \uD83D\uDE00");
    assertThat(body("content", "\uD83D\uDE00").multilineText("content")).isEqualTo("\uD83D\uDE00");
  }

  @ParameterizedTest(name = "U+{0}")
  @ValueSource(strings = {"000A", "000D", "0009", "001B", "007F", "0085", "200B", "200D", "200E", "202E", "2066",
      "2069", "FEFF", "00AD", "2028", "2029"})
  @DisplayName("names refuse control, format (zero-width, bidi) and line-break characters")
  void namesRefuseHiddenAndBreakingCharacters(String hex) {
    String name = "ad" + Character.toString(Integer.parseInt(hex, 16)) + "min";
    OcommsException failure = refused("displayName", () -> body("displayName", name).text("displayName", 64));
    assertThat(failure.getMessage()).startsWith("displayName");
    refused("topic", () -> body("topic", name).optionalText("topic", 0, 250));
  }

  @Test
  @DisplayName("names are normalized to NFC and trimmed, and measured in characters after that")
  void namesAreNormalizedToNfc() {
    String decomposed = "  Jose\u0301  ";
    assertThat(body("displayName", decomposed).text("displayName", 64)).isEqualTo("Jos\u00E9");
    assertThat(body("displayName", "e\u0301".repeat(64)).text("displayName", 64)).isEqualTo("\u00E9".repeat(64));
    assertThat(body("name", "Ca\u0301fe").name("name", Pattern.compile("[\\p{L}]+"), "letters"))
        .isEqualTo("c\u00E1fe");
  }

  @Test
  @DisplayName("message content keeps tabs and line breaks, but refuses the other C0 controls")
  void multilineTextKeepsLineBreaksOnly() {
    String content = "  line one\r\n\tline two\n";
    assertThat(body("content", content).multilineText("content")).isEqualTo(content);
    for (char control : new char[] {'\u0001', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F'}) {
      refused("content", () -> body("content", "a" + control + "b").multilineText("content"));
    }
  }

  @Test
  @DisplayName("an id with a NUL is an unknown id (not_found), like any other malformed id")
  void malformedIdsStayNotFound() {
    OcommsException failure = catchThrowableOfType(OcommsException.class,
        () -> body("chatId", "\u0000").id("chatId"));
    assertThat(failure.code()).isEqualTo(ErrorCode.NOT_FOUND);
  }
}
