package dev.ocomms.notifications;

import java.util.regex.Pattern;

/** A message's markdown as the short plain text of a toast: no markup, one line, at most {@value #MAX} characters. */
final class PlainText {
  static final int MAX = 100;
  private static final Pattern FENCE = Pattern.compile("```[^\\n]*\\n?");
  private static final Pattern IMAGE_OR_LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\([^)]*\\)");
  private static final Pattern LINE_MARKS = Pattern.compile("(?m)^\\s{0,3}(#{1,6}\\s+|>\\s?|[-*+]\\s+|\\d+[.)]\\s+)");
  /** Emphasis marks at the edge of a word; an underscore inside one (a username) stays. */
  private static final Pattern EMPHASIS = Pattern.compile("(?<![\\p{L}\\p{N}])[*_]+|[*_]+(?![\\p{L}\\p{N}])|~~|`");
  private static final Pattern SPACE = Pattern.compile("\\s+");

  private PlainText() {
  }

  static String of(String markdown) {
    String text = FENCE.matcher(markdown).replaceAll(" ");
    text = IMAGE_OR_LINK.matcher(text).replaceAll("$1");
    text = LINE_MARKS.matcher(text).replaceAll("");
    text = EMPHASIS.matcher(text).replaceAll("");
    return cut(text);
  }

  /** Plain text on one line, cut to at most {@value #MAX} characters (the last one an ellipsis when cut). */
  static String cut(String plain) {
    String text = SPACE.matcher(plain).replaceAll(" ").strip();
    if (text.codePointCount(0, text.length()) <= MAX) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, MAX - 1)).stripTrailing() + "…";
  }
}
