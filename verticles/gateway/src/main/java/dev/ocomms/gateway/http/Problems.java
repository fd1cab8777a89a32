package dev.ocomms.gateway.http;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.rxjava3.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns every failure on an HTTP route into an {@code application/problem+json} document (RFC 9457) with a stable
 * {@code code} from {@link ErrorCode}. Unexpected failures are logged (without request bodies) and answered as
 * {@code internal}; a client never sees a stack trace.
 */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  public static final String CONTENT_TYPE = "application/problem+json";
  /** How the contract validator names a parameter it refuses ("The value of query parameter limit is invalid"). */
  private static final Pattern PARAMETER = Pattern.compile("(?:query|path|header|cookie) parameter ([^\\s.]+)");

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
      LOG.error("request failed: method={} route={} client={}", ctx.request().method(), ctx.currentRoute() == null
          ? "-" : ctx.currentRoute().getPath(), ClientAddresses.of(ctx), ctx.failure());
    }
    JsonObject body = problem.toProblem();
    var response = ctx.response().setStatusCode(code.httpStatus()).putHeader("Content-Type", CONTENT_TYPE);
    Object retryAfter = problem.details().getValue("retryAfter");
    if (retryAfter != null) {
      response.putHeader("Retry-After", String.valueOf(retryAfter));
    }
    response.end(body.encode()).subscribe(() -> { }, e -> { });
  }

  static OcommsException toException(Throwable failure, int statusCode) {
    if (failure instanceof HttpException http) {
      // Vert.x Web wraps what its handlers reject (the contract validator, the body handler) with a status.
      return http.getCause() == null || http.getCause() == http
          ? byStatus(http.getStatusCode())
          : toException(http.getCause(), http.getStatusCode());
    }
    if (failure instanceof OcommsException known) {
      return known;
    }
    if (failure instanceof DecodeException) {
      return new OcommsException(ErrorCode.MALFORMED_JSON);
    }
    if (failure instanceof ValidatorException invalid) {
      return fromValidator(invalid);
    }
    if (failure == null || statusCode >= 400 && statusCode < 500) {
      // A status without a catalogued cause (no route, wrong method, body too large, ...): the status says it all.
      return byStatus(statusCode);
    }
    return new OcommsException(ErrorCode.INTERNAL);
  }

  /** The contract validator's verdict; its message names the parameter or schema keyword that failed. */
  private static OcommsException fromValidator(ValidatorException invalid) {
    String message = invalid.getMessage();
    if (invalid.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT && message != null
        && message.contains("body")) {
      return new OcommsException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type: application/json required");
    }
    if (invalid.type() == ValidatorErrorType.ILLEGAL_VALUE && message != null && message.contains("decoded")) {
      return new OcommsException(ErrorCode.MALFORMED_JSON);
    }
    Matcher parameter = message == null ? null : PARAMETER.matcher(message);
    return parameter != null && parameter.find()
        ? new OcommsException(ErrorCode.VALIDATION_FAILED, message, new JsonObject().put("field", parameter.group(1)))
        : new OcommsException(ErrorCode.VALIDATION_FAILED, message);
  }

  private static OcommsException byStatus(int statusCode) {
    ErrorCode code = switch (statusCode) {
      case 400 -> ErrorCode.VALIDATION_FAILED;
      case 401 -> ErrorCode.UNAUTHORIZED;
      case 403 -> ErrorCode.FORBIDDEN;
      case 404 -> ErrorCode.NOT_FOUND;
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
      case 429 -> ErrorCode.RATE_LIMITED;
      case 503 -> ErrorCode.UNAVAILABLE;
      default -> statusCode >= 400 && statusCode < 500 ? ErrorCode.VALIDATION_FAILED : ErrorCode.INTERNAL;
    };
    return new OcommsException(code);
  }
}
