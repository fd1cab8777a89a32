package dev.ocomms.uploads;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.rxjava3.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * What every handler of the uploads HTTP port needs: the caller the gateway vouched for, ids from the path, and answers
 * (JSON, or a problem document in the one error model).
 */
final class HttpExchange {
  private static final Logger LOG = LoggerFactory.getLogger(HttpExchange.class);
  private static final String LIMIT_KEY = "ocomms.uploads.limit";

  private HttpExchange() {
  }

  /**
   * The authenticated caller: the gateway verified the access token and put the user in {@link Caller#USER_HEADER}
   * (it removes any such header a client sent). Only the gateway reaches this port (docs/operations.md).
   */
  static Caller caller(RoutingContext ctx) {
    String user = ctx.request().getHeader(Caller.USER_HEADER);
    if (user == null || Ids.parse(user).isEmpty()) {
      throw new OcommsException(ErrorCode.UNAUTHORIZED, "Authorization: Bearer <accessToken> required");
    }
    return new Caller(user, ctx.request().getHeader(Caller.SESSION_HEADER));
  }

  static UUID callerId(RoutingContext ctx) {
    return UUID.fromString(caller(ctx).userId());
  }

  /** An id from the path; a malformed one names nothing, exactly like an unknown one. */
  static UUID pathId(RoutingContext ctx, String name) {
    return Ids.parse(ctx.pathParam(name))
        .orElseThrow(() -> new OcommsException(ErrorCode.NOT_FOUND, "no such " + name.replace("Id", "")));
  }

  /** Remembers the size limit of this request's body, for the answer when the body is larger. */
  static void limitBodyTo(RoutingContext ctx, long limitBytes) {
    ctx.put(LIMIT_KEY, limitBytes);
  }

  static OcommsException tooLarge(long limitBytes) {
    return new OcommsException(Reason.UPLOAD_TOO_LARGE, "a file may be at most " + limitBytes + " bytes",
        new JsonObject().put("limitBytes", limitBytes));
  }

  /** Bodies refused before they were read, up to this size, are read and dropped (larger ones end the connection). */
  static final long DRAIN_LIMIT_BYTES = 32L * 1024 * 1024;

  /**
   * What becomes of the unread body of a refused request: a client that sends its whole body before it reads the
   * answer must get to read it, so a small body is read and dropped; a large one (or one too large to take at all,
   * or one of unknown length) is not read, and the connection ends with the answer.
   */
  static void refuseBody(RoutingContext ctx, boolean tooLarge) {
    var request = ctx.request().getDelegate();
    if (request.isEnded()) {
      return;
    }
    long declared = declaredLength(request);
    if (tooLarge || declared < 0 || declared > DRAIN_LIMIT_BYTES) {
      ctx.response().putHeader("Connection", "close");
    } else {
      request.handler(dropped -> { }).resume();
    }
  }

  static long declaredLength(io.vertx.core.http.HttpServerRequest request) {
    String length = request.getHeader("Content-Length");
    try {
      return length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(body.encode()).subscribe(() -> { }, e -> { });
  }

  /** The failure handler: every failure becomes a problem document; the unexpected is logged, never shown. */
  static void fail(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Throwable failure = ctx.failure();
    Long limit = ctx.get(LIMIT_KEY);
    OcommsException problem;
    if (failure instanceof OcommsException known) {
      problem = known;
    } else if (ctx.statusCode() == 413 || failure instanceof HttpException http && http.getStatusCode() == 413) {
      // The body handler stopped reading a body past its limit.
      problem = tooLarge(limit == null ? 0 : limit);
    } else if (failure instanceof HttpException http && http.getStatusCode() >= 400 && http.getStatusCode() < 500) {
      problem = new OcommsException(ErrorCode.VALIDATION_FAILED, "the request could not be read as multipart/form-data",
          new JsonObject().put("field", "file"));
    } else {
      LOG.error("uploads request failed: method={} path={}", ctx.request().method(), ctx.request().path(), failure);
      problem = new OcommsException(ErrorCode.INTERNAL);
    }
    var response = ctx.response().setStatusCode(problem.code().httpStatus())
        .putHeader("Content-Type", "application/problem+json");
    refuseBody(ctx, problem.code() == ErrorCode.PAYLOAD_TOO_LARGE);
    if (problem.code() == ErrorCode.RANGE_NOT_SATISFIABLE) {
      response.putHeader("Content-Range", "bytes */" + problem.details().getValue("size"));
    }
    Object retryAfter = problem.details().getValue("retryAfter");
    if (retryAfter != null) {
      response.putHeader("Retry-After", String.valueOf(retryAfter));
    }
    response.end(problem.toProblem().encode()).subscribe(() -> { }, e -> { });
  }
}
