package dev.ocomms.messaging;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * Invite codes: 10 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about 50 bits of randomness.
 * People read them aloud and type them, so lookups ignore case and surrounding spaces.
 */
final class InviteCodes {
  static final String ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
  static final int LENGTH = 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  private InviteCodes() {
  }

  static String next() {
    StringBuilder code = new StringBuilder(LENGTH);
    for (int i = 0; i < LENGTH; i++) {
      code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return code.toString();
  }

  /** The code as stored, or empty when the text cannot be one of ours (which the caller answers as not_found). */
  static Optional<String> normalize(String text) {
    String code = text.trim().toUpperCase(Locale.ROOT);
    if (code.length() != LENGTH || !code.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
      return Optional.empty();
    }
    return Optional.of(code);
  }
}
