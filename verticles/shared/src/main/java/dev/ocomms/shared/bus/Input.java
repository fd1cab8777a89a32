package dev.ocomms.shared.bus;

import dev.ocomms.shared.Ids;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one validator of request bodies, used by every verticle: the fields of one body, read and validated. A missing or
 * ill-typed field is {@code validation_failed} with a detail and a {@code field} naming it; a malformed id is
 * {@code not_found}, exactly like an id nothing has. JSON {@code null} counts as absent.
 *
 * <p>Text rules, for every string field: no NUL (PostgreSQL refuses it in text, and one NUL would fail the statement
 * of everything stored with it) and no unpaired surrogate (it cannot be encoded as UTF-8; it would be stored as
 * {@code ?}). Names and other single-line text ({@link #text}, {@link #optionalText}, {@link #name}) are normalized
 * to NFC and refuse control characters (line breaks and tabs included), format characters (Unicode Cf: zero-width
 * characters, bidi overrides and isolates) and line or paragraph separators, which could make one name look like
 * another. Multi-line text ({@link #multilineText}) keeps tabs and line breaks and refuses the other C0 controls.
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

  /** Whether the field is there at all, even as null (a null that clears a setting). */
  public boolean given(String field) {
    return body.containsKey(field);
  }

  public boolean has(String field) {
    return body.getValue(field) != null;
  }

  /** The id of the thing the request is about (a workspace, a chat, a member to remove). */
  public UUID id(String field) {
    // Unchecked text: whatever it holds, a string that is no id answers like an unknown id.
    return Ids.parse(anyString(field)).orElseThrow(() -> new OcommsException(ErrorCode.NOT_FOUND));
  }

  /**
   * Required single-line text such as a display name, a workspace name or a topic: NFC, trimmed, 1 to
   * {@code maxLength} characters (code points), no control, format or separator characters.
   */
  public String text(String field, int maxLength) {
    return singleLine(field, string(field), 1, maxLength);
  }

  /** Optional single-line text, as {@link #text}, {@code minLength} to {@code maxLength} characters. */
  public Optional<String> optionalText(String field, int minLength, int maxLength) {
    return has(field) ? Optional.of(singleLine(field, string(field), minLength, maxLength)) : Optional.empty();
  }

  /**
   * Required multi-line text such as a message's content, as given (neither trimmed nor normalized): tabs and line
   * breaks ({@code \n}, {@code \r}) are kept, the other C0 control characters are refused. Its owner bounds its size.
   */
  public String multilineText(String field) {
    String text = string(field);
    if (text.chars().anyMatch(c -> c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
      throw invalid(field, field + " must not contain control characters other than tabs and line breaks");
    }
    return text;
  }

  /**
   * A name such as a channel's: NFC, trimmed and lower-cased, then it must match {@code pattern} ({@code rule} says
   * how); control, format and separator characters are refused whatever the pattern.
   */
  public String name(String field, Pattern pattern, String rule) {
    String name = singleLine(field, string(field), 0, Integer.MAX_VALUE).toLowerCase(Locale.ROOT);
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
      items.add(encodable(field, text));
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

  /**
   * A required string field, untrimmed and otherwise as given, except that it holds no NUL and no unpaired surrogate
   * (the rules of every text field).
   */
  public String string(String field) {
    return encodable(field, anyString(field));
  }

  private String anyString(String field) {
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

  /** Text PostgreSQL can store as it is: no NUL, and every surrogate in a pair. */
  private static String encodable(String field, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        throw invalid(field, field + " must not contain NUL characters");
      }
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw invalid(field, field + " must not contain unpaired surrogate characters");
      }
    }
    return text;
  }

  /** NFC, trimmed, {@code minLength} to {@code maxLength} code points, nothing that hides or breaks a line. */
  private static String singleLine(String field, String raw, int minLength, int maxLength) {
    String text = Normalizer.normalize(raw, Normalizer.Form.NFC).trim();
    if (text.codePoints().anyMatch(Input::hiddenOrBreaking)) {
      throw invalid(field, field + " must not contain control, format (zero-width, bidi) or line-break characters");
    }
    int length = text.codePointCount(0, text.length());
    if (length < minLength || length > maxLength) {
      throw invalid(field, field + " must be " + minLength + " to " + maxLength + " characters");
    }
    return text;
  }

  private static boolean hiddenOrBreaking(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
