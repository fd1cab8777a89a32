package dev.ocomms.system.bots;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The check that runs before an example bot: the interpreter it needs is on the PATH and runs, or the test fails
 * naming it.
 */
@DisplayName("Finding an example bot's interpreter")
class InterpreterTest {
  private static final String NEEDED_BY = "the Python example bot (examples/echo_bot.py)";

  @Test
  @DisplayName("an interpreter that is nowhere on the PATH fails with a message naming it and what needs it")
  void missingInterpreterIsNamed(@TempDir Path empty) {
    String name = "ocomms-no-such-interpreter-3";

    assertThatThrownBy(() -> Interpreter.require(name, NEEDED_BY, empty + File.pathSeparator + "/nonexistent"))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith(name + " not found on PATH: " + NEEDED_BY + " needs it");
  }

  @Test
  @DisplayName("an interpreter missing from this process's own PATH fails the same way (the check never skips)")
  void missingFromTheRealPathIsNamed() {
    String name = "ocomms-no-such-interpreter-" + ProcessHandle.current().pid();

    assertThatThrownBy(() -> Interpreter.require(name, NEEDED_BY))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(name + " not found on PATH");
  }

  @Test
  @DisplayName("a file of that name that is not executable does not count as the interpreter")
  void nonExecutableFileIsNotTheInterpreter(@TempDir Path directory) throws Exception {
    Files.writeString(directory.resolve("python3"), "#!/bin/sh\nexit 0\n");

    assertThatThrownBy(() -> Interpreter.require("python3", NEEDED_BY, directory.toString()))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("python3 not found on PATH");
  }

  @Test
  @DisplayName("an interpreter on the PATH that does not run (a shim without its version) fails naming it and why")
  void interpreterThatDoesNotRunIsNamed(@TempDir Path directory) throws Exception {
    script(directory.resolve("python3"), "echo 'pyenv: python3: command not found'; exit 127");

    assertThatThrownBy(() -> Interpreter.require("python3", NEEDED_BY, directory.toString()))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("python3 on PATH (" + directory.resolve("python3").toAbsolutePath() + ") does not run")
        .hasMessageContaining("exited 127: pyenv: python3: command not found")
        .hasMessageEndingWith(NEEDED_BY + " needs it");
  }

  @Test
  @DisplayName("the first runnable interpreter of that name on the PATH is the one used")
  void firstOnThePathIsFound(@TempDir Path first, @TempDir Path second) throws Exception {
    script(first.resolve("node"), "echo v20.0.0");
    script(second.resolve("node"), "echo v18.0.0");

    Path found = Interpreter.require("node", "the Node example bot", "/nonexistent" + File.pathSeparator + first
        + File.pathSeparator + second);

    assertThat(found).isEqualTo(first.resolve("node").toAbsolutePath());
  }

  private static void script(Path file, String body) throws Exception {
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
