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
 * entry goes when its window ends or its bucket is full again.
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

  /** Which quota refused (1-based, as the Redis script answers; 0: none, all were taken) and the wait it named. */
  record Refusal(int quota, long waitMs) {
  }

  /**
   * As the Redis take script: one of each quota, all or none. Serialized on this node, so that all-or-none holds
   * across the quotas' keys; each step is a few map operations.
   */
  synchronized Refusal take(String subject, Quota... quotas) {
    long now = clockMs.getAsLong();
    State[] states = new State[quotas.length];
    for (int i = 0; i < quotas.length; i++) {
      State state = this.states.getIfPresent(quotas[i].key(subject));
      states[i] = state == null || state.doneBy(now) ? new State(quotas[i], now) : state;
      long waitMs = states[i].waitMs(quotas[i], now);
      if (waitMs > 0) {
        return new Refusal(i + 1, waitMs);
      }
    }
    for (int i = 0; i < quotas.length; i++) {
      states[i].take(quotas[i], now);
      // Put back after the change, so that its expiry follows the new state.
      this.states.put(quotas[i].key(subject), states[i]);
    }
    return new Refusal(0, 0);
  }

  /** One quota alone: 0 when taken, else the milliseconds until one would be. */
  long take(Quota quota, String subject) {
    return take(subject, quota).waitMs();
  }

  /** As the Redis give-back script: one count of a window back. */
  synchronized void giveBack(Quota quota, String subject) {
    states.asMap().computeIfPresent(quota.key(subject), (key, state) -> {
      state.count = Math.max(0, state.count - 1);
      return state;
    });
  }

  synchronized void forget(Quota quota, String subject) {
    states.invalidate(quota.key(subject));
  }

  /** One subject's count of one quota. Changed only under this object's lock. */
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

    /** 0 when one can be taken now, else the milliseconds until one could be. */
    long waitMs(Quota quota, long now) {
      if (quota.kind() == Quota.Kind.BUCKET) {
        double perMs = (double) quota.limit() / quota.period().toMillis();
        double available = available(quota, now);
        return available < 1 ? (long) Math.ceil((1 - available) / perMs) : 0;
      }
      if (count >= quota.limit()) {
        return Math.max(doneAtMs - now, 1);
      }
      if (quota.backoffAfter() >= 0 && count >= quota.backoffAfter()) {
        long ready = atMs + quota.backoffBase().toMillis() * (1L << Math.min(30, count - quota.backoffAfter()));
        return Math.max(ready - now, 0);
      }
      return 0;
    }

    /** Takes one (after {@link #waitMs} said it can). */
    void take(Quota quota, long now) {
      long periodMs = quota.period().toMillis();
      if (quota.kind() == Quota.Kind.BUCKET) {
        tokens = available(quota, now) - 1;
        doneAtMs = now + periodMs + 1000;
      } else {
        if (count == 0) {
          doneAtMs = now + periodMs;
        }
        count++;
      }
      atMs = now;
    }

    private double available(Quota quota, long now) {
      return Math.min(quota.limit(), tokens + (now - atMs) * (double) quota.limit() / quota.period().toMillis());
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
