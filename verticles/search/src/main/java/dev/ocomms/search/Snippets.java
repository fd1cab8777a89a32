package dev.ocomms.search;

/**
 * Turns PostgreSQL's headline of a message into the HTML a client shows: every character of the text escaped, the
 * matched words in {@code <mark>}, and an ellipsis where text was left out. The headline marks matches with control
 * characters, which indexed text never holds ({@link Document}), so no markup of the message survives.
 */
final class Snippets {
  static final String START = "\u0002";
  static final String STOP = "\u0003";
  static final String GAP = "\u0004";
  /** How indexed text holds {@code <} and {@code >} (see {@link Document#indexable}). */
  static final char LESS_THAN = '\u0005';
  static final char GREATER_THAN = '\u0006';
  /** Up to this many characters a message is shown whole; longer ones as the fragments around their matches. */
  static final int WHOLE_UP_TO = 280;
  private static final String ELLIPSIS = "…";

  private Snippets() {
  }

  /** The headline options for a message of {@code length} characters. */
  static String headlineOptions(int length) {
    return length <= WHOLE_UP_TO
        ? "HighlightAll=true, StartSel=" + START + ", StopSel=" + STOP
        : "MaxFragments=2, MaxWords=24, MinWords=10, StartSel=" + START + ", StopSel=" + STOP
            + ", FragmentDelimiter=" + GAP;
  }

  /** The snippet of {@code headline}, cut from {@code content}. */
  static String html(String headline, String content) {
    String text = headline.strip();
    StringBuilder html = new StringBuilder(text.length() + 32);
    String plain = text.replace(START, "").replace(STOP, "").replace(GAP, " ");
    if (content.length() > WHOLE_UP_TO && !content.strip().startsWith(firstWords(plain))) {
      html.append(ELLIPSIS);
    }
    boolean open = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\u0002' -> {
          if (!open) {
            html.append("<mark>");
            open = true;
          }
        }
        case '\u0003' -> {
          if (open) {
            html.append("</mark>");
            open = false;
          }
        }
        case '\u0004' -> {
          if (open) {
            html.append("</mark>");
            open = false;
          }
          html.append(' ').append(ELLIPSIS).append(' ');
        }
        case '&' -> html.append("&amp;");
        case '<', LESS_THAN -> html.append("&lt;");
        case '>', GREATER_THAN -> html.append("&gt;");
        case '"' -> html.append("&quot;");
        case '\'' -> html.append("&#39;");
        default -> html.append(c);
      }
    }
    if (open) {
      html.append("</mark>");
    }
    if (content.length() > WHOLE_UP_TO && !content.strip().endsWith(lastWords(plain))) {
      html.append(ELLIPSIS);
    }
    return html.toString();
  }

  /** The start of a message shown when nothing in its text matched (a search by operators only). */
  static String opening(String content) {
    if (content.length() <= WHOLE_UP_TO) {
      return html(content, content);
    }
    int cut = content.lastIndexOf(' ', WHOLE_UP_TO);
    if (cut < WHOLE_UP_TO / 2) {
      cut = Character.isHighSurrogate(content.charAt(WHOLE_UP_TO - 1)) ? WHOLE_UP_TO - 1 : WHOLE_UP_TO;
    }
    String start = content.substring(0, cut);
    return html(start, start) + ELLIPSIS;
  }

  private static String firstWords(String text) {
    return text.length() <= 12 ? text : text.substring(0, 12);
  }

  private static String lastWords(String text) {
    return text.length() <= 12 ? text : text.substring(text.length() - 12);
  }
}
