package dev.ocomms.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Plain text of any length, made as it is read and never held whole: a block of random lowercase words and lines
 * (from a seed), repeated from a different offset on each pass so that no two passes line up. Uploads detect it as
 * {@code text/plain}. The same length and seed give the same bytes, so what was uploaded can be checked against what
 * is downloaded, by size and CRC32C.
 */
final class GeneratedText {
  /** Big enough that the repetition means nothing to the server, small enough to make at once. */
  static final int BLOCK_BYTES = 1 << 20;
  /** How far each pass over the block moves its start (a prime, so the passes start at different places). */
  private static final int PASS_SHIFT = 4099;

  private final byte[] block;
  final long length;

  GeneratedText(long length, long seed) {
    this.length = length;
    this.block = block(seed);
  }

  /** Copies the bytes at {@code position} (and on) into {@code into}. */
  void copy(long position, byte[] into, int offset, int count) {
    int done = 0;
    while (done < count) {
      long at = position + done;
      long pass = at / BLOCK_BYTES;
      int inPass = (int) (at % BLOCK_BYTES);
      int start = (int) ((inPass + pass * PASS_SHIFT) % BLOCK_BYTES);
      // Up to the end of the block or of this pass, whichever comes first (the next pass starts elsewhere).
      int run = Math.min(count - done, Math.min(BLOCK_BYTES - start, BLOCK_BYTES - inPass));
      System.arraycopy(block, start, into, offset + done, run);
      done += run;
    }
  }

  /** The CRC32C of all {@link #length} bytes, computed by reading them as an upload does. */
  long checksum() {
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[64 * 1024];
    for (long position = 0; position < length; position += buffer.length) {
      int count = (int) Math.min(buffer.length, length - position);
      copy(position, buffer, 0, count);
      crc.update(buffer, 0, count);
    }
    return crc.getValue();
  }

  /** The bytes from the start, as a stream. */
  InputStream stream() {
    return new InputStream() {
      private long position;

      @Override
      public int read(byte[] into, int offset, int count) {
        if (position >= length) {
          return -1;
        }
        int n = (int) Math.min(count, length - position);
        copy(position, into, offset, n);
        position += n;
        return n;
      }

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }
    };
  }

  /** Words of 2–9 letters, a space between them, a line break after every 8–15 words. */
  private static byte[] block(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder text = new StringBuilder(BLOCK_BYTES + 32);
    while (text.length() < BLOCK_BYTES) {
      int words = 8 + random.nextInt(8);
      for (int w = 0; w < words; w++) {
        int letters = 2 + random.nextInt(8);
        for (int l = 0; l < letters; l++) {
          text.append((char) ('a' + random.nextInt(26)));
        }
        text.append(w == words - 1 ? '\n' : ' ');
      }
    }
    text.setLength(BLOCK_BYTES);
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
