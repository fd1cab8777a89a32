package dev.ocomms.uploads.storage;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Storage keys")
class StorageKeysTest {
  @Test
  @DisplayName("are the clock's month in UTC and a random UUID, each new")
  void shape() {
    // 23:30 on 31 January in UTC is already February in Tokyo: the month is UTC's.
    Clock clock = Clock.fixed(Instant.parse("2026-01-31T23:30:00Z"), ZoneId.of("Asia/Tokyo"));

    String key = StorageKeys.next(clock);

    assertThat(key).matches("2026-01/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(StorageKeys.requireValid(key)).isEqualTo(key);
    assertThat(StorageKeys.next(clock)).isNotEqualTo(key);
  }
}
