package dev.ocomms.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged jar run as a real separate process, as an operator runs it; its output goes to a file. */
final class LauncherProcess implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path output;

  private LauncherProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  static LauncherProcess start(Path workDir, Map<String, String> environment) throws IOException {
    String jar = System.getProperty("ocomms.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("the packaged jar is missing: " + jar + " (run through mvn verify)");
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-jar", jar));
    Path output = Files.createTempFile(workDir, "ocomms-", ".log");
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("OCOMMS_"));
    builder.environment().putAll(environment);
    return new LauncherProcess(builder.start(), output);
  }

  /** Polls a path until it answers with the status, or the time is up; returns the last status seen (0: none). */
  int awaitStatus(int port, String path, int expected, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    int last = 0;
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        last = response.statusCode();
        if (last == expected) {
          return last;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(250);
    }
    return last;
  }

  /** Sends SIGTERM, as an orchestrator does, and waits for the exit code. */
  int terminate(Duration within) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException("did not stop within " + within + " after SIGTERM");
    }
    return process.exitValue();
  }

  /** SIGKILL: the process dies at once, as in a crash or an OOM kill; nothing of it runs after this returns. */
  void kill() {
    try {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  int awaitExit(Duration within) throws InterruptedException {
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("still running after " + within);
    }
    return process.exitValue();
  }

  /** The output once it contains {@code text}, or as it is when the time is up. */
  String awaitOutput(String text, Duration within) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    String output = output();
    while (!output.contains(text) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      output = output();
    }
    return output;
  }

  String output() throws IOException {
    return Files.readString(output, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
