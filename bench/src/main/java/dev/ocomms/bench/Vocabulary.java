package dev.ocomms.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The search scenario's language: {@code size} made-up words, drawn with Zipf's law (the word of rank r with weight
 * 1 / r^exponent), so that a few words are in most messages and most words in a few. Words are consonant-vowel
 * syllables (two for the 3,920 most frequent, three for the rest), ending in a, i, o or u: no English stop word has
 * that shape, and no suffix an English stemmer strips makes two of them one. Every 500th rank (the 3rd, the 503rd, …)
 * carries an accent on its first vowel, so that queries typed without it test accent folding. Deterministic for a
 * seed.
 */
final class Vocabulary {
  private static final String CONSONANTS = "bdfgklmnprstvz";
  private static final String VOWELS = "aeiou";
  private static final String FINAL_VOWELS = "aiou";
  private static final String ACCENTED = "áéíóú";
  /** How many two-syllable words there are (the most frequent ranks). */
  static final int SHORT_WORDS = CONSONANTS.length() * VOWELS.length() * CONSONANTS.length() * FINAL_VOWELS.length();

  private final List<String> words;
  /** cumulative[r] = P(rank ≤ r + 1): the inverse of a uniform draw is a binary search. */
  private final double[] cumulative;

  Vocabulary(int size, double exponent, long seed) {
    if (size < 100 || size > SHORT_WORDS + SHORT_WORDS * CONSONANTS.length() * VOWELS.length()) {
      throw new IllegalArgumentException("the vocabulary holds 100 to 278,320 words");
    }
    Random random = new Random(seed);
    List<String> shortWords = syllables(2);
    List<String> longWords = syllables(3);
    Collections.shuffle(shortWords, random);
    Collections.shuffle(longWords, random);
    words = new ArrayList<>(size);
    for (int rank = 1; rank <= size; rank++) {
      String word = rank <= SHORT_WORDS ? shortWords.get(rank - 1) : longWords.get(rank - 1 - SHORT_WORDS);
      words.add(rank % 500 == 3 ? accented(word) : word);
    }
    cumulative = new double[size];
    double sum = 0;
    for (int rank = 1; rank <= size; rank++) {
      sum += 1 / Math.pow(rank, exponent);
      cumulative[rank - 1] = sum;
    }
    for (int i = 0; i < size; i++) {
      cumulative[i] /= sum;
    }
  }

  int size() {
    return words.size();
  }

  /** The word of a rank (1 is the most frequent), as written in messages (perhaps accented). */
  String word(int rank) {
    return words.get(rank - 1);
  }

  /** The word of a rank as someone types it in a search box: without its accent. */
  String typed(int rank) {
    return plain(word(rank));
  }

  /** A rank drawn with Zipf's law. */
  int draw(SplittableRandom random) {
    return firstAtLeast(cumulative, random.nextDouble()) + 1;
  }

  /** The index of the first of these ascending shares that is at least {@code u} (the last one when none is). */
  static int firstAtLeast(double[] cumulative, double u) {
    int low = 0;
    int high = cumulative.length - 1;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (cumulative[mid] < u) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** The share of all word occurrences that a rank has. */
  double share(int rank) {
    return cumulative[rank - 1] - (rank == 1 ? 0 : cumulative[rank - 2]);
  }

  /** How many words carry an accent. */
  long accentedCount() {
    return words.stream().filter(word -> !word.equals(plain(word))).count();
  }

  static String plain(String word) {
    StringBuilder plain = new StringBuilder(word.length());
    for (char c : word.toCharArray()) {
      int accent = ACCENTED.indexOf(c);
      plain.append(accent >= 0 ? VOWELS.charAt(accent) : c);
    }
    return plain.toString();
  }

  private static String accented(String word) {
    for (int i = 0; i < word.length(); i++) {
      int vowel = VOWELS.indexOf(word.charAt(i));
      if (vowel >= 0) {
        return word.substring(0, i) + ACCENTED.charAt(vowel) + word.substring(i + 1);
      }
    }
    return word;
  }

  /** Every word of {@code count} syllables, the last one ending in a, i, o or u. */
  private static List<String> syllables(int count) {
    List<String> words = new ArrayList<>(List.of(""));
    for (int syllable = 0; syllable < count; syllable++) {
      String vowels = syllable == count - 1 ? FINAL_VOWELS : VOWELS;
      List<String> longer = new ArrayList<>(words.size() * CONSONANTS.length() * vowels.length());
      for (String prefix : words) {
        for (char consonant : CONSONANTS.toCharArray()) {
          for (char vowel : vowels.toCharArray()) {
            longer.add(prefix + consonant + vowel);
          }
        }
      }
      words = longer;
    }
    return words;
  }
}
