package dev.ocomms.accounts;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.rxjava3.redis.client.Redis;

/**
 * Registrations per client address, counted in Redis over an hour that starts with the address's first one
 * ({@code OCOMMS_REGISTRATIONS_PER_IP_PER_HOUR}). Every registration that passes validation counts, whether it opens
 * an account or finds the email or username taken: registration says which, so this limit is also what keeps it from
 * being an oracle for who has an account. Past the limit: {@code rate_limited} with {@code retryAfter}.
 */
final class RegistrationThrottle {
  static final int WINDOW_SECONDS = 3600;
  private static final String KEY = "ocomms:register:ip:";
  // Counts the attempt and answers whether it is over the limit, in one atomic step.
  private static final String COUNT = String.join("\n",
      "local n = redis.call('INCR', KEYS[1])",
      "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end",
      "if n > tonumber(ARGV[1]) then return math.max(redis.call('TTL', KEYS[1]), 1) end",
      "return 0");
  private static final String RELEASE =
      "if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end return 0";

  private final Redis redis;
  private final int perHour;

  RegistrationThrottle(Redis redis, int perHour) {
    this.redis = redis;
    this.perHour = perHour;
  }

  /** Counts a registration from {@code ip}, or refuses it with {@code rate_limited}. */
  Completable reserve(String ip) {
    return redis.rxSend(Request.cmd(Command.EVAL).arg(COUNT).arg(1).arg(KEY + ip).arg(perHour).arg(WINDOW_SECONDS))
        .map(Response::toLong)
        .defaultIfEmpty(0L)
        .flatMapCompletable(retryAfter -> retryAfter > 0
            ? Completable.error(new OcommsException(ErrorCode.RATE_LIMITED,
                "too many registrations from this address; try again later",
                new JsonObject().put("retryAfter", retryAfter)))
            : Completable.complete());
  }

  /** The registration was not tried (the server was too busy to hash its password): it does not count. */
  Completable release(String ip) {
    return redis.rxSend(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(KEY + ip)).ignoreElement();
  }
}
