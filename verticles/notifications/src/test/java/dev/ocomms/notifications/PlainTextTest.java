package dev.ocomms.notifications;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A toast's body: the message's markdown as one line of plain text, at most 100 characters")
class PlainTextTest {
  @Test
  @DisplayName("emphasis, code, headings, quotes, lists and links lose their markup")
  void stripsMarkup() {
    assertThat(PlainText.of("# Release\n> **ship** it _today_ with `make`\n- see [the plan](https://x.test/p)"))
        .isEqualTo("Release ship it today with make see the plan");
  }

  @Test
  @DisplayName("a long message is cut to 100 characters, the last an ellipsis")
  void cutsLongText() {
    String body = PlainText.of("word ".repeat(60));
    assertThat(body).hasSize(100).endsWith("…");
  }

  @Test
  @DisplayName("code fences go, their code stays")
  void fences() {
    assertThat(PlainText.of("```js\nlet a = 1;\n```")).isEqualTo("let a = 1;");
  }

  @Test
  @DisplayName("an underscore inside a word (a username) is not emphasis")
  void keepsUnderscoresInWords() {
    assertThat(PlainText.of("@ana_lopez see _this_")).isEqualTo("@ana_lopez see this");
  }

  @Test
  @DisplayName("text already plain (a name and a body) is only cut, its marks kept")
  void cutsPlainText() {
    assertThat(PlainText.cut("*Bob*:  hi\nthere")).isEqualTo("*Bob*: hi there");
  }
}
