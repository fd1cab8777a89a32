package dev.ocomms.shared.errors;

import io.vertx.core.json.JsonObject;

/**
 * A failure a client should see: a catalogued code, a human message, and optional machine-readable details
 * (for example {@code retryAfter} in seconds for {@link ErrorCode#RATE_LIMITED}, or a {@link Reason}). Never carries
 * message content.
 */
public class OcommsException extends RuntimeException {
  private final ErrorCode code;
  private final JsonObject details;

  public OcommsException(ErrorCode code, String message, JsonObject details) {
    super(message == null ? code.defaultMessage() : message, null, false, false);
    this.code = code;
    this.details = details == null ? new JsonObject() : details;
  }

  public OcommsException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public OcommsException(ErrorCode code) {
    this(code, null, null);
  }

  /** A failure with a stable reason under its category: {@code reason} joins the details. */
  public OcommsException(Reason reason, String message, JsonObject details) {
    this(reason.category(), message,
        (details == null ? new JsonObject() : details.copy()).put("reason", reason.wireName()));
  }

  public OcommsException(Reason reason, String message) {
    this(reason, message, null);
  }

  public ErrorCode code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }

  /**
   * This failure as an {@code application/problem+json} document (RFC 9457), as every HTTP answer of OComms carries
   * it: the catalogue's type, title, status and code, this message as the detail, and the details.
   */
  public JsonObject toProblem() {
    JsonObject body = new JsonObject()
        .put("type", "https://ocomms.dev/problems/" + code.wireName())
        .put("title", code.defaultMessage())
        .put("status", code.httpStatus())
        .put("code", code.wireName())
        .put("detail", getMessage());
    details.forEach(entry -> body.put(entry.getKey(), entry.getValue()));
    return body;
  }
}
