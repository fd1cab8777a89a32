package dev.ocomms.uploads.inspect;

import dev.ocomms.shared.errors.OcommsException;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.rxjava3.core.Vertx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

@ExtendWith(VertxExtension.class)
@DisplayName("Thumbnails and avatars")
class PreviewsTest {
  @TempDir
  Path dir;

  private static BufferedImage decoded(Previews.Preview preview) throws IOException {
    return ImageIO.read(new ByteArrayInputStream(preview.bytes()));
  }

  /** Which of red or blue dominates a pixel (JPEG blurs colours, not which one it was). */
  private static Color dominant(BufferedImage image, int x, int y) {
    Color pixel = new Color(image.getRGB(x, y));
    return pixel.getRed() > pixel.getBlue() ? Color.RED : Color.BLUE;
  }

  @Test
  @DisplayName("a thumbnail is at most 400 px on its longer side, in proportion")
  void thumbnailSize() throws IOException {
    Path file = TestFiles.write(dir, TestFiles.image("png", 1200, 600));
    Previews.Preview thumbnail = Previews.thumbnailNow(file, "image/png");
    assertThat(thumbnail.mediaType()).isEqualTo("image/png");
    assertThat(new int[] {thumbnail.width(), thumbnail.height()}).containsExactly(400, 200);
    BufferedImage image = decoded(thumbnail);
    assertThat(new int[] {image.getWidth(), image.getHeight()}).containsExactly(400, 200);
  }

  @Test
  @DisplayName("an image smaller than a thumbnail keeps its size")
  void smallImageKeepsItsSize() {
    Path file = TestFiles.write(dir, TestFiles.image("gif", 40, 30));
    Previews.Preview thumbnail = Previews.thumbnailNow(file, "image/gif");
    assertThat(new int[] {thumbnail.width(), thumbnail.height()}).containsExactly(40, 30);
  }

  @Test
  @DisplayName("a JPEG with EXIF orientation 6 is thumbnailed upright, without its EXIF and GPS")
  void exifOrientationAppliedAndMetadataDropped() throws IOException {
    // Stored 600×200, left half red, right half blue; shown turned a quarter clockwise: 200×600, red on top.
    Path file = TestFiles.write(dir, TestFiles.jpegWithExifOrientation6AndGps(600, 200));
    Previews.Preview thumbnail = Previews.thumbnailNow(file, "image/jpeg");
    assertThat(thumbnail.mediaType()).isEqualTo("image/jpeg");
    BufferedImage image = decoded(thumbnail);
    assertThat(new int[] {image.getWidth(), image.getHeight()}).containsExactly(133, 400);
    assertThat(dominant(image, 66, 50)).isEqualTo(Color.RED);
    assertThat(dominant(image, 66, 350)).isEqualTo(Color.BLUE);
    assertThat(new String(thumbnail.bytes(), StandardCharsets.ISO_8859_1)).doesNotContain("Exif");
  }

  @Test
  @DisplayName("an avatar is the centre of the image, square, 256 × 256")
  void avatarSquare() throws IOException {
    Path file = TestFiles.write(dir, TestFiles.image("jpeg", 900, 300));
    Previews.Preview avatar = Previews.avatarNow(file, "image/jpeg");
    BufferedImage image = decoded(avatar);
    assertThat(new int[] {image.getWidth(), image.getHeight()}).containsExactly(256, 256);
    // The centre third of a red|blue image: both colours, split in the middle.
    assertThat(dominant(image, 20, 128)).isEqualTo(Color.RED);
    assertThat(dominant(image, 236, 128)).isEqualTo(Color.BLUE);
  }

  @Test
  @DisplayName("a WebP is read through the WebP plugin and previewed as PNG")
  void webp() throws IOException {
    Path file = TestFiles.write(dir, TestFiles.resource("pixel.webp"));
    Previews.Preview avatar = Previews.avatarNow(file, "image/webp");
    assertThat(avatar.mediaType()).isEqualTo("image/png");
    assertThat(decoded(avatar).getWidth()).isEqualTo(256);
  }

  @Test
  @DisplayName("a pixel flood is refused before decoding")
  void pixelFlood() {
    Path file = TestFiles.write(dir, TestFiles.pngDeclaring(100_000, 100_000));
    OcommsException refused = assertTimeoutPreemptively(Duration.ofSeconds(1),
        () -> catchThrowableOfType(OcommsException.class, () -> Previews.thumbnailNow(file, "image/png")));
    assertThat(refused.details().getString("reason")).isEqualTo("image_too_large");
  }

  @Test
  @DisplayName("only the safe raster types are previewed: an SVG is refused")
  void svgNotPreviewed() {
    Path file = TestFiles.write(dir, TestFiles.svgWithScript());
    OcommsException refused = catchThrowableOfType(OcommsException.class,
        () -> Previews.avatarNow(file, "image/svg+xml"));
    assertThat(refused.details().getString("reason")).isEqualTo("file_type_not_allowed");
  }

  @Test
  @DisplayName("previews are made on the decoding pool and answered asynchronously")
  void asynchronously(io.vertx.core.Vertx vertx, VertxTestContext test) {
    Previews previews = new Previews(Vertx.newInstance(vertx));
    Path file = TestFiles.write(dir, TestFiles.image("png", 800, 800));
    previews.thumbnail(file, "image/png")
        .doFinally(previews::close)
        .subscribe(thumbnail -> test.verify(() -> {
          assertThat(thumbnail.width()).isEqualTo(400);
          test.completeNow();
        }), test::failNow);
  }
}
