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
 * Failed logins counted in Redis per account and per client IP over a 15-minute window. Past the limit, logins are
 * refused with {@code rate_limited} and {@code retryAfter} before any password is checked. The per-IP limit is higher
 * because many people can share one address (an office behind NAT).
 */
final class LoginThrottle {
  static final int MAX_FAILURES_PER_ACCOUNT = 5;
  static final int MAX_FAILURES_PER_IP = 30;
  static final int WINDOW_SECONDS = 900;
  private static final String ACCOUNT_KEY = "ocomms:login:fail:account:";
  private static final String IP_KEY = "ocomms:login:fail:ip:";
  // INCR, and start the window on the first failure only: one atomic step.
  private static final String COUNT_FAILURE =
      "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n";

  private final Redis redis;

  LoginThrottle(Redis redis) {
    this.redis = redis;
  }

  /**
   * Refuses a login when the account or the IP is past its limit. {@code account} is {@code user:<id>}, or, when
   * the login names nobody, {@code login:<the login in lower case>}: one account is one key however it was named.
   */
  Completable check(String account, String ip) {
    return redis.rxSend(Request.cmd(Command.EVAL).arg(
            "local a = tonumber(redis.call('GET', KEYS[1]) or '0') local i = tonumber(redis.call('GET', KEYS[2]) or '0')"
                + " if a >= tonumber(ARGV[1]) then return redis.call('TTL', KEYS[1]) end"
                + " if i >= tonumber(ARGV[2]) then return redis.call('TTL', KEYS[2]) end return 0")
            .arg(2).arg(ACCOUNT_KEY + account).arg(IP_KEY + ip)
            .arg(MAX_FAILURES_PER_ACCOUNT).arg(MAX_FAILURES_PER_IP))
        .map(Response::toLong)
        .defaultIfEmpty(0L)
        .flatMapCompletable(retryAfter -> retryAfter > 0
            ? Completable.error(new OcommsException(ErrorCode.RATE_LIMITED,
                "too many failed logins; try again later", new JsonObject().put("retryAfter", retryAfter)))
            : Completable.complete());
  }

  Completable recordFailure(String account, String ip) {
    return count(ACCOUNT_KEY + account).andThen(count(IP_KEY + ip));
  }

  Completable recordSuccess(String account) {
    return redis.rxSend(Request.cmd(Command.DEL).arg(ACCOUNT_KEY + account)).ignoreElement();
  }

  private Completable count(String key) {
    return redis.rxSend(Request.cmd(Command.EVAL).arg(COUNT_FAILURE).arg(1).arg(key).arg(WINDOW_SECONDS))
        .ignoreElement();
  }
}
