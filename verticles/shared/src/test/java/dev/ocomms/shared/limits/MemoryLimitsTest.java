package dev.ocomms.shared.limits;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Rate limits counted in a node's memory (while Redis is down)")
class MemoryLimitsTest {
  private final AtomicLong clockMs = new AtomicLong(1_000_000);
  private final MemoryLimits memory = new MemoryLimits(clockMs::get);

  private long[] takes(Quota quota, String subject, int count) {
    return IntStream.range(0, count).mapToLong(i -> memory.take(quota, subject)).toArray();
  }

  @Test
  @DisplayName("a bucket gives its limit at once, then one more as each refills, and answers the wait until then")
  void bucket() {
    Quota quota = Quota.bucket("test.bucket", 10, Duration.ofSeconds(1), "slow down");
    assertThat(takes(quota, "alice", 10)).containsOnly(0L);
    assertThat(memory.take(quota, "alice")).isEqualTo(100L);

    clockMs.addAndGet(40);
    assertThat(memory.take(quota, "alice")).isEqualTo(60L);
    clockMs.addAndGet(60);
    assertThat(memory.take(quota, "alice")).isZero();
    assertThat(memory.take(quota, "alice")).isEqualTo(100L);
    assertThat(memory.take(quota, "bob")).as("another subject").isZero();
  }

  @Test
  @DisplayName("a window gives its limit, then answers the rest of the window; a new window starts afresh")
  void window() {
    Quota quota = Quota.window("test.window", 3, Duration.ofHours(1), "slow down");
    assertThat(takes(quota, "alice", 3)).containsOnly(0L);
    clockMs.addAndGet(600_000);
    assertThat(memory.take(quota, "alice")).isEqualTo(3_000_000L);

    clockMs.addAndGet(3_000_000);
    assertThat(takes(quota, "alice", 3)).containsOnly(0L);
    assertThat(memory.take(quota, "alice")).isEqualTo(3_600_000L);
  }

  @Test
  @DisplayName("a window with backoff makes each one after the free ones wait twice as long as the one before")
  void backoff() {
    Quota quota = Quota.window("test.backoff", 6, Duration.ofMinutes(15), "slow down")
        .withBackoff(2, Duration.ofSeconds(1));
    assertThat(takes(quota, "alice", 2)).containsOnly(0L);
    assertThat(memory.take(quota, "alice")).isEqualTo(1_000L);
    clockMs.addAndGet(1_000);
    assertThat(memory.take(quota, "alice")).isZero();
    assertThat(memory.take(quota, "alice")).isEqualTo(2_000L);
    clockMs.addAndGet(2_000);
    assertThat(memory.take(quota, "alice")).isZero();
    assertThat(memory.take(quota, "alice")).isEqualTo(4_000L);
  }

  @Test
  @DisplayName("a count given back can be taken again; a forgotten subject starts afresh")
  void giveBackAndForget() {
    Quota quota = Quota.window("test.window", 2, Duration.ofHours(1), "slow down");
    assertThat(takes(quota, "alice", 2)).containsOnly(0L);
    memory.giveBack(quota, "alice");
    assertThat(memory.take(quota, "alice")).isZero();
    assertThat(memory.take(quota, "alice")).isPositive();

    memory.forget(quota, "alice");
    assertThat(takes(quota, "alice", 2)).containsOnly(0L);
  }

  @Test
  @DisplayName("quotas of different names count apart for the same subject")
  void quotasApart() {
    Quota edits = Quota.window("test.edits", 1, Duration.ofHours(1), "slow down");
    Quota deletes = Quota.window("test.deletes", 1, Duration.ofHours(1), "slow down");
    assertThat(memory.take(edits, "alice")).isZero();
    assertThat(memory.take(deletes, "alice")).isZero();
    assertThat(memory.take(edits, "alice")).isPositive();
  }

  @Test
  @DisplayName("several quotas are taken all or none: the first without any left is named, and the others count nothing")
  void allOrNone() {
    Quota wide = Quota.window("test.wide", 5, Duration.ofHours(1), "slow down");
    Quota narrow = Quota.window("test.narrow", 1, Duration.ofHours(1), "slow down");
    assertThat(memory.take("alice", wide, narrow)).isEqualTo(new MemoryLimits.Refusal(0, 0));
    assertThat(memory.take("alice", wide, narrow)).isEqualTo(new MemoryLimits.Refusal(2, 3_600_000));

    assertThat(takes(wide, "alice", 5)).containsExactly(0, 0, 0, 0, 3_600_000);
  }
}
