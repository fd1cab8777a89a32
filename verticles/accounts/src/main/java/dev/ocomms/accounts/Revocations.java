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

import java.time.Duration;
import java.util.UUID;

/**
 * Which sessions are revoked, for as long as an access token of theirs can still be valid. A revocation is written
 * to Redis before anyone is told (every node of accounts reads it there, so none can miss it), then announced on
 * {@link Addresses#SESSION_REVOKED}, which every gateway hears (they stop accepting the session's tokens and close its
 * bridge sockets). The session's row in PostgreSQL is the record; Redis is the fast answer for token checks.
 */
final class Revocations {
  private static final String REVOKED_KEY = "ocomms:session:revoked:";
  /** An access token lives 15 minutes; a minute more covers clocks that differ a little. */
  private static final int REMEMBERED_SECONDS = Tokens.ACCESS_LIFETIME_SECONDS + 60;

  private final Vertx vertx;
  private final Redis redis;
  /** Sessions known revoked: answered without a Redis round trip. */
  private final Cache<String, Boolean> revokedHere = Caffeine.newBuilder()
      .expireAfterWrite(Duration.ofSeconds(REMEMBERED_SECONDS))
      .build();

  Revocations(Vertx vertx, Redis redis) {
    this.vertx = vertx;
    this.redis = redis;
  }

  /** Records the revocation where every node reads it, then announces it cluster-wide. */
  Completable revoke(UUID sessionId, UUID userId) {
    revokedHere.put(sessionId.toString(), true);
    return redis.rxSend(Request.cmd(Command.SET).arg(REVOKED_KEY + sessionId).arg("1").arg("EX")
            .arg(REMEMBERED_SECONDS))
        .ignoreElement()
        .doOnComplete(() -> vertx.eventBus().publish(Addresses.SESSION_REVOKED,
            new JsonObject().put("sessionId", sessionId.toString()).put("userId", userId.toString())));
  }

  /** Heard from another instance's announcement. */
  void remember(String sessionId) {
    revokedHere.put(sessionId, true);
  }

  /** Whether the session was revoked within an access token's lifetime. */
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
        });
  }
}
