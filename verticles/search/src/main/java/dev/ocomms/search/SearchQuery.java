package dev.ocomms.search;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * A message search as the user typed it, parsed ({@link QueryParser}): what the text must match and the operators,
 * still by name (users and channels are resolved against the caller's workspace later).
 *
 * @param words       each must match (stemmed; a stop word as written)
 * @param phrases     each must match, words in order
 * @param prefixes    each must start a word (letters and digits only)
 * @param excluded    words and phrases that must not match
 * @param from        usernames: sent by one of them
 * @param inChannels  channel names: in one of them
 * @param inDms       usernames: in a DM with one of them
 * @param mentions    usernames (or "me"): mentioning each of them
 * @param before      sent before this day began
 * @param after       sent after this day ended
 * @param on          sent on this day
 * @param recent      sort:recent (newest first) instead of relevance
 */
record SearchQuery(List<String> words, List<String> phrases, List<String> prefixes, List<Excluded> excluded,
                   List<String> from, List<String> inChannels, List<String> inDms, List<String> mentions,
                   Optional<LocalDate> before, Optional<LocalDate> after, Optional<LocalDate> on,
                   boolean hasFile, boolean hasImage, boolean hasLink, boolean isThread, Optional<Boolean> recent) {

  /** An excluded word ({@code -word}) or phrase ({@code -"a phrase"}). */
  record Excluded(String text, boolean phrase) {
  }

  /** Whether the text part matches anything: else the query is operators only. */
  boolean hasText() {
    return !words.isEmpty() || !phrases.isEmpty() || !prefixes.isEmpty();
  }

  boolean hasFilters() {
    return !from.isEmpty() || !inChannels.isEmpty() || !inDms.isEmpty() || !mentions.isEmpty() || before.isPresent()
        || after.isPresent() || on.isPresent() || hasFile || hasImage || hasLink || isThread;
  }

  /** Something excluded is also required word for word ({@code x -x}): nothing can match. */
  boolean contradicts() {
    return excluded.stream().anyMatch(e -> e.phrase()
        ? phrases.stream().anyMatch(p -> p.equalsIgnoreCase(e.text()))
        : words.stream().anyMatch(w -> w.equalsIgnoreCase(e.text())));
  }
}
