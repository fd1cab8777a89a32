package dev.ocomms.bench;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A load-generator child process: a JVM on this bench's classpath running {@code main} with a JSON spec. One process
 * may hold at most ~19.5K sockets (the open-file limit), so large runs split their clients over several. The child
 * reports JSON lines on standard output (prefixed, so that its log lines are ignored), and takes JSON commands, one
 * per line, on standard input. The child side is {@link Child}.
 */
final class GeneratorProcess implements AutoCloseable {
  private static final String REPORT_PREFIX = "@report ";

  private final Process process;
  private final Writer commands;
  private final Thread reader;

  private GeneratorProcess(Process process, Thread reader) {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.reader = reader;
  }

  /** Starts {@code main} with {@code spec}; every report line the child writes goes to {@code reports}. */
  static GeneratorProcess start(Class<?> main, JsonObject spec, String heap, Consumer<JsonObject> reports)
      throws IOException {
    Path specFile = Files.createTempFile("ocomms-generator-", ".json");
    Files.writeString(specFile, spec.encode());
    specFile.toFile().deleteOnExit();
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap, "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), main.getName(),
        specFile.toString()));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith(REPORT_PREFIX)) {
            reports.accept(new JsonObject(line.substring(REPORT_PREFIX.length())));
          }
        }
      } catch (IOException | RuntimeException ended) {
        // The child exited or wrote a malformed line; its exit is what the scenario watches.
      }
    }, "generator-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    return new GeneratorProcess(process, reader);
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Sends one command line to the child. */
  synchronized void send(JsonObject command) throws IOException {
    commands.write(command.encode());
    commands.write('\n');
    commands.flush();
  }

  /** Waits for the child to exit by itself; its exit code, or -1 when it did not within the time. */
  int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      return -1;
    }
    reader.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** The child's side: its spec, its reports, its commands. */
  static final class Child {
    private static final PrintStream OUT = System.out;

    private Child() {
    }

    /** The spec the parent wrote ({@code args[0]} names its file). */
    static JsonObject spec(String[] args) throws IOException {
      return new JsonObject(Files.readString(Path.of(args[0])));
    }

    /** Writes one report line for the parent. */
    static void report(JsonObject report) {
      synchronized (OUT) {
        OUT.println(REPORT_PREFIX + report.encode());
        OUT.flush();
      }
    }

    /**
     * Hands every command line from the parent to {@code handler} on a daemon thread; when the parent goes away
     * (standard input ends) the child exits, so that no generator outlives its run.
     */
    static void onCommands(Consumer<JsonObject> handler) {
      Thread thread = new Thread(() -> {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
          String line;
          while ((line = lines.readLine()) != null) {
            if (!line.isBlank()) {
              handler.accept(new JsonObject(line));
            }
          }
        } catch (IOException | RuntimeException ended) {
          // Fall through: the parent is gone.
        }
        Runtime.getRuntime().halt(3);
      }, "generator-commands");
      thread.setDaemon(true);
      thread.start();
    }
  }
}
