package dev.ocomms.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * The raw disk baseline of the uploads scenario: the same bytes written with plain Java file I/O into a temporary
 * directory beside the server's data (the same file system), each file forced to the disk ({@code fsync}) when it is
 * written, as many files at once as the uploads had. The server writes each upload twice (streamed to a temporary file,
 * then copied into its storage) and never forces it; this writes once and forces, the cost a durable store pays.
 */
final class DiskWrites {
  private static final int CHUNK_BYTES = 64 * 1024;

  private DiskWrites() {
  }

  /** What a set of writes took: each file's time in nanoseconds, and the wall time of them all. */
  record Result(List<Long> fileNanos, long wallNanos, long bytes) {
  }

  /**
   * Writes {@code files} files, {@code concurrency} at once, file {@code i} holding {@code contentOf.apply(i)}, into a
   * new directory under {@code parent}; removes them afterwards.
   */
  static Result write(Path parent, int files, int concurrency, IntFunction<GeneratedText> contentOf)
      throws Exception {
    Path directory = Files.createTempDirectory(parent, "ocomms-bench-disk-");
    ExecutorService writers = Executors.newFixedThreadPool(concurrency);
    try {
      List<Future<Long>> written = new ArrayList<>();
      long started = System.nanoTime();
      for (int i = 0; i < files; i++) {
        int index = i;
        written.add(writers.submit(() -> writeOne(directory.resolve("file-" + index), contentOf.apply(index))));
      }
      List<Long> nanos = new ArrayList<>();
      long bytes = 0;
      for (int i = 0; i < files; i++) {
        nanos.add(written.get(i).get());
        bytes += contentOf.apply(i).length;
      }
      return new Result(nanos, System.nanoTime() - started, bytes);
    } finally {
      writers.shutdownNow();
      try (Stream<Path> paths = Files.walk(directory)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  /** Writes one file and forces it to the disk; the time it took. */
  private static long writeOne(Path file, GeneratedText content) throws IOException {
    byte[] chunk = new byte[CHUNK_BYTES];
    long started = System.nanoTime();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long position = 0; position < content.length; position += chunk.length) {
        int count = (int) Math.min(chunk.length, content.length - position);
        content.copy(position, chunk, 0, count);
        ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, count);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
      }
      channel.force(true);
    }
    return System.nanoTime() - started;
  }
}
