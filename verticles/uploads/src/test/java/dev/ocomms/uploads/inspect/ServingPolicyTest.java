package dev.ocomms.uploads.inspect;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("How files are served")
class ServingPolicyTest {
  @Test
  @DisplayName("the safe raster images may be inline")
  void rasterImagesInline() {
    assertThat(ServingPolicy.INLINE_TYPES).allMatch(ServingPolicy::isInline)
        .containsExactlyInAnyOrder("image/jpeg", "image/png", "image/gif", "image/webp");
  }

  @Test
  @DisplayName("SVG, HTML, PDF and text are attachments only")
  void othersAttachments() {
    assertThat(ServingPolicy.isInline("image/svg+xml")).isFalse();
    assertThat(ServingPolicy.isInline("text/html")).isFalse();
    assertThat(ServingPolicy.contentDisposition("application/pdf", "a.pdf")).startsWith("attachment;");
    assertThat(ServingPolicy.contentDisposition("text/html", "a.html")).startsWith("attachment;");
    assertThat(ServingPolicy.contentDisposition("image/png", "a.png")).startsWith("inline;");
  }

  @Test
  @DisplayName("a non-ASCII name is sent as an ASCII stand-in and as UTF-8, percent-encoded (RFC 6266)")
  void nonAsciiName() {
    assertThat(ServingPolicy.contentDisposition("application/pdf", "Grüße 😀 \"Plan\" 100%.pdf")).isEqualTo(
        "attachment; filename=\"Gru_e _ _Plan_ 100_.pdf\"; "
            + "filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%F0%9F%98%80%20%22Plan%22%20100%25.pdf");
  }

  @Test
  @DisplayName("file responses are sandboxed and may load nothing but their own images")
  void contentSecurityPolicy() {
    assertThat(ServingPolicy.CONTENT_SECURITY_POLICY).startsWith("sandbox;").contains("default-src 'none'");
  }
}
