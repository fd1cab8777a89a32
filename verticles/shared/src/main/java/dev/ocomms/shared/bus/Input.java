package dev.ocomms.shared.bus;

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
 * The one validator of request bodies, used by every verticle: the fields of one body, read and validated. A missing or ill-typed field is {@code validation_failed} with
 * a detail and a {@code field} naming it; a malformed id is {@code not_found}, exactly like an id nothing has. JSON
 * {@code null} counts as absent.
 */
public final class Input {
  private final JsonObject body;

  private Input(JsonObject body) {
    this.body = body;
  }

  public static Input of(Object body) {
    if (body == null) {
      return new Input(new JsonObject());
    }
    if (body instanceof JsonObject json) {
      return new Input(json);
    }
    throw new OcommsException(ErrorCode.VALIDATION_FAILED, "the request body must be a JSON object");
  }

  public boolean has(String field) {
    return body.getValue(field) != null;
  }

  /** The id of the thing the request is about (a workspace, a chat, a member to remove). */
  public UUID id(String field) {
    return Ids.parse(string(field)).orElseThrow(() -> new OcommsException(ErrorCode.NOT_FOUND));
  }

  /** Required text, trimmed, 1 to {@code maxLength} characters, no control characters. */
  public String text(String field, int maxLength) {
    return checkedText(field, string(field).trim(), 1, maxLength);
  }

  /** Optional text, trimmed, {@code minLength} to {@code maxLength} characters, no control characters. */
  public Optional<String> optionalText(String field, int minLength, int maxLength) {
    return has(field) ? Optional.of(checkedText(field, string(field).trim(), minLength, maxLength)) : Optional.empty();
  }

  /** A name such as a channel's: trimmed and lower-cased, then it must match {@code pattern} ({@code rule} says how). */
  public String name(String field, Pattern pattern, String rule) {
    String name = string(field).trim().toLowerCase(Locale.ROOT);
    if (!pattern.matcher(name).matches()) {
      throw invalid(field, field + " must be " + rule);
    }
    return name;
  }

  public Optional<String> optionalName(String field, Pattern pattern, String rule) {
    return has(field) ? Optional.of(name(field, pattern, rule)) : Optional.empty();
  }

  public Optional<Integer> optionalInt(String field, int min, int max) {
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

  public Optional<Boolean> optionalBool(String field) {
    if (!has(field)) {
      return Optional.empty();
    }
    if (!(body.getValue(field) instanceof Boolean value)) {
      throw invalid(field, field + " must be true or false");
    }
    return Optional.of(value);
  }

  /** A required array of strings with at most {@code maxItems} items. */
  public List<String> strings(String field, int maxItems) {
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
  public Optional<Long> optionalLong(String field, long min, long max) {
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
  public JsonArray array(String field) {
    if (!(body.getValue(field) instanceof JsonArray array)) {
      throw invalid(field, field + " is required and must be an array");
    }
    return array;
  }

  /** A required JSON object. */
  public JsonObject object(String field) {
    if (!(body.getValue(field) instanceof JsonObject object)) {
      throw invalid(field, field + " is required and must be an object");
    }
    return object;
  }

  /** A required string field, untrimmed. */
  public String string(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      throw invalid(field, field + " is required");
    }
    if (!(value instanceof String text)) {
      throw invalid(field, field + " must be a string");
    }
    return text;
  }

  public static OcommsException invalid(String field, String detail) {
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
