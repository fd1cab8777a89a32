package dev.ocomms.uploads.inspect;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Set;

/**
 * How a stored file may be served: which detected types a browser may show inline, and the headers that keep any
 * file from running as a page of ours. The HTTP side sends, on every file response, the detected type,
 * {@code X-Content-Type-Options: nosniff}, {@link #CONTENT_SECURITY_POLICY} and {@link #contentDisposition}.
 */
public final class ServingPolicy {
  /**
   * Raster images a browser renders without running anything. SVG (scripts, external loads) and HTML are never
   * inline, whatever configuration allows to be uploaded.
   */
  public static final Set<String> INLINE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");

  /**
   * The {@code Content-Security-Policy} of every file response: a file opened directly is a sandboxed document of a
   * unique origin that loads nothing and runs nothing, even if a browser were to render it as a page.
   */
  public static final String CONTENT_SECURITY_POLICY =
      "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";

  /** Characters RFC 8187 ({@code attr-char}) lets stand unencoded in {@code filename*}. */
  private static final String ATTR_CHARS = "!#$&+-.^_`|~";

  private ServingPolicy() {
  }

  /** Whether a file of this detected type may be shown inline; anything else is served as an attachment. */
  public static boolean isInline(String detectedType) {
    return INLINE_TYPES.contains(detectedType);
  }

  /**
   * The RFC 6266 {@code Content-Disposition} value for a file of this detected type and (already sanitized) name:
   * {@code inline} for {@link #isInline} types, else {@code attachment}; {@code filename} an ASCII stand-in for old
   * clients, {@code filename*} the name itself, UTF-8 and percent-encoded.
   */
  public static String contentDisposition(String detectedType, String name) {
    return (isInline(detectedType) ? "inline" : "attachment")
        + "; filename=\"" + asciiFallback(name) + "\"; filename*=UTF-8''" + percentEncoded(name);
  }

  /**
   * Printable ASCII only: accents dropped ({@code é} → {@code e}), other characters, quotes, backslashes and
   * {@code %} (which some clients decode) replaced by {@code _}.
   */
  static String asciiFallback(String name) {
    String unaccented = Normalizer.normalize(name, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    StringBuilder ascii = new StringBuilder();
    unaccented.codePoints().forEach(c ->
        ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%' ? (char) c : '_'));
    return ascii.toString();
  }

  static String percentEncoded(String name) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ATTR_CHARS.indexOf(c) >= 0) {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return encoded.toString();
  }
}
