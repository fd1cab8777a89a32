package dev.ocomms.gateway.web;

import io.vertx.core.Vertx;
import io.vertx.core.file.FileSystemException;
import io.vertx.junit5.VertxExtension;
import io.vertx.rxjava3.core.file.FileSystem;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link AssetVersion} over small trees of files: what changes the web client's version and what does not. */
@ExtendWith(VertxExtension.class)
@DisplayName("The web client's version")
class AssetVersionTest {
  /** A web client in miniature: the page, a module in a folder, a stylesheet. */
  private static final Map<String, String> CLIENT = Map.of(
      "index.html", "<script type=\"module\" src=\"/js/main.js\"></script>",
      "js/main.js", "import { store } from './store/client.js';",
      "js/store/client.js", "export const store = {};",
      "css/app.css", "body { margin: 0 }");

  @TempDir
  Path temp;

  private static FileSystem fileSystem(Vertx vertx) {
    return io.vertx.rxjava3.core.Vertx.newInstance(vertx).fileSystem();
  }

  private Path write(String name, Map<String, String> files) throws IOException {
    Path root = temp.resolve(name);
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = root.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue());
    }
    return root;
  }

  private static Map<String, String> with(String path, String content) {
    Map<String, String> files = new TreeMap<>(CLIENT);
    files.put(path, content);
    return files;
  }

  private String versionOf(Vertx vertx, String name, Map<String, String> files) throws IOException {
    return AssetVersion.of(fileSystem(vertx), write(name, files).toString());
  }

  @Test
  void is_twelve_hex_digits_and_the_same_for_the_same_files_wherever_they_are_read_from(Vertx vertx)
      throws IOException {
    String version = versionOf(vertx, "one", CLIENT);
    assertThat(version).matches("[0-9a-f]{12}");
    assertThat(versionOf(vertx, "another", CLIENT)).isEqualTo(version);
    assertThat(AssetVersion.of(fileSystem(vertx), temp.resolve("one").toString()))
        .as("read again, as by a second start").isEqualTo(version);
  }

  @Test
  void changes_when_any_file_changes_even_by_one_byte(Vertx vertx) throws IOException {
    String version = versionOf(vertx, "before", CLIENT);
    assertThat(versionOf(vertx, "edited", with("js/store/client.js", "export const store = {} ;")))
        .isNotEqualTo(version);
    assertThat(versionOf(vertx, "styled", with("css/app.css", "body { margin: 1 }"))).isNotEqualTo(version);
  }

  @Test
  void changes_when_a_file_is_added_or_moved(Vertx vertx) throws IOException {
    String version = versionOf(vertx, "before", CLIENT);
    assertThat(versionOf(vertx, "added", with("js/new.js", ""))).isNotEqualTo(version);

    Map<String, String> moved = new TreeMap<>(CLIENT);
    moved.put("js/client.js", moved.remove("js/store/client.js"));
    assertThat(versionOf(vertx, "moved", moved)).isNotEqualTo(version);
  }

  @Test
  void is_the_same_for_the_files_packaged_in_a_jar_on_the_class_path(Vertx vertx) throws IOException {
    String fromDirectory = versionOf(vertx, "site", CLIENT);
    Path jar = temp.resolve("client.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      // As Maven packages a resource folder: an entry for each directory, then the files.
      for (String directory : new String[] {"site/", "site/css/", "site/js/", "site/js/store/"}) {
        out.putNextEntry(new JarEntry(directory));
        out.closeEntry();
      }
      for (Map.Entry<String, String> file : CLIENT.entrySet()) {
        out.putNextEntry(new JarEntry("site/" + file.getKey()));
        out.write(file.getValue().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    // Vert.x resolves a relative name on the class path of the calling thread (when the working directory has none).
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    try (URLClassLoader classPath = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      thread.setContextClassLoader(classPath);
      assertThat(AssetVersion.of(fileSystem(vertx), "site")).isEqualTo(fromDirectory);
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  @Test
  void cannot_be_computed_without_the_files(Vertx vertx) {
    assertThatThrownBy(() -> AssetVersion.of(fileSystem(vertx), temp.resolve("missing").toString()))
        .isInstanceOf(FileSystemException.class);
  }
}
