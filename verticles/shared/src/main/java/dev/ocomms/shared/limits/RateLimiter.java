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
import java.util.function.Function;
import java.util.function.Supplier;

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
   * KEYS: one hash per quota, all of one subject. ARGV: five per key: kind, limit, period (ms), backoff after (-1:
   * none), backoff base (ms). A bucket is {tokens, at}; a window is {n, last} and expires with its window. All or
   * nothing: every quota is checked before any is counted. Returns {0, 0} when one of each was taken, else {i, ms}:
   * the first quota (1-based) that has none left, and the milliseconds until it would. MemoryLimits does the same.
   */
  private static final String TAKE = """
      if redis.replicate_commands then redis.replicate_commands() end
      local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)
      local after = {}
      for i, key in ipairs(KEYS) do
        local a = (i - 1) * 5
        local limit = tonumber(ARGV[a + 2]) local period = tonumber(ARGV[a + 3])
        if ARGV[a + 1] == 'BUCKET' then
          local state = redis.call('HMGET', key, 'tokens', 'at')
          local tokens = tonumber(state[1]) or limit local at = tonumber(state[2]) or now
          tokens = math.min(limit, tokens + (now - at) * limit / period)
          if tokens < 1 then return {i, math.ceil((1 - tokens) * period / limit)} end
          after[i] = tokens - 1
        else
          local state = redis.call('HMGET', key, 'n', 'last')
          local n = tonumber(state[1]) or 0
          if n >= limit then return {i, math.max(redis.call('PTTL', key), 1)} end
          local free = tonumber(ARGV[a + 4])
          if free >= 0 and n >= free then
            local ready = tonumber(state[2] or now) + tonumber(ARGV[a + 5]) * 2 ^ math.min(30, n - free)
            if now < ready then return {i, math.ceil(ready - now)} end
          end
          after[i] = n + 1
        end
      end
      for i, key in ipairs(KEYS) do
        local a = (i - 1) * 5
        local period = tonumber(ARGV[a + 3])
        if ARGV[a + 1] == 'BUCKET' then
          redis.call('HSET', key, 'tokens', after[i], 'at', now)
          redis.call('PEXPIRE', key, period + 1000)
        else
          redis.call('HSET', key, 'n', after[i], 'last', now)
          if after[i] == 1 then redis.call('PEXPIRE', key, period) end
        end
      end
      return {0, 0}""";
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

  /**
   * Takes one of each quota for {@code subject}, all or none: the first that has none left refuses, rate_limited,
   * and nothing is counted. One Redis round trip whatever the number of quotas.
   */
  public Completable take(String subject, Quota... quotas) {
    Request request = Request.cmd(Command.EVAL).arg(TAKE).arg(quotas.length);
    for (Quota quota : quotas) {
      request.arg(quota.key(subject));
    }
    for (Quota quota : quotas) {
      request.arg(quota.kind().name()).arg(quota.limit()).arg(quota.period().toMillis()).arg(quota.backoffAfter())
          .arg(quota.backoffBase().toMillis());
    }
    return ask(request, reply -> new MemoryLimits.Refusal((int) reply.get(0).toLong().longValue(),
            reply.get(1).toLong()), () -> memory.take(subject, quotas))
        .flatMapCompletable(refusal -> refusal.quota() == 0 ? Completable.complete()
            : Completable.error(refused(quotas[refusal.quota() - 1], refusal.waitMs())));
  }

  /** Gives one count of a window back (an attempt that was not made after all). */
  public Completable giveBack(Quota quota, String subject) {
    if (quota.kind() != Quota.Kind.WINDOW) {
      throw new IllegalArgumentException("only a window's count can be given back: " + quota.name());
    }
    return ask(Request.cmd(Command.EVAL).arg(GIVE_BACK).arg(1).arg(quota.key(subject)), reply -> true, () -> {
      memory.giveBack(quota, subject);
      return true;
    }).ignoreElement();
  }

  /** Forgets {@code subject}'s count of {@code quota}: it starts afresh. */
  public Completable forget(Quota quota, String subject) {
    return ask(Request.cmd(Command.DEL).arg(quota.key(subject)), reply -> true, () -> {
      memory.forget(quota, subject);
      return true;
    }).ignoreElement();
  }

  /** Redis's answer; or, when it fails or is late (or is known to be down), the memory's. */
  private <T> Single<T> ask(Request request, Function<Response, T> fromRedis, Supplier<T> fromMemory) {
    return Single.defer(() -> {
      if (!outage.shouldAsk()) {
        return Single.just(fromMemory.get());
      }
      return redis.rxSend(request)
          .timeout(timeoutMs, TimeUnit.MILLISECONDS, RxHelper.scheduler(vertx))
          .toSingle()
          .map(fromRedis::apply)
          .doOnSuccess(reply -> outage.answered())
          .onErrorReturn(failure -> {
            outage.failed(failure);
            return fromMemory.get();
          });
    });
  }

  /** A refusal, its wait in whole seconds (at least 1, as HTTP's Retry-After) and in milliseconds. */
  public static OcommsException refused(Quota quota, long waitMs) {
    return new OcommsException(ErrorCode.RATE_LIMITED, quota.refusal(), retryAfter(waitMs).put("limit", quota.name()));
  }

  /**
   * The wait a {@code rate_limited} refusal names, as every refusal names it: {@code retryAfter} in whole seconds (at
   * least 1, as HTTP's Retry-After) and {@code retryAfterMs}.
   */
  public static JsonObject retryAfter(long waitMs) {
    return new JsonObject().put("retryAfter", Math.max(1, (waitMs + 999) / 1000)).put("retryAfterMs", waitMs);
  }
}
