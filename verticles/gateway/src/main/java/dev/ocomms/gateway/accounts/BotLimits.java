package dev.ocomms.gateway.accounts;

import dev.ocomms.shared.limits.Quota;
import dev.ocomms.shared.limits.RateLimiter;
import io.reactivex.rxjava3.core.Completable;

import java.time.Duration;

/**
 * Bots' own limits (docs/protocol.md, "Bots"): every request a bot makes, over REST or either bridge, takes from one
 * allowance per bot, cluster-wide, before it is forwarded; beyond it the bot is told {@code rate_limited} with
 * {@code retryAfter}. People's requests are not counted here. The owners' own limits (messages per second, ...) apply
 * to bots as to anyone.
 */
public final class BotLimits {
  /** 10 requests a second, with bursts up to 50. */
  static final Quota REQUESTS = Quota.bucket("bot.requests", 50, Duration.ofSeconds(5),
      "a bot may make 10 requests a second, with bursts up to 50");

  private final RateLimiter limiter;

  public BotLimits(RateLimiter limiter) {
    this.limiter = limiter;
  }

  /** Takes one request from the caller's allowance if it is a bot; people pass untouched. */
  public Completable take(AccessTokens.Verified verified) {
    return verified.bot() ? limiter.take(verified.caller().userId(), REQUESTS) : Completable.complete();
  }
}
