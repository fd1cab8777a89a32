package dev.ocomms.search;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonObject;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads what a user typed into a {@link SearchQuery}: words, {@code "phrases"}, {@code -exclusions}, {@code prefix*}
 * and the operators (docs/protocol.md, "Search"). A known operator with a value it cannot take is refused with
 * {@code validation_failed} naming it ({@code operator}); a word that merely holds a colon ({@code re:meeting},
 * {@code 10:30}) is a word.
 */
final class QueryParser {
  static final int MAX_TERMS = 24;
  private static final Set<String> OPERATORS = Set.of("from", "in", "before", "after", "on", "has", "is", "mentions",
      "sort");
  private static final Pattern OPERATOR = Pattern.compile("([A-Za-z]+):(.*)", Pattern.DOTALL);
  private static final Pattern USERNAME = Pattern.compile("@?([A-Za-z0-9][A-Za-z0-9._-]{0,31})");
  private static final Pattern CHANNEL = Pattern.compile("#?([a-z0-9_-]{1,80})");
  private static final Pattern DAY = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

  private final List<String> words = new ArrayList<>();
  private final List<String> phrases = new ArrayList<>();
  private final List<String> prefixes = new ArrayList<>();
  private final List<SearchQuery.Excluded> excluded = new ArrayList<>();
  private final List<String> from = new ArrayList<>();
  private final List<String> inChannels = new ArrayList<>();
  private final List<String> inDms = new ArrayList<>();
  private final List<String> mentions = new ArrayList<>();
  private LocalDate before;
  private LocalDate after;
  private LocalDate on;
  private boolean hasFile;
  private boolean hasImage;
  private boolean hasLink;
  private boolean isThread;
  private Boolean recent;
  private int terms;

  private QueryParser() {
  }

  static SearchQuery parse(String text) {
    QueryParser parser = new QueryParser();
    parser.read(text);
    return parser.query();
  }

  private void read(String text) {
    int i = 0;
    int length = text.length();
    while (i < length) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      boolean negated = c == '-' && i + 1 < length && !Character.isWhitespace(text.charAt(i + 1));
      int start = negated ? i + 1 : i;
      if (start < length && text.charAt(start) == '"') {
        int close = text.indexOf('"', start + 1);
        int end = close < 0 ? length : close;
        phrase(text.substring(start + 1, end), negated);
        i = close < 0 ? length : close + 1;
        continue;
      }
      int end = start;
      while (end < length && !Character.isWhitespace(text.charAt(end))) {
        end++;
      }
      term(text.substring(i, end), text.substring(start, end), negated);
      i = end;
    }
  }

  private void counted() {
    if (++terms > MAX_TERMS) {
      throw new OcommsException(ErrorCode.VALIDATION_FAILED, "a search takes at most " + MAX_TERMS + " terms",
          new JsonObject().put("field", "q"));
    }
  }

  private void phrase(String phrase, boolean negated) {
    String trimmed = phrase.strip();
    if (!hasLetterOrDigit(trimmed)) {
      return;
    }
    counted();
    if (negated) {
      excluded.add(new SearchQuery.Excluded(trimmed, true));
    } else {
      phrases.add(trimmed);
    }
  }

  private void term(String typed, String term, boolean negated) {
    var operator = OPERATOR.matcher(term);
    if (operator.matches() && OPERATORS.contains(operator.group(1).toLowerCase(Locale.ROOT))) {
      counted();
      if (negated) {
        throw malformed(typed, typed + ": operators cannot be excluded; remove the '-'");
      }
      operator(typed, operator.group(1).toLowerCase(Locale.ROOT), operator.group(2));
      return;
    }
    if (!hasLetterOrDigit(term)) {
      return;
    }
    counted();
    if (negated) {
      excluded.add(new SearchQuery.Excluded(term, false));
    } else if (term.endsWith("*")) {
      prefix(term);
    } else {
      words.add(term);
    }
  }

  /** {@code e-ma*}: "e" is a word, "ma" the prefix; only letters and digits reach the prefix query. */
  private void prefix(String term) {
    List<String> runs = new ArrayList<>();
    StringBuilder run = new StringBuilder();
    term.codePoints().forEach(cp -> {
      if (Character.isLetterOrDigit(cp)) {
        run.appendCodePoint(cp);
      } else if (run.length() > 0) {
        runs.add(run.toString());
        run.setLength(0);
      }
    });
    if (run.length() > 0) {
      runs.add(run.toString());
    }
    for (int i = 0; i < runs.size() - 1; i++) {
      words.add(runs.get(i));
    }
    prefixes.add(runs.get(runs.size() - 1));
  }

  private void operator(String typed, String name, String value) {
    if (value.isEmpty()) {
      throw malformed(typed, typed + " needs a value");
    }
    switch (name) {
      case "from" -> from.add(username(typed, value));
      case "mentions" -> mentions.add(username(typed, value));
      case "in" -> {
        if (value.startsWith("@")) {
          inDms.add(username(typed, value));
        } else {
          var channel = CHANNEL.matcher(value.toLowerCase(Locale.ROOT));
          if (!channel.matches()) {
            throw malformed(typed, typed + ": write in:#channel or in:@username");
          }
          inChannels.add(channel.group(1));
        }
      }
      case "before" -> before = day(typed, value);
      case "after" -> after = day(typed, value);
      case "on" -> on = day(typed, value);
      case "has" -> {
        switch (value.toLowerCase(Locale.ROOT)) {
          case "file", "files" -> hasFile = true;
          case "image", "images" -> hasImage = true;
          case "link", "links" -> hasLink = true;
          default -> throw malformed(typed, typed + ": has: takes file, image or link");
        }
      }
      case "is" -> {
        if (!value.equalsIgnoreCase("thread")) {
          throw malformed(typed, typed + ": is: takes thread");
        }
        isThread = true;
      }
      case "sort" -> {
        switch (value.toLowerCase(Locale.ROOT)) {
          case "recent" -> recent = true;
          case "relevance" -> recent = false;
          default -> throw malformed(typed, typed + ": sort: takes recent or relevance");
        }
      }
      default -> throw new IllegalStateException("an operator without a rule: " + name);
    }
  }

  private static String username(String typed, String value) {
    var user = USERNAME.matcher(value);
    if (!user.matches()) {
      throw malformed(typed, typed + ": write " + typed.substring(0, typed.indexOf(':') + 1) + "@username");
    }
    return user.group(1).toLowerCase(Locale.ROOT);
  }

  private static LocalDate day(String typed, String value) {
    if (DAY.matcher(value).matches()) {
      try {
        return LocalDate.parse(value);
      } catch (DateTimeParseException notADay) {
        // Reported below, as every malformed day.
      }
    }
    throw malformed(typed, typed + " is not a day: write " + typed.substring(0, typed.indexOf(':') + 1)
        + "YYYY-MM-DD");
  }

  private static boolean hasLetterOrDigit(String text) {
    return text.codePoints().anyMatch(Character::isLetterOrDigit);
  }

  static OcommsException malformed(String operator, String detail) {
    return new OcommsException(ErrorCode.VALIDATION_FAILED, detail,
        new JsonObject().put("field", "q").put("operator", operator));
  }

  private SearchQuery query() {
    return new SearchQuery(List.copyOf(words), List.copyOf(phrases), List.copyOf(prefixes), List.copyOf(excluded),
        List.copyOf(from), List.copyOf(inChannels), List.copyOf(inDms), List.copyOf(mentions),
        Optional.ofNullable(before), Optional.ofNullable(after), Optional.ofNullable(on), hasFile, hasImage, hasLink,
        isThread, Optional.ofNullable(recent));
  }
}
