package dev.ocomms.shared.bus;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.StoreOutages;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.rxjava3.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The one translation between {@link OcommsException} and event-bus failures. A failed reply carries the catalogue's
 * failure code and, as its message, a JSON object {@code {"code", "detail", ...details}} so that machine-readable
 * details (such as {@code retryAfter}) survive the trip.
 */
public final class BusErrors {
  private static final Logger LOG = LoggerFactory.getLogger(BusErrors.class);

  private BusErrors() {
  }

  /** How often at most an outage of PostgreSQL or Redis is logged (every request fails while it lasts). */
  private static final long OUTAGE_LOG_INTERVAL_MS = 10_000;
  private static final AtomicLong nextOutageLog = new AtomicLong();

  /**
   * Answers a request with the failure. PostgreSQL or Redis out of reach is {@code unavailable} with
   * {@code retryAfter}; other unexpected failures are logged and answered as {@code internal}.
   */
  public static void fail(Message<?> request, Throwable failure) {
    OcommsException problem = failure instanceof OcommsException known ? known
        : failure instanceof ConnectionPoolTooBusyException ? overloaded()
        : collided(failure) ? collision()
        : StoreOutages.isOutage(failure) ? outage(request, failure) : unexpected(request, failure);
    request.fail(problem.code().failureCode(), encode(problem));
  }

  /** A store is out: logged once in a while, not per request (they all fail alike until it is back). */
  private static OcommsException outage(Message<?> request, Throwable failure) {
    long now = System.currentTimeMillis();
    long next = nextOutageLog.get();
    if (now >= next && nextOutageLog.compareAndSet(next, now + OUTAGE_LOG_INTERVAL_MS)) {
      LOG.warn("a data store is unreachable; requests are answered unavailable: address={} failure={}",
          request.address(), failure.toString());
    }
    return StoreOutages.unavailable();
  }

  /**
   * A store's connection pool has as many requests waiting as it accepts: the node is overloaded, and the client
   * should back off and retry. Not logged per request (that would add to the overload); the pools' metrics show it.
   */
  private static OcommsException overloaded() {
    return new OcommsException(ErrorCode.UNAVAILABLE, "the server is too busy right now; retry shortly",
        new JsonObject().put("retryAfter", 1));
  }

  /**
   * PostgreSQL broke a deadlock or a serialization conflict by cancelling this request's transaction: nothing of it
   * was stored, and the same request again normally succeeds. The owners order their locks to avoid these; one that
   * slips through is the client's to retry, not an internal error.
   */
  private static boolean collided(Throwable failure) {
    return failure instanceof PgException pg
        && ("40P01".equals(pg.getSqlState()) || "40001".equals(pg.getSqlState()));
  }

  private static OcommsException collision() {
    return new OcommsException(ErrorCode.UNAVAILABLE, "the request collided with another one; retry it",
        new JsonObject().put("retryAfter", 1));
  }

  public static String encode(OcommsException problem) {
    return new JsonObject().put("code", problem.code().wireName()).put("detail", problem.getMessage())
        .mergeIn(problem.details()).encode();
  }

  /** What a requester sees when its request failed: the owner's catalogued error, or unavailable / timeout. */
  public static OcommsException fromFailure(Throwable failure) {
    if (failure instanceof OcommsException known) {
      return known;
    }
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return new OcommsException(ErrorCode.UNAVAILABLE, "no service is handling this request right now");
      }
      if (reply.failureType() == ReplyFailure.TIMEOUT) {
        return new OcommsException(ErrorCode.TIMEOUT);
      }
      try {
        JsonObject body = new JsonObject(reply.getMessage());
        ErrorCode code = ErrorCode.byWireName(body.getString("code", "")).orElse(ErrorCode.INTERNAL);
        JsonObject details = body.copy();
        details.remove("code");
        details.remove("detail");
        return new OcommsException(code, body.getString("detail"), details);
      } catch (DecodeException | ClassCastException e) {
        return new OcommsException(ErrorCode.INTERNAL);
      }
    }
    return new OcommsException(ErrorCode.INTERNAL);
  }

  private static OcommsException unexpected(Message<?> request, Throwable failure) {
    LOG.error("request failed: address={}", request.address(), failure);
    return new OcommsException(ErrorCode.INTERNAL);
  }
}
