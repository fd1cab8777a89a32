package dev.ocomms.shared.errors;

import java.util.Arrays;
import java.util.Optional;

/**
 * The one catalogue of errors a client can see. Each code has a stable wire name (the {@code code} of a problem
 * document, the {@code failureType}/{@code message} of a bridge error reply), an HTTP status, and a numeric failure
 * code for event-bus replies (the same number as the status, so clients handle both transports alike).
 */
public enum ErrorCode {
  VALIDATION_FAILED("validation_failed", 400, "The request is not valid"),
  MALFORMED_JSON("malformed_json", 400, "The body is not valid JSON"),
  UNAUTHORIZED("unauthorized", 401, "Authentication is required or the token is not valid"),
  FORBIDDEN("forbidden", 403, "You may not do this"),
  NOT_FOUND("not_found", 404, "No such resource"),
  METHOD_NOT_ALLOWED("method_not_allowed", 405, "This method is not allowed here"),
  CONFLICT("conflict", 409, "This conflicts with existing data"),
  PAYLOAD_TOO_LARGE("payload_too_large", 413, "The body is too large"),
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, "This content type is not accepted"),
  RANGE_NOT_SATISFIABLE("range_not_satisfiable", 416, "The requested range is not within the file"),
  RATE_LIMITED("rate_limited", 429, "Too many requests; retry later"),
  UNAVAILABLE("unavailable", 503, "A service this needs is not available right now; retry later"),
  TIMEOUT("timeout", 504, "A service this needs did not answer in time; retry later"),
  INTERNAL("internal", 500, "Something went wrong on our side");

  private final String wireName;
  private final int httpStatus;
  private final String defaultMessage;

  ErrorCode(String wireName, int httpStatus, String defaultMessage) {
    this.wireName = wireName;
    this.httpStatus = httpStatus;
    this.defaultMessage = defaultMessage;
  }

  public String wireName() {
    return wireName;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The failure code of an event-bus error reply. */
  public int failureCode() {
    return httpStatus;
  }

  public String defaultMessage() {
    return defaultMessage;
  }

  public static Optional<ErrorCode> byWireName(String wireName) {
    return Arrays.stream(values()).filter(c -> c.wireName.equals(wireName)).findFirst();
  }
}
