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
 * Failed logins, counted in Redis per (account, client address) and per client address over a 15-minute window.
 *
 * <p>An attempt is <em>reserved</em> before its password is checked, in one atomic step (a Lua script): checking a
 * password takes tens of milliseconds, and a limit that is only read before and counted after lets any number of
 * concurrent guesses through. A reserved attempt counts as a failure; a correct password clears its account's count
 * from that address, and an attempt that got no verdict (the hashing pool was full) is given back.
 *
 * <p>Per (account, address): the first {@value #FREE_FAILURES} failures cost nothing, each further one doubles the
 * wait before the next attempt (1 s, 2 s, ...), and after {@value #MAX_FAILURES_PER_ACCOUNT_AND_IP} the pair is
 * refused until the window ends. Failures are not counted per account alone: a guesser at another address cannot
 * lock the owner out. Per address, {@value #MAX_FAILURES_PER_IP} failures on any accounts (many people can share one
 * address, an office behind NAT). A refused attempt is {@code rate_limited} with {@code retryAfter} in seconds.
 */
final class LoginThrottle {
  static final int MAX_FAILURES_PER_ACCOUNT_AND_IP = 5;
  static final int FREE_FAILURES = 3;
  static final int MAX_FAILURES_PER_IP = 30;
  static final int WINDOW_SECONDS = 900;
  private static final String PAIR_KEY = "ocomms:login:fail:pair:";
  private static final String IP_KEY = "ocomms:login:fail:ip:";

  /*
   * KEYS[1]: the pair's hash {n: failures reserved, last: when the last was reserved (ms)}; KEYS[2]: the address's
   * counter. ARGV: now (ms), pair limit, free failures, address limit, window (s). Returns 0 when the attempt is
   * reserved, else the seconds to wait. Redis's own clock is not used: TIME in a script would make it
   * non-deterministic for replication on older servers; the nodes' clocks only space the progressive delays.
   */
  private static final String RESERVE = String.join("\n",
      "local now = tonumber(ARGV[1])",
      "local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')",
      "if n >= tonumber(ARGV[2]) then return math.max(redis.call('TTL', KEYS[1]), 1) end",
      "if n >= tonumber(ARGV[3]) then",
      "  local ready = tonumber(redis.call('HGET', KEYS[1], 'last') or '0') + 1000 * 2 ^ (n - tonumber(ARGV[3]))",
      "  if now < ready then return math.ceil((ready - now) / 1000) end",
      "end",
      "local ip = tonumber(redis.call('GET', KEYS[2]) or '0')",
      "if ip >= tonumber(ARGV[4]) then return math.max(redis.call('TTL', KEYS[2]), 1) end",
      "redis.call('HSET', KEYS[1], 'n', n + 1, 'last', ARGV[1])",
      "if n == 0 then redis.call('EXPIRE', KEYS[1], ARGV[5]) end",
      "if redis.call('INCR', KEYS[2]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[5]) end",
      "return 0");
  /** Gives a reservation back (KEYS as {@link #RESERVE}); ARGV[1] '1' also forgets the pair's failures. */
  private static final String RELEASE = String.join("\n",
      "if ARGV[1] == '1' then redis.call('DEL', KEYS[1])",
      "elseif tonumber(redis.call('HGET', KEYS[1], 'n') or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'n', -1) end",
      "if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end",
      "return 0");

  private final Redis redis;

  LoginThrottle(Redis redis) {
    this.redis = redis;
  }

  /**
   * Reserves one attempt, or refuses it with {@code rate_limited}. {@code account} is {@code user:<id>}, or, when
   * the login names nobody, {@code login:<the login in lower case>}: one account is one key however it was named.
   */
  Completable reserve(String account, String ip) {
    return redis.rxSend(Request.cmd(Command.EVAL).arg(RESERVE).arg(2).arg(pairKey(account, ip)).arg(IP_KEY + ip)
            .arg(System.currentTimeMillis()).arg(MAX_FAILURES_PER_ACCOUNT_AND_IP).arg(FREE_FAILURES)
            .arg(MAX_FAILURES_PER_IP).arg(WINDOW_SECONDS))
        .map(Response::toLong)
        .defaultIfEmpty(0L)
        .flatMapCompletable(retryAfter -> retryAfter > 0
            ? Completable.error(new OcommsException(ErrorCode.RATE_LIMITED,
                "too many failed logins; try again later", new JsonObject().put("retryAfter", retryAfter)))
            : Completable.complete());
  }

  /** The password was right: the account's failures from this address are forgotten, the reservation given back. */
  Completable succeeded(String account, String ip) {
    return release(account, ip, true);
  }

  /** The attempt got no verdict (the password was not checked): it does not count. */
  Completable release(String account, String ip) {
    return release(account, ip, false);
  }

  private Completable release(String account, String ip, boolean forget) {
    return redis.rxSend(Request.cmd(Command.EVAL).arg(RELEASE).arg(2).arg(pairKey(account, ip)).arg(IP_KEY + ip)
            .arg(forget ? "1" : "0"))
        .ignoreElement();
  }

  private static String pairKey(String account, String ip) {
    return PAIR_KEY + account + ":" + ip;
  }
}
