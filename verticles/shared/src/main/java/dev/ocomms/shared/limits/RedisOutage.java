package dev.ocomms.shared.limits;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether this node's rate limits can count in Redis. While Redis answers, every check asks it; once a check fails
 * (an error or no answer in time) the node counts in memory, and one check per probe interval asks Redis again, so
 * that an outage costs no request more than one timeout and the node is back on Redis soon after it answers. One per
 * node, so that an outage is logged once when it starts and once when it ends.
 */
final class RedisOutage implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  static final long PROBE_INTERVAL_MS = 1_000;

  private final long probeIntervalNanos;
  private final AtomicBoolean down = new AtomicBoolean();
  private final AtomicLong nextProbeNanos = new AtomicLong();

  RedisOutage(long probeIntervalMs) {
    this.probeIntervalNanos = TimeUnit.MILLISECONDS.toNanos(probeIntervalMs);
  }

  /** This node's instance. */
  static RedisOutage ofNode(Vertx vertx) {
    return vertx.sharedData().<String, RedisOutage>getLocalMap("ocomms.limits")
        .computeIfAbsent("redis", name -> new RedisOutage(PROBE_INTERVAL_MS));
  }

  /** Whether this check should ask Redis: always while it answers, during an outage one per probe interval. */
  boolean shouldAsk() {
    if (!down.get()) {
      return true;
    }
    long now = System.nanoTime();
    long next = nextProbeNanos.get();
    return now - next >= 0 && nextProbeNanos.compareAndSet(next, now + probeIntervalNanos);
  }

  void failed(Throwable failure) {
    if (down.compareAndSet(false, true)) {
      nextProbeNanos.set(System.nanoTime() + probeIntervalNanos);
      LOG.warn("rate limits now counted in this node's memory until Redis answers again: {}", failure.toString());
    }
  }

  void answered() {
    if (down.compareAndSet(true, false)) {
      LOG.info("rate limits counted in Redis again");
    }
  }

  boolean down() {
    return down.get();
  }
}
