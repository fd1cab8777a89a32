package dev.ocomms.shared;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;

import java.util.UUID;

/** Ids for everything OComms stores: UUID v7, time-ordered so that new rows land at the end of their indexes. */
public final class Ids {
  private static final TimeBasedEpochGenerator GENERATOR = Generators.timeBasedEpochGenerator();

  private Ids() {
  }

  public static UUID next() {
    return GENERATOR.generate();
  }

  /** The id as clients see it, or empty when the text is not a UUID (so bad ids become 404s, not 500s). */
  public static java.util.Optional<UUID> parse(String text) {
    if (text == null || text.length() != 36) {
      return java.util.Optional.empty();
    }
    try {
      return java.util.Optional.of(UUID.fromString(text));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }
}
