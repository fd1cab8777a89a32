package dev.ocomms.bench;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The uploads scenario's generated bodies")
class MultipartUploadTest {
  private static final long LENGTH = 3L * GeneratedText.BLOCK_BYTES + 12_345;

  @Test
  @DisplayName("generated text is exactly as long as asked, and its checksum is that of the bytes it streams")
  void textLengthAndChecksum() throws Exception {
    GeneratedText text = new GeneratedText(LENGTH, 3);
    CRC32C crc = new CRC32C();
    long count = 0;
    byte[] buffer = new byte[10_000];
    try (InputStream stream = text.stream()) {
      for (int n = stream.read(buffer); n >= 0; n = stream.read(buffer)) {
        crc.update(buffer, 0, n);
        count += n;
      }
    }
    assertThat(count).isEqualTo(LENGTH);
    assertThat(crc.getValue()).isEqualTo(text.checksum());
  }

  @Test
  @DisplayName("generated text is lowercase words, spaces and line breaks only (what type detection calls plain text)")
  void textIsPlainWords() throws Exception {
    byte[] head;
    try (InputStream stream = new GeneratedText(LENGTH, 5).stream()) {
      head = stream.readNBytes(2 * GeneratedText.BLOCK_BYTES + 10);
    }
    assertThat(new String(head, StandardCharsets.US_ASCII)).matches("[a-z \\n]+").contains(" ").contains("\n");
  }

  @Test
  @DisplayName("each pass over the block starts elsewhere, so the text does not repeat with the block's period")
  void passesDoNotLineUp() {
    GeneratedText text = new GeneratedText(LENGTH, 9);
    byte[] first = new byte[64];
    byte[] second = new byte[64];
    text.copy(0, first, 0, first.length);
    text.copy(GeneratedText.BLOCK_BYTES, second, 0, second.length);
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  @DisplayName("the same length and seed give the same bytes; another seed other bytes")
  void seedDecidesTheBytes() {
    assertThat(new GeneratedText(100_000, 1).checksum()).isEqualTo(new GeneratedText(100_000, 1).checksum())
        .isNotEqualTo(new GeneratedText(100_000, 2).checksum());
  }

  @Test
  @DisplayName("the multipart body declares its whole length, and holds one part named file around the text")
  void multipartBody() throws Exception {
    MultipartUpload upload = new MultipartUpload("notes.txt", new GeneratedText(50_000, 4));
    byte[] body;
    try (InputStream stream = upload.stream()) {
      body = stream.readAllBytes();
    }
    assertThat((long) body.length).isEqualTo(upload.length());
    String boundary = upload.contentType().substring(upload.contentType().indexOf("boundary=") + 9);
    String text = new String(body, StandardCharsets.US_ASCII);
    assertThat(upload.contentType()).startsWith("multipart/form-data; boundary=");
    assertThat(text).startsWith("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\";"
        + " filename=\"notes.txt\"\r\n").endsWith("\r\n--" + boundary + "--\r\n");
    int start = text.indexOf("\r\n\r\n") + 4;
    CRC32C crc = new CRC32C();
    crc.update(body, start, 50_000);
    assertThat(crc.getValue()).isEqualTo(upload.content.checksum());
  }

  @Test
  @DisplayName("the body can be read again from the start, as a request sent twice reads it")
  void bodyRestarts() throws Exception {
    MultipartUpload upload = new MultipartUpload("a.txt", new GeneratedText(20_000, 6));
    try (InputStream first = upload.stream(); InputStream second = upload.stream()) {
      assertThat(second.readAllBytes()).isEqualTo(first.readAllBytes());
    }
  }
}
