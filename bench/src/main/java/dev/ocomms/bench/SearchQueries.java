package dev.ocomms.bench;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seven kinds of message query the search scenario measures, each drawn at random from the fill's vocabulary, as
 * someone would type it (no accents, lower case).
 */
final class SearchQueries {
  /** A kind of query: its name in the report, and one example of how it is written. */
  enum Kind {
    COMMON("common word", "word"),
    RARE("rare word", "word"),
    TWO_WORDS("two words", "word word"),
    PHRASE("phrase", "\"word word\""),
    FROM_DATES("word from: after: before:", "word from:@user after:2026-01-01 before:2026-03-01"),
    EXCLUSION("word -exclusion", "word -word"),
    PREFIX("prefix*", "wor*");

    final String label;
    final String shape;

    Kind(String label, String shape) {
      this.label = label;
      this.shape = shape;
    }
  }

  /** The commonest words: each is in a large share of all messages. */
  static final int COMMON_RANKS = 20;

  private final Vocabulary vocabulary;
  private final List<MessageFill.Phrase> phrases;
  private final List<String> usernames;
  private final LocalDate firstDay;
  private final LocalDate lastDay;

  SearchQueries(Vocabulary vocabulary, List<MessageFill.Phrase> phrases, List<String> usernames, Instant from,
                Instant to) {
    if (phrases.isEmpty()) {
      throw new IllegalArgumentException("the fill left no phrase to search for: load more messages");
    }
    this.vocabulary = vocabulary;
    this.phrases = phrases;
    this.usernames = usernames;
    this.firstDay = LocalDate.ofInstant(from, ZoneOffset.UTC);
    this.lastDay = LocalDate.ofInstant(to, ZoneOffset.UTC);
  }

  /** A query of a kind. */
  String next(Kind kind, SplittableRandom random) {
    return switch (kind) {
      case COMMON -> word(random, 1, COMMON_RANKS);
      // The rarest nine tenths of the vocabulary: each word in a few messages per million (some in none).
      case RARE -> word(random, vocabulary.size() / 10, vocabulary.size());
      case TWO_WORDS -> {
        int first = rank(random, 10, 1000);
        int second = other(random, first, 10, 1000);
        yield vocabulary.typed(first) + " " + vocabulary.typed(second);
      }
      case PHRASE -> {
        MessageFill.Phrase phrase = phrases.get(random.nextInt(phrases.size()));
        yield "\"" + vocabulary.typed(phrase.first()) + " " + vocabulary.typed(phrase.second()) + "\"";
      }
      case FROM_DATES -> {
        long span = Math.max(1, lastDay.toEpochDay() - firstDay.toEpochDay());
        int days = (int) Math.min(span, 30 + random.nextInt(61));
        LocalDate after = firstDay.plusDays(random.nextLong(Math.max(1, span - days + 1)));
        yield word(random, 1, 100) + " from:@" + usernames.get(random.nextInt(usernames.size())) + " after:" + after
            + " before:" + after.plusDays(days);
      }
      case EXCLUSION -> {
        int word = rank(random, 1, 50);
        yield vocabulary.typed(word) + " -" + vocabulary.typed(other(random, word, 1, 50));
      }
      // Three letters: what someone has typed when the box starts suggesting.
      case PREFIX -> vocabulary.typed(rank(random, 1, 2000)).substring(0, 3) + "*";
    };
  }

  private String word(SplittableRandom random, int fromRank, int toRank) {
    return vocabulary.typed(rank(random, fromRank, toRank));
  }

  private int rank(SplittableRandom random, int fromRank, int toRank) {
    int high = Math.min(toRank, vocabulary.size());
    return fromRank + random.nextInt(Math.max(1, high - fromRank + 1));
  }

  private int other(SplittableRandom random, int not, int fromRank, int toRank) {
    int rank;
    do {
      rank = rank(random, fromRank, toRank);
    } while (rank == not);
    return rank;
  }
}
