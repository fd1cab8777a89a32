package dev.ocomms.accounts;

import dev.ocomms.shared.limits.Quota;
import dev.ocomms.shared.limits.RateLimiter;
import io.reactivex.rxjava3.core.Completable;

import java.time.Duration;

/**
 * Failed logins, counted per (account, client address) and per client address over a 15-minute window, by the shared
 * {@link RateLimiter}: in Redis, and in the node's memory while Redis is down (a login limit never switches off).
 *
 * <p>An attempt is <em>reserved</em> before its password is checked, in one atomic step per count: checking a
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
  private static final String REFUSAL = "too many failed logins; try again later";
  static final Quota PER_ACCOUNT_AND_IP = Quota.window("login.account_ip", MAX_FAILURES_PER_ACCOUNT_AND_IP,
      Duration.ofSeconds(WINDOW_SECONDS), REFUSAL).withBackoff(FREE_FAILURES, Duration.ofSeconds(1));
  static final Quota PER_IP = Quota.window("login.ip", MAX_FAILURES_PER_IP, Duration.ofSeconds(WINDOW_SECONDS),
      REFUSAL);

  private final RateLimiter limiter;

  LoginThrottle(RateLimiter limiter) {
    this.limiter = limiter;
  }

  /**
   * Reserves one attempt, or refuses it with {@code rate_limited}. {@code account} is {@code user:<id>}, or, when
   * the login names nobody, {@code login:<the login in lower case>}: one account is one key however it was named.
   */
  Completable reserve(String account, String ip) {
    String pair = pair(account, ip);
    // The pair first: an address over its limit gives the pair's reservation back.
    return limiter.take(pair, PER_ACCOUNT_AND_IP)
        .andThen(limiter.take(ip, PER_IP)
            .onErrorResumeNext(refused -> limiter.giveBack(PER_ACCOUNT_AND_IP, pair).onErrorComplete()
                .andThen(Completable.error(refused))));
  }

  /** The password was right: the account's failures from this address are forgotten, the reservation given back. */
  Completable succeeded(String account, String ip) {
    return limiter.forget(PER_ACCOUNT_AND_IP, pair(account, ip)).andThen(limiter.giveBack(PER_IP, ip));
  }

  /** The attempt got no verdict (the password was not checked): it does not count. */
  Completable release(String account, String ip) {
    return limiter.giveBack(PER_ACCOUNT_AND_IP, pair(account, ip)).andThen(limiter.giveBack(PER_IP, ip));
  }

  private static String pair(String account, String ip) {
    return account + ":" + ip;
  }
}
