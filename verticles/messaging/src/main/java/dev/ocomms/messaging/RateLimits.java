package dev.ocomms.messaging;

import dev.ocomms.shared.limits.Quota;
import dev.ocomms.shared.limits.RateLimiter;
import io.reactivex.rxjava3.core.Completable;

import java.time.Duration;
import java.util.UUID;

/**
 * Messaging's per-user limits (docs/protocol.md, "Limits"), counted by the shared {@link RateLimiter} (in Redis, and
 * in the node's memory while Redis is down). Every chat write takes from one budget, {@link #WRITES}, so that a
 * script cannot flood a chat by mixing kinds; the kinds that cost most (each edit, reaction or delete goes to every
 * member, a mention edit recounts badges; workspaces, invites and joins are long-lived) have a quota of their own
 * too. Values a person never meets and a script meets at once. Read markers are not writes here: they reach only
 * the reader's own sessions. Refused: {@code rate_limited} with {@code retryAfter}, {@code retryAfterMs} and
 * {@code limit}.
 */
final class RateLimits {
  static final int MESSAGES_PER_SECOND = 10;
  static final int URGENT_PER_HOUR = 3;

  /** Every chat write: 30 at once, 10 a second after that. */
  static final Quota WRITES = Quota.bucket("chat.write", 30, Duration.ofSeconds(3),
      "at most 10 changes per second");
  static final Quota SEND = Quota.bucket("chat.send", MESSAGES_PER_SECOND, Duration.ofSeconds(1),
      "at most " + MESSAGES_PER_SECOND + " messages per second");
  static final Quota URGENT = Quota.window("chat.urgent", URGENT_PER_HOUR, Duration.ofHours(1),
      "at most " + URGENT_PER_HOUR + " urgent messages per hour");
  /** 10 at once, then one every 3 s (20 a minute). */
  static final Quota EDIT = Quota.bucket("chat.edit", 10, Duration.ofSeconds(30), "at most 20 edits per minute");
  /** 20 at once, then one every 2 s (30 a minute): a moderator clears a burst of spam at once. */
  static final Quota DELETE = Quota.bucket("chat.delete", 20, Duration.ofSeconds(40),
      "at most 30 deletions per minute");
  /** Adding and removing alike: 20 at once, then one a second. */
  static final Quota REACT = Quota.bucket("chat.react", 20, Duration.ofSeconds(20),
      "at most 60 reactions per minute");
  static final Quota WORKSPACES_PER_HOUR = Quota.window("workspace.create.hour", 5, Duration.ofHours(1),
      "at most 5 new workspaces per hour");
  static final Quota WORKSPACES_PER_DAY = Quota.window("workspace.create.day", 20, Duration.ofDays(1),
      "at most 20 new workspaces per day");
  static final Quota INVITES = Quota.window("workspace.invite", 20, Duration.ofHours(1),
      "at most 20 new invites per hour");
  /** Every join by invite code, known or not: it also keeps codes from being guessed. */
  static final Quota JOINS = Quota.window("workspace.join", 20, Duration.ofHours(1),
      "at most 20 joins by invite per hour");

  private final RateLimiter limiter;

  RateLimits(RateLimiter limiter) {
    this.limiter = limiter;
  }

  Completable takeMessage(UUID userId) {
    return limiter.take(userId.toString(), WRITES, SEND);
  }

  Completable takeUrgent(UUID userId) {
    return limiter.take(userId.toString(), URGENT);
  }

  /** Channel and DM changes, joins, leaves, members, names and topics: the shared budget only. */
  Completable takeWrite(UUID userId) {
    return limiter.take(userId.toString(), WRITES);
  }

  Completable takeEdit(UUID userId) {
    return limiter.take(userId.toString(), WRITES, EDIT);
  }

  Completable takeDelete(UUID userId) {
    return limiter.take(userId.toString(), WRITES, DELETE);
  }

  Completable takeReaction(UUID userId) {
    return limiter.take(userId.toString(), WRITES, REACT);
  }

  Completable takeWorkspace(UUID userId) {
    return limiter.take(userId.toString(), WRITES, WORKSPACES_PER_HOUR, WORKSPACES_PER_DAY);
  }

  Completable takeInvite(UUID userId) {
    return limiter.take(userId.toString(), WRITES, INVITES);
  }

  Completable takeJoin(UUID userId) {
    return limiter.take(userId.toString(), WRITES, JOINS);
  }
}
