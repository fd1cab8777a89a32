package dev.ocomms.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts event-loop threads found blocked in this JVM. Every node reports here (and logs, and counts in its metrics);
 * the test suite fails a test during which the count rose.
 */
public final class BlockedEventLoops {
  private static final AtomicLong COUNT = new AtomicLong();

  private BlockedEventLoops() {
  }

  static void record() {
    COUNT.incrementAndGet();
  }

  public static long count() {
    return COUNT.get();
  }
}
