package dev.ocomms.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ocomms.shared.bus.Addresses;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;

/**
 * Which sessions are revoked, for as long as an access token of theirs can still be valid. A revocation is written
 * to Redis (every node of accounts reads it there, including nodes that start later), then announced on
 * {@link Addresses#SESSION_REVOKED}, which every gateway hears (they stop accepting the session's tokens and close its
 * bridge sockets) and every accounts instance remembers. The session's row in PostgreSQL is the record; Redis is the
 * fast answer for token checks.
 *
 * <p>Redis out of reach: a revocation is still announced (the nodes running now all hear it), and a check answers
 * from what this instance knows: the revocations it made or heard within a token's lifetime. Only a node that
 * started during the outage can miss one (for at most a token's lifetime); checks never fail for want of Redis.
 */
final class Revocations {
  private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);
  private static final String REVOKED_KEY = "ocomms:session:revoked:";
  /** An access token lives 15 minutes; a minute more covers clocks that differ a little. */
  private static final int REMEMBERED_SECONDS = Tokens.ACCESS_LIFETIME_SECONDS + 60;
  /**
   * Bounds the memory of revocations (a few hundred bytes each): far more than a cluster's logouts in a token's
   * lifetime. Beyond it, the least used are forgotten, and Redis answers for them again.
   */
  static final int MAX_REMEMBERED = 200_000;
  /** How often at most a Redis failure is logged here (every token check would log it). */
  private static final long FAILURE_LOG_INTERVAL_MS = 10_000;

  private final Vertx vertx;
  private final Redis redis;
  /** Sessions known revoked: answered without a Redis round trip, and the answer while Redis is out. */
  private final Cache<String, Boolean> revokedHere = Caffeine.newBuilder()
      .maximumSize(MAX_REMEMBERED)
      .expireAfterWrite(Duration.ofSeconds(REMEMBERED_SECONDS))
      .build();
  private long nextFailureLog;

  Revocations(Vertx vertx, Redis redis) {
    this.vertx = vertx;
    this.redis = redis;
  }

  /**
   * Records the revocation where every node reads it, then announces it cluster-wide. Announced even when Redis
   * cannot be written: the session is already revoked in PostgreSQL, and the running nodes must stop its tokens now.
   */
  Completable revoke(UUID sessionId, UUID userId) {
    revokedHere.put(sessionId.toString(), true);
    return redis.rxSend(Request.cmd(Command.SET).arg(REVOKED_KEY + sessionId).arg("1").arg("EX")
            .arg(REMEMBERED_SECONDS))
        .ignoreElement()
        .onErrorComplete(failure -> {
          redisFailed("revocation not written to Redis; announced only", failure);
          return true;
        })
        .doOnComplete(() -> vertx.eventBus().publish(Addresses.SESSION_REVOKED,
            new JsonObject().put("sessionId", sessionId.toString()).put("userId", userId.toString())));
  }

  /** Heard from another instance's announcement. */
  void remember(String sessionId) {
    revokedHere.put(sessionId, true);
  }

  /**
   * Whether the session was revoked within an access token's lifetime. Without Redis, what this instance knows: it
   * was not told of this session's revocation (else the answer came from memory above).
   */
  Single<Boolean> isRevoked(UUID sessionId) {
    if (revokedHere.getIfPresent(sessionId.toString()) != null) {
      return Single.just(true);
    }
    return redis.rxSend(Request.cmd(Command.EXISTS).arg(REVOKED_KEY + sessionId))
        .map(reply -> reply.toInteger() > 0)
        .defaultIfEmpty(false)
        .doOnSuccess(revoked -> {
          if (revoked) {
            revokedHere.put(sessionId.toString(), true);
          }
        })
        .onErrorReturn(failure -> {
          redisFailed("revocations checked from memory", failure);
          return revokedHere.getIfPresent(sessionId.toString()) != null;
        });
  }

  /** Logs a Redis failure once in a while: while Redis is out, every check meets one. */
  private void redisFailed(String consequence, Throwable failure) {
    long now = System.currentTimeMillis();
    if (now >= nextFailureLog) {
      nextFailureLog = now + FAILURE_LOG_INTERVAL_MS;
      LOG.warn("Redis unavailable, {}: {}", consequence, failure.toString());
    }
  }
}
