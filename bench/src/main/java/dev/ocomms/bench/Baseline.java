package dev.ocomms.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BaselineServer} process started from this bench's own classpath, on a free port, for one scenario's
 * baseline run; stopped on close.
 */
final class Baseline implements AutoCloseable {
  final String host = "127.0.0.1";
  final int port;
  private final ProcessBuilder builder;
  private final Path log;
  private Process process;

  private Baseline(int port, ProcessBuilder builder, Path log) {
    this.port = port;
    this.builder = builder;
    this.log = log;
  }

  /** Starts the baseline server (JVM heap {@code heap}) and waits until it listens. */
  static Baseline start(String heap) throws IOException, InterruptedException {
    return start(heap, List.of());
  }

  /** The same, with more JVM options (those the server nodes got, so that memory figures compare). */
  static Baseline start(String heap, List<String> jvmArgs) throws IOException, InterruptedException {
    int port = Target.freePort();
    Path log = Files.createTempFile("ocomms-baseline-", ".log");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-XX:+UseG1GC"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), BaselineServer.class.getName(),
        String.valueOf(port)));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Baseline baseline = new Baseline(port, builder, log);
    baseline.launch();
    return baseline;
  }

  /** Starts the process (again, after {@link #kill()}) and waits until it listens. */
  void launch() throws IOException, InterruptedException {
    process = builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the baseline server exited: " + Files.readString(log));
      }
      try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("the baseline server did not listen within 60 s");
  }

  /** Kills the process at once (SIGKILL). */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
    new File(log.toString()).delete();
  }
}
