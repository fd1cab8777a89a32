package dev.ocomms.uploads.inspect;

import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.WorkerExecutor;
import net.coobird.thumbnailator.Thumbnails;
import net.coobird.thumbnailator.geometry.Positions;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Thumbnails and avatars made from uploaded images: upright (EXIF orientation applied) and freshly encoded, so
 * nothing of the original's metadata (camera, GPS position) survives. JPEGs give JPEGs; the other types, which may
 * be transparent, give PNGs. The header is checked against {@link ImageHeaders}' limits before anything decodes.
 */
public final class Previews {
  /** A thumbnail's longer side at most; smaller images keep their size. */
  public static final int THUMBNAIL_MAX_SIDE = 400;
  /** An avatar's side: the image's centre, cropped square and scaled to this. */
  public static final int AVATAR_SIDE = 256;
  /**
   * Images decoded at once per node: a full-size image takes up to 160 MB while it is scaled (see
   * {@link ImageHeaders#MAX_PIXELS}), so a burst of uploads waits rather than exhausting the heap.
   */
  static final int DECODERS = 2;
  static final String POOL_NAME = "ocomms-image-previews";
  private static final long MAX_DECODE_SECONDS = 60;

  /** A preview image, encoded. */
  public record Preview(byte[] bytes, String mediaType, int width, int height) {
  }

  private final WorkerExecutor decoders;

  public Previews(Vertx vertx) {
    // Shared by name: every uploads instance of a node decodes on the same few threads.
    this.decoders = vertx.createSharedWorkerExecutor(POOL_NAME, DECODERS, MAX_DECODE_SECONDS, TimeUnit.SECONDS);
  }

  /** A thumbnail at most {@link #THUMBNAIL_MAX_SIDE} on its longer side, off the event loop. */
  public Single<Preview> thumbnail(Path file, String mediaType) {
    return decoders.rxExecuteBlocking(() -> thumbnailNow(file, mediaType), false).toSingle();
  }

  /** A square avatar of {@link #AVATAR_SIDE}, off the event loop; only for the inline image types. */
  public Single<Preview> avatar(Path file, String mediaType) {
    return decoders.rxExecuteBlocking(() -> avatarNow(file, mediaType), false).toSingle();
  }

  public void close() {
    decoders.close();
  }

  static Preview thumbnailNow(Path file, String mediaType) {
    Dimensions shown = checked(file, mediaType);
    int longer = Math.max(shown.width(), shown.height());
    try {
      Thumbnails.Builder<?> builder = Thumbnails.of(file.toFile());
      BufferedImage image = (longer <= THUMBNAIL_MAX_SIDE
          ? builder.scale(1.0)
          : builder.size(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE)).asBufferedImage();
      return encode(image, mediaType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Preview avatarNow(Path file, String mediaType) {
    checked(file, mediaType);
    try {
      BufferedImage image = Thumbnails.of(file.toFile()).crop(Positions.CENTER).size(AVATAR_SIDE, AVATAR_SIDE)
          .asBufferedImage();
      return encode(image, mediaType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Only the safe raster types are decoded, and only within the limits, whoever calls. */
  private static Dimensions checked(Path file, String mediaType) {
    if (!ServingPolicy.isInline(mediaType)) {
      throw new OcommsException(Reason.FILE_TYPE_NOT_ALLOWED, "only images of type "
          + String.join(", ", ServingPolicy.INLINE_TYPES.stream().sorted().toList()) + " have previews",
          new JsonObject().put("detected", mediaType)
              .put("allowed", new JsonArray(ServingPolicy.INLINE_TYPES.stream().sorted().toList())));
    }
    return ImageHeaders.read(file, mediaType);
  }

  private static Preview encode(BufferedImage image, String sourceType) throws IOException {
    boolean jpeg = "image/jpeg".equals(sourceType);
    BufferedImage output = jpeg && image.getColorModel().hasAlpha() ? opaque(image) : image;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (!ImageIO.write(output, jpeg ? "jpeg" : "png", bytes)) {
      throw new IOException("no ImageIO writer for " + (jpeg ? "jpeg" : "png"));
    }
    return new Preview(bytes.toByteArray(), jpeg ? "image/jpeg" : "image/png", output.getWidth(), output.getHeight());
  }

  /** JPEG has no alpha channel: transparent pixels are laid on white. */
  private static BufferedImage opaque(BufferedImage image) {
    BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = rgb.createGraphics();
    graphics.drawImage(image, 0, 0, Color.WHITE, null);
    graphics.dispose();
    return rgb;
  }
}
