package dev.ocomms.uploads.inspect;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * The original name of an upload, made safe to keep as metadata and to show. Files are stored under server-made
 * names; this one is only ever displayed and offered back in {@code Content-Disposition}, so it must not carry a
 * path, line breaks (header injection), invisible or direction-changing characters (spoofing {@code gpj.exe}), or
 * more than a file system takes.
 */
public final class SafeNames {
  /** The most UTF-8 bytes a name keeps: what common file systems allow for one name. */
  public static final int MAX_BYTES = 255;
  /** What a name that has nothing left becomes. */
  public static final String FALLBACK = "file";
  /** An extension (with its dot) up to this many bytes survives shortening, so that the name still says its type. */
  private static final int MAX_KEPT_EXTENSION_BYTES = 16;

  private SafeNames() {
  }

  /**
   * The name's last path segment (clients on Windows may send {@code C:\fakepath\photo.jpg}), without control,
   * format and line-separator characters, trimmed, not made of dots alone, and at most {@link #MAX_BYTES} bytes of
   * UTF-8 without cutting a character; {@link #FALLBACK} when nothing is left.
   */
  public static String sanitize(String original) {
    if (original == null) {
      return FALLBACK;
    }
    // Composed form first: what a byte limit counts and what a user sees agree (macOS sends decomposed names).
    String name = Normalizer.normalize(original, Normalizer.Form.NFC);
    name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
    StringBuilder kept = new StringBuilder(name.length());
    name.codePoints().filter(SafeNames::visible).forEach(kept::appendCodePoint);
    name = kept.toString().strip();
    if (name.chars().allMatch(c -> c == '.')) {
      // Empty, ".", "..": nothing a person would call a name.
      return FALLBACK;
    }
    return shorten(name);
  }

  private static boolean visible(int codePoint) {
    int type = Character.getType(codePoint);
    return type != Character.CONTROL && type != Character.FORMAT && type != Character.LINE_SEPARATOR
        && type != Character.PARAGRAPH_SEPARATOR && type != Character.UNASSIGNED && type != Character.SURROGATE;
  }

  /** At most {@link #MAX_BYTES} of UTF-8, cut between characters, keeping a short extension. */
  private static String shorten(String name) {
    if (utf8Length(name) <= MAX_BYTES) {
      return name;
    }
    int dot = name.lastIndexOf('.');
    String extension = dot > 0 ? name.substring(dot) : "";
    if (utf8Length(extension) > MAX_KEPT_EXTENSION_BYTES) {
      extension = "";
    }
    String base = name.substring(0, name.length() - extension.length());
    return truncate(base, MAX_BYTES - utf8Length(extension)).strip() + extension;
  }

  private static String truncate(String text, int maxBytes) {
    StringBuilder kept = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      int size = utf8Length(new String(Character.toChars(codePoint)));
      if (bytes + size > maxBytes) {
        break;
      }
      kept.appendCodePoint(codePoint);
      bytes += size;
      i += Character.charCount(codePoint);
    }
    return kept.toString();
  }

  static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
