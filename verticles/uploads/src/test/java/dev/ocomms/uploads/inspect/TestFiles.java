package dev.ocomms.uploads.inspect;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Real files of each kind, made on the spot, so each test states what its bytes are. */
final class TestFiles {
  private TestFiles() {
  }

  static Path write(Path dir, byte[] bytes) {
    try {
      return Files.write(Files.createTempFile(dir, "upload", ".bin"), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An image of the format ImageIO names ("png", "jpeg", "gif"): left half red, right half blue. */
  static byte[] image(String format, int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    graphics.setColor(Color.RED);
    graphics.fillRect(0, 0, width / 2, height);
    graphics.setColor(Color.BLUE);
    graphics.fillRect(width / 2, 0, width - width / 2, height);
    graphics.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * A JPEG stored {@code width}×{@code height} whose EXIF says to turn it a quarter clockwise to show it (orientation
   * 6, as phones held upright save it), with a GPS position.
   */
  static byte[] jpegWithExifOrientation6AndGps(int width, int height) {
    byte[] jpeg = image("jpeg", width, height);
    ByteBuffer tiff = ByteBuffer.allocate(8 + 30 + 18);
    tiff.put("MM".getBytes(StandardCharsets.US_ASCII)).putShort((short) 42).putInt(8);
    // IFD0: Orientation = 6, and a pointer to the GPS IFD right after it.
    tiff.putShort((short) 2);
    tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) 6).putShort((short) 0);
    tiff.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(8 + 30);
    tiff.putInt(0);
    // GPS IFD: GPSLatitudeRef = "N".
    tiff.putShort((short) 1);
    tiff.putShort((short) 0x0001).putShort((short) 2).putInt(2).put((byte) 'N').put(new byte[3]);
    tiff.putInt(0);
    byte[] exif = concat("Exif\0\0".getBytes(StandardCharsets.US_ASCII), tiff.array());
    int length = exif.length + 2;
    byte[] app1 = concat(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (length >> 8), (byte) length}, exif);
    // After SOI and the JFIF APP0 segment ImageIO writes first, where cameras' files have it too.
    int app0End = 2 + 2 + (((jpeg[4] & 0xff) << 8) | (jpeg[5] & 0xff));
    return concat(Arrays.copyOfRange(jpeg, 0, app0End), app1, Arrays.copyOfRange(jpeg, app0End, jpeg.length));
  }

  /** A valid PNG of a few dozen bytes whose header declares {@code width}×{@code height} pixels: a pixel flood. */
  static byte[] pngDeclaring(int width, int height) {
    ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    Deflater deflater = new Deflater();
    deflater.setInput(new byte[1024]);
    deflater.finish();
    byte[] compressed = new byte[64];
    int size = deflater.deflate(compressed);
    return concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'},
        chunk("IHDR", header.array()), chunk("IDAT", Arrays.copyOf(compressed, size)), chunk("IEND", new byte[0]));
  }

  private static byte[] chunk(String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(typeBytes).put(data)
        .putInt((int) crc.getValue()).array();
  }

  static byte[] pdf() {
    return ("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        + "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] text(String content) {
    return content.getBytes(StandardCharsets.UTF_8);
  }

  /** A ZIP archive with the given entries (name, content), in order. */
  static byte[] zip(String... namesAndContents) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        zip.putNextEntry(new ZipEntry(namesAndContents[i]));
        zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A minimal Word document: an OOXML package, [Content_Types].xml first as Office writes it. */
  static byte[] docx() {
    return zip("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/"
            + "package/2006/content-types\"><Override PartName=\"/word/document.xml\" ContentType=\"application/"
            + "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>",
        "_rels/.rels", "<?xml version=\"1.0\"?><Relationships/>",
        "word/document.xml", "<?xml version=\"1.0\"?><w:document/>");
  }

  static byte[] html() {
    return text("<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(document.cookie)</script>"
        + "</body></html>\n");
  }

  static byte[] svgWithScript() {
    return text("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\""
        + " height=\"10\"><script>alert(document.cookie)</script><rect width=\"10\" height=\"10\"/></svg>\n");
  }

  /** The start of a 64-bit Linux executable (ELF header). */
  static byte[] elf() {
    byte[] bytes = new byte[128];
    System.arraycopy(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, 0, bytes, 0, 8);
    bytes[16] = 2; // e_type: executable
    bytes[18] = 0x3e; // e_machine: x86-64
    return bytes;
  }

  /** The start of a Windows executable: an MS-DOS stub pointing to a PE header. */
  static byte[] windowsExecutable() {
    byte[] bytes = new byte[256];
    bytes[0] = 'M';
    bytes[1] = 'Z';
    bytes[0x3c] = (byte) 0x80;
    System.arraycopy(new byte[] {'P', 'E', 0, 0}, 0, bytes, 0x80, 4);
    byte[] stub = "This program cannot be run in DOS mode.".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(stub, 0, bytes, 0x4e, stub.length);
    return bytes;
  }

  static byte[] resource(String name) {
    try (InputStream in = TestFiles.class.getResourceAsStream("/inspect/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
