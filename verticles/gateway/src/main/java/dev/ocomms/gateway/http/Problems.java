package dev.ocomms.gateway.http;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.rxjava3.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure on an HTTP route into an {@code application/problem+json} document (RFC 9457) with a stable
 * {@code code} from {@link ErrorCode}. Unexpected failures are logged (without request bodies) and answered as
 * {@code internal}; a client never sees a stack trace.
 */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  public static final String CONTENT_TYPE = "application/problem+json";

  private Problems() {
  }

  /** The failure handler for a router. */
  public static void handleFailure(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    send(ctx, toException(ctx.failure(), ctx.statusCode()));
  }

  public static void send(RoutingContext ctx, OcommsException problem) {
    ErrorCode code = problem.code();
    if (code == ErrorCode.INTERNAL) {
      LOG.error("request failed: method={} route={}", ctx.request().method(), ctx.currentRoute() == null
          ? "-" : ctx.currentRoute().getPath(), ctx.failure());
    }
    JsonObject body = new JsonObject()
        .put("type", "https://ocomms.dev/problems/" + code.wireName())
        .put("title", code.defaultMessage())
        .put("status", code.httpStatus())
        .put("code", code.wireName())
        .put("detail", problem.getMessage());
    problem.details().forEach(entry -> body.put(entry.getKey(), entry.getValue()));
    var response = ctx.response().setStatusCode(code.httpStatus()).putHeader("Content-Type", CONTENT_TYPE);
    Object retryAfter = problem.details().getValue("retryAfter");
    if (retryAfter != null) {
      response.putHeader("Retry-After", String.valueOf(retryAfter));
    }
    response.end(body.encode()).subscribe(() -> { }, e -> { });
  }

  static OcommsException toException(Throwable failure, int statusCode) {
    if (failure instanceof OcommsException known) {
      return known;
    }
    if (failure instanceof DecodeException) {
      return new OcommsException(ErrorCode.MALFORMED_JSON);
    }
    if (failure instanceof ValidatorException invalid) {
      // The OpenAPI validator's message names the parameter or schema keyword that failed.
      return new OcommsException(invalid.getMessage() != null && invalid.getMessage().contains("JSON")
          && invalid.getMessage().toLowerCase(java.util.Locale.ROOT).contains("pars")
          ? ErrorCode.MALFORMED_JSON : ErrorCode.VALIDATION_FAILED, invalid.getMessage());
    }
    if (statusCode == 413) {
      return new OcommsException(ErrorCode.PAYLOAD_TOO_LARGE);
    }
    if (failure == null) {
      return switch (statusCode) {
        case 400 -> new OcommsException(ErrorCode.VALIDATION_FAILED);
        case 401 -> new OcommsException(ErrorCode.UNAUTHORIZED);
        case 403 -> new OcommsException(ErrorCode.FORBIDDEN);
        case 404 -> new OcommsException(ErrorCode.NOT_FOUND);
        case 405 -> new OcommsException(ErrorCode.METHOD_NOT_ALLOWED);
        case 413 -> new OcommsException(ErrorCode.PAYLOAD_TOO_LARGE);
        case 415 -> new OcommsException(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
        case 429 -> new OcommsException(ErrorCode.RATE_LIMITED);
        case 503 -> new OcommsException(ErrorCode.UNAVAILABLE);
        default -> new OcommsException(statusCode >= 400 && statusCode < 500
            ? ErrorCode.VALIDATION_FAILED : ErrorCode.INTERNAL);
      };
    }
    return new OcommsException(ErrorCode.INTERNAL);
  }
}
