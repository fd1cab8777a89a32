package dev.ocomms.accounts;

import dev.ocomms.shared.limits.Quota;
import dev.ocomms.shared.limits.RateLimiter;
import io.reactivex.rxjava3.core.Completable;

import java.time.Duration;

/**
 * Registrations per client address over an hour that starts with the address's first one
 * ({@code OCOMMS_REGISTRATIONS_PER_IP_PER_HOUR}), counted by the shared {@link RateLimiter}: in Redis, and in the
 * node's memory while Redis is down. Every registration that passes validation counts, whether it opens an account
 * or finds the email or username taken: registration says which, so this limit is also what keeps it from being an
 * oracle for who has an account. Past the limit: {@code rate_limited} with {@code retryAfter}.
 */
final class RegistrationThrottle {
  static final int WINDOW_SECONDS = 3600;

  private final RateLimiter limiter;
  private final Quota perIp;

  RegistrationThrottle(RateLimiter limiter, int perHour) {
    this.limiter = limiter;
    this.perIp = Quota.window("register.ip", perHour, Duration.ofSeconds(WINDOW_SECONDS),
        "too many registrations from this address; try again later");
  }

  /** Counts a registration from {@code ip}, or refuses it with {@code rate_limited}. */
  Completable reserve(String ip) {
    return limiter.take(ip, perIp);
  }

  /** The registration was not tried (the server was too busy to hash its password): it does not count. */
  Completable release(String ip) {
    return limiter.giveBack(perIp, ip);
  }
}
