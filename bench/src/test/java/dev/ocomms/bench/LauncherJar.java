package dev.ocomms.bench;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged server for smoke tests that start real server processes. */
final class LauncherJar {
  private LauncherJar() {
  }

  /** {@code verticles/launcher/target/ocomms.jar}; fails the test when it is missing. */
  static Path path() {
    // Surefire runs in the bench module's directory; the launcher's jar is packaged before (see bench/pom.xml).
    Path jar = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent()
        .resolve("verticles/launcher/target/ocomms.jar");
    assertThat(jar).exists();
    return jar;
  }
}
