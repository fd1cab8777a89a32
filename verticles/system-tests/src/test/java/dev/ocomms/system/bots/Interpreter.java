package dev.ocomms.system.bots;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Finds the interpreter an example needs ({@code python3}, {@code node}) before the example is run, so that a machine
 * without it fails the build with a sentence naming it, not with an {@link IOException} from deep in
 * {@link ProcessBuilder}. Never skips: the examples are part of the build.
 */
final class Interpreter {
  private Interpreter() {
  }

  /** {@code name} on this process's {@code PATH}, runnable; fails naming it and {@code neededBy} otherwise. */
  static Path require(String name, String neededBy) {
    return require(name, neededBy, System.getenv().getOrDefault("PATH", ""));
  }

  /**
   * {@code name} in the first directory of {@code path} (a {@code PATH} value) that holds an executable file of that
   * name, checked to run ({@code name --version} exits 0: a version manager's shim for a version that is not
   * installed is on the PATH but does not run). Fails with an {@link AssertionError} naming the interpreter and
   * {@code neededBy} when there is none or it does not run.
   */
  static Path require(String name, String neededBy, String path) {
    Path found = null;
    for (String directory : path.split(File.pathSeparator)) {
      if (directory.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(directory).resolve(name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        found = candidate.toAbsolutePath();
        break;
      }
    }
    if (found == null) {
      throw new AssertionError(name + " not found on PATH: " + neededBy + " needs it (install " + name
          + " and put it on the PATH; PATH was: " + path + ")");
    }
    String problem = runs(found);
    if (problem != null) {
      throw new AssertionError(name + " on PATH (" + found + ") does not run: " + problem + "; " + neededBy
          + " needs it");
    }
    return found;
  }

  /** Null when {@code interpreter --version} exits 0 (within 30 s); what went wrong otherwise. */
  private static String runs(Path interpreter) {
    try {
      Process process = new ProcessBuilder(interpreter.toString(), "--version").redirectErrorStream(true).start();
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "'" + interpreter.getFileName() + " --version' did not finish within 30 s";
      }
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      return process.exitValue() == 0 ? null
          : "'" + interpreter.getFileName() + " --version' exited " + process.exitValue() + ": " + output;
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
