package dev.ocomms.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A fresh uploads directory per test node, all under one temporary root that is removed when the test JVM exits. */
final class UploadDirectories {
  private static final Path ROOT = createRoot();

  private UploadDirectories() {
  }

  static String next() {
    try {
      return Files.createTempDirectory(ROOT, "node-").toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path createRoot() {
    try {
      Path root = Files.createTempDirectory("ocomms-test-uploads-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> removeAll(root), "remove-test-uploads"));
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void removeAll(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // the JVM is ending; what is left is in the temporary directory
    }
  }
}
