package dev.ocomms.shared.limits;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.rxjava3.core.RxHelper;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.redis.client.Redis;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Rate limits ({@link Quota}s) counted in Redis, so that they hold across every node, each step one atomic Lua
 * script on Redis's clock. When Redis fails or does not answer within {@value #REDIS_TIMEOUT_MS} ms, the same quotas
 * are counted in this node's memory instead: limits never switch off, but while Redis is down each node counts
 * alone, so across N nodes a subject may get up to N times a limit. The switch is logged once per outage, and the
 * node counts in Redis again as soon as it answers (see {@link RedisOutage}). A refusal is {@code rate_limited} with
 * {@code retryAfter} (seconds), {@code retryAfterMs} and {@code limit} (the quota's name).
 */
public final class RateLimiter {
  static final long REDIS_TIMEOUT_MS = 1_000;

  /*
   * KEYS[1]: the subject's hash. ARGV: kind, limit, period (ms), backoff after (-1: none), backoff base (ms).
   * A bucket is {tokens, at}; a window is {n, last} and expires with its window. Returns 0 when one was taken, else
   * the milliseconds until one could be. MemoryLimits does the same in memory.
   */
  private static final String TAKE = """
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)
      local limit = tonumber(ARGV[2]) local period = tonumber(ARGV[3])
      if ARGV[1] == 'BUCKET' then
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or limit local at = tonumber(state[2]) or now
        tokens = math.min(limit, tokens + (now - at) * limit / period)
        if tokens < 1 then return math.ceil((1 - tokens) * period / limit) end
        redis.call('HSET', KEYS[1], 'tokens', tokens - 1, 'at', now)
        redis.call('PEXPIRE', KEYS[1], period + 1000)
        return 0
      end
      local state = redis.call('HMGET', KEYS[1], 'n', 'last')
      local n = tonumber(state[1]) or 0
      if n >= limit then return math.max(redis.call('PTTL', KEYS[1]), 1) end
      local free = tonumber(ARGV[4])
      if free >= 0 and n >= free then
        local ready = tonumber(state[2] or now) + tonumber(ARGV[5]) * 2 ^ math.min(30, n - free)
        if now < ready then return math.ceil(ready - now) end
      end
      redis.call('HSET', KEYS[1], 'n', n + 1, 'last', now)
      if n == 0 then redis.call('PEXPIRE', KEYS[1], period) end
      return 0""";
  /** One count of a window back (KEYS as {@link #TAKE}). */
  private static final String GIVE_BACK = """
      if tonumber(redis.call('HGET', KEYS[1], 'n') or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'n', -1) end
      return 0""";

  private final Vertx vertx;
  private final Redis redis;
  private final MemoryLimits memory;
  private final RedisOutage outage;
  private final long timeoutMs;

  RateLimiter(Vertx vertx, Redis redis, MemoryLimits memory, RedisOutage outage, long timeoutMs) {
    this.vertx = vertx;
    this.redis = redis;
    this.memory = memory;
    this.outage = outage;
    this.timeoutMs = timeoutMs;
  }

  /** Limits counted in {@code redis}, and while it is down in this node's memory (shared by its verticles). */
  public static RateLimiter create(Vertx vertx, Redis redis) {
    return new RateLimiter(vertx, redis, MemoryLimits.ofNode(vertx.getDelegate()),
        RedisOutage.ofNode(vertx.getDelegate()), REDIS_TIMEOUT_MS);
  }

  /** Takes one of each quota for {@code subject}, in order; the first that has none left refuses, rate_limited. */
  public Completable take(String subject, Quota... quotas) {
    Completable taken = Completable.complete();
    for (Quota quota : quotas) {
      taken = taken.andThen(waitMs(quota, subject).flatMapCompletable(waitMs -> waitMs > 0
          ? Completable.error(refused(quota, waitMs)) : Completable.complete()));
    }
    return taken;
  }

  /** 0 when one of {@code quota} was taken for {@code subject}; else the milliseconds until one could be. */
  public Single<Long> waitMs(Quota quota, String subject) {
    return ask(Request.cmd(Command.EVAL).arg(TAKE).arg(1).arg(quota.key(subject)).arg(quota.kind().name())
            .arg(quota.limit()).arg(quota.period().toMillis()).arg(quota.backoffAfter())
            .arg(quota.backoffBase().toMillis()),
        () -> memory.take(quota, subject));
  }

  /** Gives one count of a window back (an attempt that was not made after all). */
  public Completable giveBack(Quota quota, String subject) {
    if (quota.kind() != Quota.Kind.WINDOW) {
      throw new IllegalArgumentException("only a window's count can be given back: " + quota.name());
    }
    return ask(Request.cmd(Command.EVAL).arg(GIVE_BACK).arg(1).arg(quota.key(subject)), () -> {
      memory.giveBack(quota, subject);
      return 0;
    }).ignoreElement();
  }

  /** Forgets {@code subject}'s count of {@code quota}: it starts afresh. */
  public Completable forget(Quota quota, String subject) {
    return ask(Request.cmd(Command.DEL).arg(quota.key(subject)), () -> {
      memory.forget(quota, subject);
      return 0;
    }).ignoreElement();
  }

  /** Redis's answer; or, when it fails or is late (or is known to be down), the memory's. */
  private Single<Long> ask(Request request, LongSupplier fromMemory) {
    return Single.defer(() -> {
      if (!outage.shouldAsk()) {
        return Single.just(fromMemory.getAsLong());
      }
      return redis.rxSend(request)
          .timeout(timeoutMs, TimeUnit.MILLISECONDS, RxHelper.scheduler(vertx))
          .map(Response::toLong)
          .defaultIfEmpty(0L)
          .doOnSuccess(reply -> outage.answered())
          .onErrorReturn(failure -> {
            outage.failed(failure);
            return fromMemory.getAsLong();
          });
    });
  }

  /** A refusal, its wait in whole seconds (at least 1, as HTTP's Retry-After) and in milliseconds. */
  public static OcommsException refused(Quota quota, long waitMs) {
    return new OcommsException(ErrorCode.RATE_LIMITED, quota.refusal(), new JsonObject()
        .put("retryAfter", Math.max(1, (waitMs + 999) / 1000))
        .put("retryAfterMs", waitMs)
        .put("limit", quota.name()));
  }
}
