package dev.ocomms.search;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A name (a username, a display name, a channel's name or topic) as prefix lookups compare it: lower case without
 * accents, whole and word by word. Made once per name: folding costs a Unicode normalization, too much to repeat for
 * every comparison of a sort.
 */
record NameKey(String folded, List<String> words) {
  private static final Pattern COMBINING_MARKS = Pattern.compile("\\p{M}+");
  private static final Pattern NOT_LETTERS_OR_DIGITS = Pattern.compile("[^\\p{L}\\p{N}]+");

  static NameKey of(String name) {
    String folded = folded(name);
    return new NameKey(folded, List.of(NOT_LETTERS_OR_DIGITS.split(folded)));
  }

  /** Whether the name, or one of its words, starts with {@code prefix} (folded). */
  boolean startsWith(String prefix) {
    return folded.startsWith(prefix) || words.stream().anyMatch(word -> word.startsWith(prefix));
  }

  /** Lower case without accents, as the index compares words. */
  static String folded(String text) {
    if (text == null) {
      return "";
    }
    return COMBINING_MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFD)).replaceAll("")
        .toLowerCase(Locale.ROOT);
  }
}
