package dev.ocomms.integrations;

import dev.ocomms.shared.Ids;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * One signed call of a command or outgoing webhook with its retries: up to {@value #RETRIES} more attempts on a 5xx
 * answer, a timeout or a failed connection, after {@value #FIRST_BACKOFF_MS} ms, then twice as long each time; every
 * attempt is recorded in the owner's delivery log (never the body, never the secret). A URL refused by the SSRF checks,
 * a 4xx answer or a reply too large are not retried.
 */
final class Deliveries {
  private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);
  static final int RETRIES = 3;
  static final long FIRST_BACKOFF_MS = 500;

  private final Vertx vertx;
  private final Outbound outbound;
  private final CommandStore store;

  Deliveries(Vertx vertx, Outbound outbound, CommandStore store) {
    this.vertx = vertx;
    this.outbound = outbound;
    this.store = store;
  }

  /** What a call came to: the 2xx reply, or empty (the failure is in the log). */
  Maybe<Outbound.Reply> call(UUID ownerId, String url, String contentType, Buffer body, String secret,
                             long timeoutMs) {
    return attempt(ownerId, url, contentType, body, secret, timeoutMs, 1);
  }

  private Maybe<Outbound.Reply> attempt(UUID ownerId, String url, String contentType, Buffer body, String secret,
                                        long timeoutMs, int attempt) {
    long started = System.currentTimeMillis();
    // Signed at each attempt: the timestamp is the attempt's (receivers refuse old ones).
    return outbound.post(url, contentType, body, Outbound.signed(secret, body, started / 1000), timeoutMs)
        .flatMapMaybe(reply -> {
          long took = System.currentTimeMillis() - started;
          boolean ok = reply.status() >= 200 && reply.status() < 300;
          boolean retry = reply.status() >= 500 && attempt <= RETRIES;
          return record(ownerId, ok ? "ok" : "failed", reply.status(), ok ? null : "HTTP " + reply.status(), took,
              attempt)
              .andThen(ok ? Maybe.just(reply)
                  : retry ? later(ownerId, url, contentType, body, secret, timeoutMs, attempt) : Maybe.empty());
        })
        .onErrorResumeNext(failure -> {
          long took = System.currentTimeMillis() - started;
          Outbound.CallFailure call = failure instanceof Outbound.CallFailure f ? f
              : new Outbound.CallFailure("failed: " + failure.getClass().getSimpleName(), false, true);
          boolean retry = call.transientFailure && attempt <= RETRIES;
          return record(ownerId, call.refused ? "refused" : "failed", null, call.getMessage(), took, attempt)
              .andThen(retry ? later(ownerId, url, contentType, body, secret, timeoutMs, attempt) : Maybe.empty());
        });
  }

  private Maybe<Outbound.Reply> later(UUID ownerId, String url, String contentType, Buffer body, String secret,
                                      long timeoutMs, int attempt) {
    long backoff = FIRST_BACKOFF_MS << (attempt - 1);
    return io.reactivex.rxjava3.core.Completable.timer(backoff, java.util.concurrent.TimeUnit.MILLISECONDS,
            io.vertx.rxjava3.core.RxHelper.scheduler(vertx))
        .andThen(Maybe.defer(() -> attempt(ownerId, url, contentType, body, secret, timeoutMs, attempt + 1)));
  }

  private Completable record(UUID ownerId, String status, Integer httpStatus, String error, long took, int attempt) {
    return store.recordDelivery(Ids.next(), ownerId, status, httpStatus, error, took, attempt)
        .doOnError(e -> LOG.warn("delivery not recorded: owner={} reason={}", ownerId, e.toString()))
        .onErrorComplete();
  }

  /** A signing secret: 32 random bytes, hex (as Slack's are hex). */
  static String newSecret() {
    byte[] bytes = new byte[32];
    new java.security.SecureRandom().nextBytes(bytes);
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
