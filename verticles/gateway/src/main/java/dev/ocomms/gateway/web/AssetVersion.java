package dev.ocomms.gateway.web;

import io.vertx.rxjava3.core.file.FileSystem;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The web client's version: a short hash over the path and content of every file under its root, so that a URL
 * carrying it names one set of bytes and may be cached for good; any change to any file gives another version.
 *
 * <p>Computed at start-up, not by the build: the files are read through the Vert.x file system, which resolves them
 * exactly as {@code StaticHandler} does when it serves them (a {@code webroot/} in the working directory first, else
 * the class path: a directory in development and tests, the jar in production, unpacked to Vert.x's file cache). So
 * the version covers the very bytes served, and no build (an IDE's, a partial Maven run) can leave it stale. The
 * client is a few dozen small files: this takes milliseconds. It blocks: call it on a worker thread.
 */
final class AssetVersion {
  /** Hex digits kept: 48 bits, plenty to tell a handful of deployed versions apart. */
  static final int LENGTH = 12;

  private AssetVersion() {
  }

  /** The version of the files under {@code root}; fails if {@code root} is not a readable directory. */
  static String of(FileSystem fileSystem, String root) {
    SortedMap<String, String> files = new TreeMap<>();
    collect(fileSystem, root, "", files);
    MessageDigest digest = sha256();
    for (Map.Entry<String, String> file : files.entrySet()) {
      byte[] content = fileSystem.readFileBlocking(file.getValue()).getBytes();
      // The path and the length go in first, so that no two different trees can feed the digest the same bytes.
      digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(ByteBuffer.allocate(Long.BYTES).putLong(content.length).array());
      digest.update(content);
    }
    return HexFormat.of().formatHex(digest.digest()).substring(0, LENGTH);
  }

  /** Every file under {@code directory}, by its path relative to the root ('/'-separated, so sorted alike anywhere). */
  private static void collect(FileSystem fileSystem, String directory, String relative, Map<String, String> files) {
    for (String child : fileSystem.readDirBlocking(directory)) {
      String name = relative + Path.of(child).getFileName();
      if (fileSystem.propsBlocking(child).isDirectory()) {
        collect(fileSystem, child, name + "/", files);
      } else {
        files.put(name, child);
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
