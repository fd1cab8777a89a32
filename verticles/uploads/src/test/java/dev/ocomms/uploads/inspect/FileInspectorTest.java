package dev.ocomms.uploads.inspect;

import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.testkit.TestConfigs;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.rxjava3.core.Vertx;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@ExtendWith(VertxExtension.class)
@DisplayName("Inspecting an upload")
class FileInspectorTest {
  @TempDir
  Path dir;

  private FileInspector inspector;
  private Vertx vertx;

  @BeforeEach
  void inspector(io.vertx.core.Vertx vertx) {
    this.vertx = Vertx.newInstance(vertx);
    this.inspector = new FileInspector(this.vertx, TestConfigs.defaults());
  }

  private Inspection inspect(byte[] bytes, String name) {
    return inspector.inspectNow(TestFiles.write(dir, bytes), name);
  }

  private OcommsException refusal(byte[] bytes, String name) {
    return catchThrowableOfType(OcommsException.class, () -> inspect(bytes, name));
  }

  @Test
  @DisplayName("a PNG is image/png, inline, with its size")
  void png() {
    Inspection inspection = inspect(TestFiles.image("png", 30, 20), "cat.png");
    assertThat(inspection.mediaType()).isEqualTo("image/png");
    assertThat(inspection.inline()).isTrue();
    assertThat(inspection.dimensions()).isEqualTo(new Dimensions(30, 20));
  }

  @Test
  @DisplayName("a JPEG is image/jpeg, whatever its name says of it otherwise (no extension)")
  void jpeg() {
    Inspection inspection = inspect(TestFiles.image("jpeg", 30, 20), "IMG_0001");
    assertThat(inspection.mediaType()).isEqualTo("image/jpeg");
    assertThat(inspection.dimensions()).isEqualTo(new Dimensions(30, 20));
  }

  @Test
  @DisplayName("a GIF is image/gif, inline")
  void gif() {
    Inspection inspection = inspect(TestFiles.image("gif", 8, 9), "anim.gif");
    assertThat(inspection.mediaType()).isEqualTo("image/gif");
    assertThat(inspection.dimensions()).isEqualTo(new Dimensions(8, 9));
  }

  @Test
  @DisplayName("a WebP is image/webp, inline, its size read through the WebP plugin")
  void webp() {
    Inspection inspection = inspect(TestFiles.resource("pixel.webp"), "pixel.webp");
    assertThat(inspection.mediaType()).isEqualTo("image/webp");
    assertThat(inspection.dimensions()).isEqualTo(new Dimensions(1, 1));
  }

  @Test
  @DisplayName("a PDF is application/pdf, an attachment without dimensions")
  void pdf() {
    Inspection inspection = inspect(TestFiles.pdf(), "report.pdf");
    assertThat(inspection.mediaType()).isEqualTo("application/pdf");
    assertThat(inspection.inline()).isFalse();
    assertThat(inspection.dimensions()).isNull();
  }

  @Test
  @DisplayName("plain text is text/plain, also when its name claims a kind of text (notes.csv)")
  void text() {
    assertThat(inspect(TestFiles.text("hello, world\n"), "hello.txt").mediaType()).isEqualTo("text/plain");
    assertThat(inspect(TestFiles.text("a,b\n1,2\n"), "notes.csv").mediaType()).isEqualTo("text/plain");
  }

  @Test
  @DisplayName("a ZIP archive is application/zip")
  void zip() {
    assertThat(inspect(TestFiles.zip("a.txt", "hello"), "archive.zip").mediaType()).isEqualTo("application/zip");
  }

  @Test
  @DisplayName("a DOCX is a Word document: the bytes say OOXML package, the name says which")
  void docx() {
    assertThat(inspect(TestFiles.docx(), "report.docx").mediaType())
        .isEqualTo("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assertThat(inspect(TestFiles.docx(), "report").mediaType()).isEqualTo("application/zip");
  }

  @Test
  @DisplayName("HTML named .png is refused as a mismatch, saying what it is")
  void htmlNamedPng() {
    OcommsException refused = refusal(TestFiles.html(), "cat.png");
    assertThat(refused.code()).isEqualTo(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    assertThat(refused.details().getString("reason")).isEqualTo("file_type_mismatch");
    assertThat(refused.details().getString("detected")).isEqualTo("text/html");
    assertThat(refused.details().getString("claimed")).isEqualTo("image/png");
  }

  @Test
  @DisplayName("an SVG with a script named .png is refused as a mismatch")
  void svgNamedPng() {
    OcommsException refused = refusal(TestFiles.svgWithScript(), "cat.png");
    assertThat(refused.details().getString("reason")).isEqualTo("file_type_mismatch");
    assertThat(refused.details().getString("detected")).isEqualTo("image/svg+xml");
  }

  @Test
  @DisplayName("an SVG named .svg is not allowed by default")
  void svg() {
    OcommsException refused = refusal(TestFiles.svgWithScript(), "logo.svg");
    assertThat(refused.code()).isEqualTo(ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    assertThat(refused.details().getString("reason")).isEqualTo("file_type_not_allowed");
    assertThat(refused.details().getString("detected")).isEqualTo("image/svg+xml");
    assertThat(refused.details().getJsonArray("allowed")).contains("image/png", "application/pdf");
  }

  @Test
  @DisplayName("HTML is not allowed by default")
  void html() {
    OcommsException refused = refusal(TestFiles.html(), "page.html");
    assertThat(refused.details().getString("reason")).isEqualTo("file_type_not_allowed");
    assertThat(refused.details().getString("detected")).isEqualTo("text/html");
  }

  @Test
  @DisplayName("a Linux executable is not allowed, named or not")
  void elf() {
    assertThat(refusal(TestFiles.elf(), "tool").details().getString("reason")).isEqualTo("file_type_not_allowed");
    assertThat(refusal(TestFiles.elf(), "tool.txt").details().getString("reason")).isEqualTo("file_type_mismatch");
  }

  @Test
  @DisplayName("a Windows executable is not allowed")
  void windowsExecutable() {
    OcommsException refused = refusal(TestFiles.windowsExecutable(), "setup.exe");
    assertThat(refused.details().getString("reason")).isEqualTo("file_type_not_allowed");
  }

  @Test
  @DisplayName("the allowed types come from configuration")
  void allowedTypesFromConfiguration() {
    FileInspector onlyPngAndPdf = new FileInspector(vertx,
        TestConfigs.defaults().with(Setting.UPLOADS_ALLOWED_TYPES, "image/png, application/pdf"));
    assertThat(onlyPngAndPdf.inspectNow(TestFiles.write(dir, TestFiles.pdf()), "a.pdf").mediaType())
        .isEqualTo("application/pdf");
    OcommsException refused = catchThrowableOfType(OcommsException.class,
        () -> onlyPngAndPdf.inspectNow(TestFiles.write(dir, TestFiles.text("hello")), "a.txt"));
    assertThat(refused.details().getString("reason")).isEqualTo("file_type_not_allowed");
    assertThat(refused.details().getJsonArray("allowed")).containsExactly("image/png", "application/pdf");
  }

  @Test
  @DisplayName("the original name is kept sanitized: a path-traversal name leaves only its last segment")
  void nameSanitized() {
    assertThat(inspect(TestFiles.text("x"), "../../etc/passwd\r\nX-Evil: 1.txt").name())
        .isEqualTo("passwdX-Evil: 1.txt");
  }

  @Test
  @DisplayName("a pixel flood (a PNG of a few dozen bytes declaring 100,000 × 100,000) is refused from its header")
  void pixelFlood() {
    byte[] flood = TestFiles.pngDeclaring(100_000, 100_000);
    assertThat(flood.length).isLessThan(200);
    OcommsException refused = assertTimeoutPreemptively(Duration.ofSeconds(1),
        () -> refusal(flood, "flood.png"));
    assertThat(refused.code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(refused.details().getString("reason")).isEqualTo("image_too_large");
    assertThat(refused.details().getInteger("width")).isEqualTo(100_000);
  }

  @Test
  @DisplayName("a side over 16,384 pixels is refused even when the area is small")
  void tooLongASide() {
    OcommsException refused = refusal(TestFiles.pngDeclaring(20_000, 10), "banner.png");
    assertThat(refused.details().getString("reason")).isEqualTo("image_too_large");
  }

  @Test
  @DisplayName("a JPEG turned by EXIF reports the size it is shown at")
  void exifOrientedSize() {
    assertThat(inspect(TestFiles.jpegWithExifOrientation6AndGps(60, 20), "phone.jpg").dimensions())
        .isEqualTo(new Dimensions(20, 60));
  }

  @Test
  @DisplayName("inspect() answers asynchronously, having read the file on a worker thread")
  void asynchronously(VertxTestContext test) {
    Path file = TestFiles.write(dir, TestFiles.image("png", 4, 4));
    inspector.inspect(file, "a.png")
        .subscribe(inspection -> test.verify(() -> {
          assertThat(inspection.mediaType()).isEqualTo("image/png");
          test.completeNow();
        }), test::failNow);
  }
}
