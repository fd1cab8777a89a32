package dev.ocomms.uploads.inspect;

import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.vertx.core.json.JsonObject;
import net.coobird.thumbnailator.util.exif.ExifUtils;
import net.coobird.thumbnailator.util.exif.Orientation;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;

/**
 * An image's size read from its header, without decoding a pixel, and the limits that refuse a pixel flood (a small
 * file declaring a huge image, which would take gigabytes to decode) before anything decodes it.
 */
public final class ImageHeaders {
  /**
   * At most 40 megapixels: above any phone or common camera (a 48 MP sensor saves 12 MP by default); decoding one
   * takes 160 MB at 4 bytes a pixel.
   */
  public static final long MAX_PIXELS = 40_000_000L;
  /** At most 16,384 pixels on a side: wider panoramas and banners are refused too, whatever their area. */
  public static final int MAX_SIDE = 16_384;

  /** EXIF orientations (5-8) that turn the image a quarter, so that the header's width is the shown height. */
  private static final Set<Orientation> QUARTER_TURNS =
      Set.of(Orientation.LEFT_TOP, Orientation.RIGHT_TOP, Orientation.RIGHT_BOTTOM, Orientation.LEFT_BOTTOM);

  private ImageHeaders() {
  }

  /**
   * The size of the (first) image in the file, as shown. Blocking: reads the header, and for JPEG its EXIF.
   *
   * @param mediaType the detected type
   * @throws OcommsException {@code image_too_large} beyond {@link #MAX_PIXELS} or {@link #MAX_SIDE};
   *     {@code image_unreadable} when no header can be read
   */
  public static Dimensions read(Path file, String mediaType) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(mediaType);
    if (!readers.hasNext()) {
      throw unreadable(mediaType);
    }
    ImageReader reader = readers.next();
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw unreadable(mediaType);
      }
      // Metadata is kept: JPEG's EXIF orientation is in it. Reading it parses markers, not pixels.
      reader.setInput(in, true, false);
      int width = reader.getWidth(0);
      int height = reader.getHeight(0);
      checkLimits(width, height);
      Orientation orientation = "image/jpeg".equals(mediaType) ? ExifUtils.getExifOrientation(reader, 0) : null;
      return orientation != null && QUARTER_TURNS.contains(orientation) ? new Dimensions(height, width) : new Dimensions(width, height);
    } catch (OcommsException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Readers of damaged files fail in many ways (IIOException, index and array errors): all mean unreadable.
      throw unreadable(mediaType);
    } finally {
      reader.dispose();
    }
  }

  private static void checkLimits(int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new OcommsException(Reason.IMAGE_UNREADABLE, "the image declares no pixels (" + width + "×" + height + ")");
    }
    if (width > MAX_SIDE || height > MAX_SIDE || (long) width * height > MAX_PIXELS) {
      throw new OcommsException(Reason.IMAGE_TOO_LARGE,
          "the image is " + width + "×" + height + " pixels; at most " + MAX_SIDE + " on a side and "
              + MAX_PIXELS / 1_000_000 + " megapixels are accepted",
          new JsonObject().put("width", width).put("height", height)
              .put("maxSide", MAX_SIDE).put("maxPixels", MAX_PIXELS));
    }
  }

  private static OcommsException unreadable(String mediaType) {
    return new OcommsException(Reason.IMAGE_UNREADABLE, "the file looks like " + mediaType + " but is not a readable"
        + " image", new JsonObject().put("detected", mediaType));
  }
}
