package dev.ocomms.uploads.storage;

import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonObject;

/**
 * A part of an object to read: from {@code offset}, {@code length} bytes, or to the end. An HTTP {@code Range} header
 * turns into one of these once the caller has resolved suffix ranges ({@code bytes=-500}) against the size it knows.
 */
public record ByteRange(long offset, long length) {
  private static final long TO_END = -1;

  /** Every byte of the object. */
  public static final ByteRange WHOLE = from(0);

  public ByteRange {
    if (offset < 0 || (length < 0 && length != TO_END)) {
      throw new IllegalArgumentException("not a byte range: offset=" + offset + " length=" + length);
    }
  }

  /** {@code length} bytes from {@code offset} (fewer if the object ends before). */
  public static ByteRange of(long offset, long length) {
    return new ByteRange(offset, length);
  }

  /** From {@code offset} to the end of the object. */
  public static ByteRange from(long offset) {
    return new ByteRange(offset, TO_END);
  }

  /**
   * How many bytes this range covers in an object of {@code totalSize} bytes: cut at its end.
   *
   * @throws OcommsException {@code validation_failed} when the range starts at or past the end of a non-empty
   *     object (HTTP's "range not satisfiable")
   */
  public long lengthWithin(long totalSize) {
    if (offset > 0 && offset >= totalSize) {
      throw new OcommsException(ErrorCode.VALIDATION_FAILED,
          "The range starts at byte " + offset + ", past the end of the file (" + totalSize + " bytes)",
          new JsonObject().put("size", totalSize));
    }
    long available = totalSize - offset;
    return length == TO_END ? available : Math.min(length, available);
  }
}
