package dev.ocomms.messaging;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The fields of one request body, read and validated. A missing or ill-typed field is {@code validation_failed} with
 * a detail and a {@code field} naming it; a malformed id is {@code not_found}, exactly like an id nothing has. JSON
 * {@code null} counts as absent.
 */
final class Input {
  /** Slack-like channel names, after trimming and lower-casing: ASCII letters, digits, '-' and '_'. */
  private static final Pattern CHANNEL_NAME = Pattern.compile("[a-z0-9_-]{1,80}");

  private final JsonObject body;

  private Input(JsonObject body) {
    this.body = body;
  }

  static Input of(Object body) {
    if (body == null) {
      return new Input(new JsonObject());
    }
    if (body instanceof JsonObject json) {
      return new Input(json);
    }
    throw new OcommsException(ErrorCode.VALIDATION_FAILED, "the request body must be a JSON object");
  }

  boolean has(String field) {
    return body.getValue(field) != null;
  }

  /** The id of the thing the request is about (a workspace, a chat, a member to remove). */
  UUID id(String field) {
    return Ids.parse(string(field)).orElseThrow(() -> new OcommsException(ErrorCode.NOT_FOUND));
  }

  /** Required text, trimmed, 1 to {@code maxLength} characters, no control characters. */
  String text(String field, int maxLength) {
    return checkedText(field, string(field).trim(), 1, maxLength);
  }

  /** Optional text, trimmed, {@code minLength} to {@code maxLength} characters, no control characters. */
  Optional<String> optionalText(String field, int minLength, int maxLength) {
    return has(field) ? Optional.of(checkedText(field, string(field).trim(), minLength, maxLength)) : Optional.empty();
  }

  /** A channel name: trimmed and lower-cased, then 1-80 of a-z, 0-9, '-' and '_'. */
  String channelName(String field) {
    String name = string(field).trim().toLowerCase(Locale.ROOT);
    if (!CHANNEL_NAME.matcher(name).matches()) {
      throw invalid(field, field + " must be 1 to 80 characters: lower-case letters, digits, '-' and '_'");
    }
    return name;
  }

  Optional<String> optionalChannelName(String field) {
    return has(field) ? Optional.of(channelName(field)) : Optional.empty();
  }

  Optional<Integer> optionalInt(String field, int min, int max) {
    if (!has(field)) {
      return Optional.empty();
    }
    Object value = body.getValue(field);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
        || ((Number) value).longValue() > max) {
      throw invalid(field, field + " must be a whole number from " + min + " to " + max);
    }
    return Optional.of(((Number) value).intValue());
  }

  Optional<Boolean> optionalBool(String field) {
    if (!has(field)) {
      return Optional.empty();
    }
    if (!(body.getValue(field) instanceof Boolean value)) {
      throw invalid(field, field + " must be true or false");
    }
    return Optional.of(value);
  }

  /** A required array of strings with at most {@code maxItems} items. */
  List<String> strings(String field, int maxItems) {
    if (!(body.getValue(field) instanceof JsonArray array)) {
      throw invalid(field, field + " is required and must be an array");
    }
    if (array.size() > maxItems) {
      throw invalid(field, field + " may have at most " + maxItems + " items");
    }
    List<String> items = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw invalid(field, field + " must contain only strings");
      }
      items.add(text);
    }
    return items;
  }

  /** An optional whole number in [min, max]. */
  Optional<Long> optionalLong(String field, long min, long max) {
    if (!has(field)) {
      return Optional.empty();
    }
    Object value = body.getValue(field);
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
        || ((Number) value).longValue() > max) {
      throw invalid(field, field + " must be a whole number from " + min + " to " + max);
    }
    return Optional.of(((Number) value).longValue());
  }

  /** A required JSON array. */
  JsonArray array(String field) {
    if (!(body.getValue(field) instanceof JsonArray array)) {
      throw invalid(field, field + " is required and must be an array");
    }
    return array;
  }

  /** A required JSON object. */
  JsonObject object(String field) {
    if (!(body.getValue(field) instanceof JsonObject object)) {
      throw invalid(field, field + " is required and must be an object");
    }
    return object;
  }

  /** A required string field, untrimmed. */
  String string(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      throw invalid(field, field + " is required");
    }
    if (!(value instanceof String text)) {
      throw invalid(field, field + " must be a string");
    }
    return text;
  }

  static OcommsException invalid(String field, String detail) {
    return new OcommsException(ErrorCode.VALIDATION_FAILED, detail, new JsonObject().put("field", field));
  }

  private static String checkedText(String field, String text, int minLength, int maxLength) {
    int length = text.codePointCount(0, text.length());
    if (length < minLength || length > maxLength) {
      throw invalid(field, field + " must be " + minLength + " to " + maxLength + " characters");
    }
    if (text.chars().anyMatch(Character::isISOControl)) {
      throw invalid(field, field + " must not contain control characters");
    }
    return text;
  }
}
