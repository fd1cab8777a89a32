package dev.ocomms.messaging;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.rxjava3.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Per-user limits kept in Redis, each one atomic Lua script: a token bucket for sending (10 messages per second) and
 * a fixed hourly window for urgent messages (3 per hour). When Redis cannot be reached the limits are not enforced:
 * sending keeps working.
 */
final class RateLimits {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimits.class);
  static final int MESSAGES_PER_SECOND = 10;
  static final int URGENT_PER_HOUR = 3;

  // Refills at ARGV[1] tokens/s up to ARGV[2]; takes one, or answers how many ms until one is there.
  private static final String TOKEN_BUCKET = """
      if redis.replicate_commands then redis.replicate_commands() end
      local rate = tonumber(ARGV[1]) local capacity = tonumber(ARGV[2])
      local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)
      local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
      local tokens = tonumber(state[1]) or capacity local at = tonumber(state[2]) or now
      tokens = math.min(capacity, tokens + (now - at) * rate / 1000)
      if tokens < 1 then return math.ceil((1 - tokens) * 1000 / rate) end
      redis.call('HSET', KEYS[1], 'tokens', tokens - 1, 'at', now)
      redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
      return 0""";
  // Counts one in a window of ARGV[2] seconds; past ARGV[1] answers the seconds left instead (and counts nothing).
  private static final String WINDOW = """
      local n = tonumber(redis.call('GET', KEYS[1]) or '0')
      if n >= tonumber(ARGV[1]) then return math.max(redis.call('TTL', KEYS[1]), 1) end
      n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
      return 0""";

  private final Redis redis;

  RateLimits(Redis redis) {
    this.redis = redis;
  }

  Completable takeMessage(UUID userId) {
    return run(TOKEN_BUCKET, "ocomms:ratelimit:send:" + userId, MESSAGES_PER_SECOND, MESSAGES_PER_SECOND)
        .flatMapCompletable(waitMs -> waitMs > 0
            ? Completable.error(limited("at most " + MESSAGES_PER_SECOND + " messages per second",
                Math.max(1, (long) Math.ceil(waitMs / 1000.0)), waitMs))
            : Completable.complete());
  }

  Completable takeUrgent(UUID userId) {
    return run(WINDOW, "ocomms:ratelimit:urgent:" + userId, URGENT_PER_HOUR, 3600)
        .flatMapCompletable(seconds -> seconds > 0
            ? Completable.error(limited("at most " + URGENT_PER_HOUR + " urgent messages per hour", seconds,
                seconds * 1000))
            : Completable.complete());
  }

  private io.reactivex.rxjava3.core.Single<Long> run(String script, String key, int first, int second) {
    return redis.rxSend(Request.cmd(Command.EVAL).arg(script).arg(1).arg(key).arg(first).arg(second))
        .map(Response::toLong)
        .defaultIfEmpty(0L)
        .onErrorReturn(failure -> {
          LOG.warn("rate limit not checked, Redis unavailable: {}", failure.toString());
          return 0L;
        });
  }

  private static OcommsException limited(String detail, long retryAfterSeconds, long retryAfterMs) {
    return new OcommsException(ErrorCode.RATE_LIMITED, detail,
        new JsonObject().put("retryAfter", retryAfterSeconds).put("retryAfterMs", retryAfterMs));
  }
}
