package dev.ocomms.messaging;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds mentions in markdown source: {@code @username}, {@code @channel} (also {@code @everyone}) and {@code @here}.
 * Text in code spans and code blocks mentions nobody. Usernames are matched case-insensitively.
 */
final class Mentions {
  private static final Pattern CODE = Pattern.compile("```.*?```|`[^`\\n]*`", Pattern.DOTALL);
  private static final Pattern MENTION = Pattern.compile("(?<![\\w@.])@([A-Za-z0-9][A-Za-z0-9._-]{1,31})");

  /** What one message mentions, before usernames are resolved to members. */
  record Found(Set<String> usernames, boolean channel, boolean here) {
    boolean any() {
      return channel || here || !usernames.isEmpty();
    }
  }

  private Mentions() {
  }

  static Found find(String markdown) {
    String text = CODE.matcher(markdown).replaceAll(" ");
    Set<String> usernames = new LinkedHashSet<>();
    boolean channel = false;
    boolean here = false;
    Matcher matcher = MENTION.matcher(text);
    while (matcher.find()) {
      // A trailing '.' or '-' is punctuation ("thanks @ann."), not part of the name.
      String name = matcher.group(1).replaceAll("[._-]+$", "").toLowerCase(Locale.ROOT);
      switch (name) {
        case "channel", "everyone" -> channel = true;
        case "here" -> here = true;
        default -> {
          if (name.length() >= 3) {
            usernames.add(name);
          }
        }
      }
    }
    return new Found(usernames, channel, here);
  }
}
