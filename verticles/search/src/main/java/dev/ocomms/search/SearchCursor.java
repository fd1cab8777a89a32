package dev.ocomms.search;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the next page of a message search starts, opaque to clients. By relevance: the rank to go on from, among the
 * matches sent up to the moment of the first page (so that new messages do not shift the pages); newest first: the
 * last message shown. Each cursor names the search it belongs to ({@code search}, a digest of its query), so a
 * cursor handed to another search is refused rather than misread.
 */
record SearchCursor(String search, Instant asOf, int offset, Instant lastCreatedAt, UUID lastMessageId) {

  static SearchCursor byRelevance(String search, Instant asOf, int offset) {
    return new SearchCursor(search, asOf, offset, null, null);
  }

  static SearchCursor byTime(String search, Instant lastCreatedAt, UUID lastMessageId) {
    return new SearchCursor(search, null, 0, lastCreatedAt, lastMessageId);
  }

  String wire() {
    JsonObject json = new JsonObject().put("s", search);
    if (asOf != null) {
      json.put("a", asOf.toString()).put("o", offset);
    } else {
      json.put("c", lastCreatedAt.toString()).put("m", lastMessageId.toString());
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor in {@code text}, if it is one this search gave. */
  static Optional<SearchCursor> parse(String text, String search) {
    try {
      JsonObject json = new JsonObject(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8));
      if (!search.equals(json.getString("s"))) {
        return Optional.empty();
      }
      if (json.containsKey("a")) {
        int offset = json.getInteger("o");
        return offset < 0 || offset > MessageSearch.RANKED_MATCHES ? Optional.empty()
            : Optional.of(byRelevance(search, Instant.parse(json.getString("a")), offset));
      }
      return Optional.of(byTime(search, Instant.parse(json.getString("c")), UUID.fromString(json.getString("m"))));
    } catch (IllegalArgumentException | DecodeException | ClassCastException | NullPointerException
             | java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
