package dev.ocomms.search;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("Reading a search query")
class QueryParserTest {

  @Test
  @DisplayName("words, a phrase, exclusions and a prefix each land where they belong")
  void textTerms() {
    SearchQuery query = QueryParser.parse("deploy \"release notes\" -staging -\"dry run\" roll*");

    assertThat(query.words()).containsExactly("deploy");
    assertThat(query.phrases()).containsExactly("release notes");
    assertThat(query.prefixes()).containsExactly("roll");
    assertThat(query.excluded()).containsExactly(new SearchQuery.Excluded("staging", false),
        new SearchQuery.Excluded("dry run", true));
  }

  @Test
  @DisplayName("every operator is read with its value")
  void operators() {
    SearchQuery query = QueryParser.parse("from:@Alice in:#General in:@bob before:2026-03-01 after:2026-01-31 "
        + "on:2026-02-14 has:file has:image has:link is:thread mentions:@me sort:recent");

    assertThat(query.from()).containsExactly("alice");
    assertThat(query.inChannels()).containsExactly("general");
    assertThat(query.inDms()).containsExactly("bob");
    assertThat(query.before()).contains(LocalDate.of(2026, 3, 1));
    assertThat(query.after()).contains(LocalDate.of(2026, 1, 31));
    assertThat(query.on()).contains(LocalDate.of(2026, 2, 14));
    assertThat(query.hasFile()).isTrue();
    assertThat(query.hasImage()).isTrue();
    assertThat(query.hasLink()).isTrue();
    assertThat(query.isThread()).isTrue();
    assertThat(query.mentions()).containsExactly("me");
    assertThat(query.recent()).contains(true);
    assertThat(query.hasText()).isFalse();
    assertThat(query.hasFilters()).isTrue();
  }

  @Test
  @DisplayName("a word that only holds a colon is a word, not an operator")
  void colonWords() {
    SearchQuery query = QueryParser.parse("re:meeting 10:30");

    assertThat(query.words()).containsExactly("re:meeting", "10:30");
    assertThat(query.hasFilters()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"before:yesterday", "after:2026-13-01", "on:2026-02-30", "has:pizza", "is:open",
      "from:", "from:@", "in:#bad!name", "sort:oldest", "mentions:@a!b", "-from:@bob"})
  @DisplayName("a malformed operator is refused, naming it")
  void malformedOperators(String operator) {
    OcommsException refused = catchThrowableOfType(OcommsException.class,
        () -> QueryParser.parse("lunch " + operator));

    assertThat(refused.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(refused.details().getString("field")).isEqualTo("q");
    assertThat(refused.details().getString("operator")).isEqualTo(operator.split(" ")[0]);
    assertThat(refused.getMessage()).contains(operator.split(" ")[0]);
  }

  @Test
  @DisplayName("an unclosed quote runs to the end, and punctuation alone is no term")
  void looseInput() {
    SearchQuery query = QueryParser.parse("-- && \"open phrase");

    assertThat(query.phrases()).containsExactly("open phrase");
    assertThat(query.words()).isEmpty();
    assertThat(query.excluded()).isEmpty();
  }

  @Test
  @DisplayName("a prefix keeps only letters and digits; the runs before it are words")
  void prefixRuns() {
    SearchQuery query = QueryParser.parse("e-ma*");

    assertThat(query.words()).containsExactly("e");
    assertThat(query.prefixes()).containsExactly("ma");
  }

  @Test
  @DisplayName("a word that is also excluded makes the query one that cannot match")
  void contradiction() {
    assertThat(QueryParser.parse("lunch -Lunch").contradicts()).isTrue();
    assertThat(QueryParser.parse("lunch -dinner").contradicts()).isFalse();
  }

  @Test
  @DisplayName("too many terms are refused")
  void tooManyTerms() {
    String many = String.join(" ", java.util.Collections.nCopies(QueryParser.MAX_TERMS + 1, "word"));

    OcommsException refused = catchThrowableOfType(OcommsException.class, () -> QueryParser.parse(many));

    assertThat(refused.details().getString("field")).isEqualTo("q");
    assertThat(QueryParser.parse(String.join(" ", java.util.Collections.nCopies(QueryParser.MAX_TERMS, "word")))
        .words()).hasSize(QueryParser.MAX_TERMS);
  }

  @Test
  @DisplayName("sort:relevance is read as relevance, and no sort operator leaves the choice to the request")
  void sortOperator() {
    assertThat(QueryParser.parse("x sort:relevance").recent()).isEqualTo(Optional.of(false));
    assertThat(QueryParser.parse("x").recent()).isEmpty();
    assertThat(QueryParser.parse("x").words()).isEqualTo(List.of("x"));
  }
}
