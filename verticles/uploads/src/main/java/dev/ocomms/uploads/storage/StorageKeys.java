package dev.ocomms.uploads.storage;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Storage keys: {@code yyyy-mm/uuid}. The month spreads files over directories (and gives operators a cheap way to
 * see and archive by age); the random UUID is unguessable and never collides. Only keys of this shape are accepted by
 * the backends, so no key can climb out of the local root.
 */
public final class StorageKeys {
  private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM");
  private static final Pattern KEY =
      Pattern.compile("\\d{4}-\\d{2}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private StorageKeys() {
  }

  /** A new key in the current month (UTC) of {@code clock}. */
  public static String next(Clock clock) {
    return YearMonth.now(clock.withZone(ZoneOffset.UTC)).format(MONTH) + "/" + UUID.randomUUID();
  }

  /** The key itself, when it has the shape {@link #next} makes; otherwise an {@link IllegalArgumentException}. */
  public static String requireValid(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("not a storage key (yyyy-mm/uuid): " + key);
    }
    return key;
  }
}
