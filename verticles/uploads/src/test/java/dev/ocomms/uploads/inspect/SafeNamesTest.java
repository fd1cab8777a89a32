package dev.ocomms.uploads.inspect;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("An upload's original name, made safe")
class SafeNamesTest {
  @Test
  @DisplayName("a path-traversal name keeps only its last segment, with / or \\ separators")
  void pathTraversal() {
    assertThat(SafeNames.sanitize("../../etc/passwd")).isEqualTo("passwd");
    assertThat(SafeNames.sanitize("..\\..\\windows\\win.ini")).isEqualTo("win.ini");
    assertThat(SafeNames.sanitize("C:\\fakepath\\photo.jpg")).isEqualTo("photo.jpg");
  }

  @Test
  @DisplayName("a name of dots alone, or of nothing, becomes the fallback name")
  void dotsAlone() {
    assertThat(SafeNames.sanitize("..")).isEqualTo(SafeNames.FALLBACK);
    assertThat(SafeNames.sanitize("a/..")).isEqualTo(SafeNames.FALLBACK);
    assertThat(SafeNames.sanitize(" \r\n ")).isEqualTo(SafeNames.FALLBACK);
    assertThat(SafeNames.sanitize(null)).isEqualTo(SafeNames.FALLBACK);
  }

  @Test
  @DisplayName("CR, LF and other control characters are removed, and the name trimmed")
  void controlCharacters() {
    assertThat(SafeNames.sanitize(" report\r\nSet-Cookie: a=b\u0000\t.pdf ")).isEqualTo("reportSet-Cookie: a=b.pdf");
  }

  @Test
  @DisplayName("invisible direction overrides are removed, so a name cannot pretend to end otherwise")
  void directionOverrides() {
    assertThat(SafeNames.sanitize("invoice\u202Efdp.exe")).isEqualTo("invoicefdp.exe");
  }

  @Test
  @DisplayName("a long name is cut to 255 UTF-8 bytes between characters, keeping its extension")
  void byteLimit() {
    // 'é' is two bytes, '😀' four: 130 of the first cannot fit whole in 255 - 4 bytes.
    String name = SafeNames.sanitize("é".repeat(130) + "😀".repeat(10) + ".pdf");
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    assertThat(utf8.length).isLessThanOrEqualTo(SafeNames.MAX_BYTES);
    assertThat(new String(utf8, StandardCharsets.UTF_8)).isEqualTo(name);
    assertThat(name).isEqualTo("é".repeat(125) + ".pdf");
  }

  @Test
  @DisplayName("a four-byte character that would cross the limit is left out whole")
  void fourByteCharacterAtTheLimit() {
    String name = SafeNames.sanitize("a".repeat(253) + "😀");
    assertThat(name).isEqualTo("a".repeat(253));
  }

  @Test
  @DisplayName("a name within the limit and its non-ASCII characters are kept")
  void unchanged() {
    assertThat(SafeNames.sanitize("Grüße aus Köln 😀.jpg")).isEqualTo("Grüße aus Köln 😀.jpg");
  }
}
