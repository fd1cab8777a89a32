package dev.ocomms.search;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Snippets: escaped text with the matches marked")
class SnippetsTest {
  private static final String S = Snippets.START;
  private static final String E = Snippets.STOP;

  @Test
  @DisplayName("markup in a message is escaped, and only the matches are wrapped in <mark>")
  void escapesAroundMarks() {
    String content = "<script>alert('x')</script> & the deploy \"now\"";
    String headline = "<script>alert('x')</script> & the " + S + "deploy" + E + " \"now\"";

    assertThat(Snippets.html(headline, content)).isEqualTo(
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; the <mark>deploy</mark> &quot;now&quot;");
  }

  @Test
  @DisplayName("fragments of a long message are joined by an ellipsis, with one where text was cut at either end")
  void fragmentsOfALongMessage() {
    String content = "start " + "filler ".repeat(60) + "deploy happened " + "filler ".repeat(60) + "rollback end";
    String headline = "filler " + S + "deploy" + E + " happened filler" + Snippets.GAP + "filler "
        + S + "rollback" + E + " end";

    assertThat(Snippets.html(headline, content))
        .isEqualTo("…filler <mark>deploy</mark> happened filler … filler <mark>rollback</mark> end");
  }

  @Test
  @DisplayName("an unclosed mark is closed, so a snippet is always well formed")
  void unbalancedMarks() {
    assertThat(Snippets.html(S + "deploy", "deploy")).isEqualTo("<mark>deploy</mark>");
  }

  @Test
  @DisplayName("without matches a long message shows its opening, cut at a word, with an ellipsis")
  void opening() {
    String content = "word ".repeat(100);

    String snippet = Snippets.opening(content);

    assertThat(snippet).endsWith("word…").doesNotContain("<mark>");
    assertThat(snippet.length()).isLessThanOrEqualTo(Snippets.WHOLE_UP_TO + 1);
    assertThat(Snippets.opening("a <b>")).isEqualTo("a &lt;b&gt;");
  }
}
