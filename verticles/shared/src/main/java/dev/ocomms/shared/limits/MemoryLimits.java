package dev.ocomms.shared.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.util.function.LongSupplier;

/**
 * The same quotas as {@link RateLimiter}'s Redis scripts, counted in this node's memory: what limits while Redis is
 * down. One per node (every verticle instance of the node shares it, whatever its event loop), bounded in size; an
 * entry goes when its window ends or its bucket is full again. Each step is one atomic compute on its key.
 */
final class MemoryLimits implements Shareable {
  /** Beyond this many subjects the least used are forgotten (their limit starts afresh), so memory stays bounded. */
  static final int MAX_ENTRIES = 200_000;
  private static final String SHARED_MAP = "ocomms.limits";

  private final LongSupplier clockMs;
  private final Cache<String, State> states;

  MemoryLimits(LongSupplier clockMs) {
    this.clockMs = clockMs;
    this.states = Caffeine.newBuilder()
        .maximumSize(MAX_ENTRIES)
        .ticker(() -> clockMs.getAsLong() * 1_000_000)
        .expireAfter(new UntilDone())
        // Upkeep on the calling thread: it is a few map operations, and no other pool is involved.
        .executor(Runnable::run)
        .build();
  }

  /** This node's instance (made by the first verticle that asks). */
  static MemoryLimits ofNode(Vertx vertx) {
    return vertx.sharedData().<String, MemoryLimits>getLocalMap(SHARED_MAP)
        .computeIfAbsent("memory", name -> new MemoryLimits(() -> System.nanoTime() / 1_000_000));
  }

  /** As the Redis take script: 0 when taken, else the milliseconds until one would be. */
  long take(Quota quota, String subject) {
    long now = clockMs.getAsLong();
    long[] waitMs = {0};
    states.asMap().compute(quota.key(subject), (key, state) -> {
      State current = state == null || state.doneBy(now) ? new State(quota, now) : state;
      waitMs[0] = current.take(quota, now);
      return current;
    });
    return waitMs[0];
  }

  /** As the Redis give-back script: one count of a window back. */
  void giveBack(Quota quota, String subject) {
    states.asMap().computeIfPresent(quota.key(subject), (key, state) -> {
      state.count = Math.max(0, state.count - 1);
      return state;
    });
  }

  void forget(Quota quota, String subject) {
    states.invalidate(quota.key(subject));
  }

  /** One subject's count of one quota. Changed only inside its key's compute. */
  private static final class State {
    // A bucket's tokens as of atMs; a window's count, the time of its last one, and its end.
    double tokens;
    long atMs;
    int count;
    long doneAtMs;

    State(Quota quota, long now) {
      tokens = quota.limit();
      atMs = now;
      doneAtMs = now;
    }

    boolean doneBy(long now) {
      return now >= doneAtMs;
    }

    long take(Quota quota, long now) {
      long periodMs = quota.period().toMillis();
      if (quota.kind() == Quota.Kind.BUCKET) {
        double perMs = (double) quota.limit() / periodMs;
        double available = Math.min(quota.limit(), tokens + (now - atMs) * perMs);
        if (available < 1) {
          return (long) Math.ceil((1 - available) / perMs);
        }
        tokens = available - 1;
        atMs = now;
        doneAtMs = now + periodMs + 1000;
        return 0;
      }
      if (count >= quota.limit()) {
        return Math.max(doneAtMs - now, 1);
      }
      if (quota.backoffAfter() >= 0 && count >= quota.backoffAfter()) {
        long ready = atMs + quota.backoffBase().toMillis() * (1L << Math.min(30, count - quota.backoffAfter()));
        if (now < ready) {
          return ready - now;
        }
      }
      if (count == 0) {
        doneAtMs = now + periodMs;
      }
      count++;
      atMs = now;
      return 0;
    }
  }

  /** An entry lives until its window ends or its bucket is full again. */
  private static final class UntilDone implements Expiry<String, State> {
    @Override
    public long expireAfterCreate(String key, State state, long currentTimeNanos) {
      return Math.max(0, state.doneAtMs * 1_000_000 - currentTimeNanos);
    }

    @Override
    public long expireAfterUpdate(String key, State state, long currentTimeNanos, long currentDurationNanos) {
      return expireAfterCreate(key, state, currentTimeNanos);
    }

    @Override
    public long expireAfterRead(String key, State state, long currentTimeNanos, long currentDurationNanos) {
      return currentDurationNanos;
    }
  }
}
