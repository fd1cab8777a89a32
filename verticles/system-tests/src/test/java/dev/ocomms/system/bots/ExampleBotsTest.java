package dev.ocomms.system.bots;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example bots of {@code examples/} run as they are, as processes ({@code python3}, {@code node}), against a
 * two-node cluster: each connects to node 1's TCP bridge, a person mentions it through node 0, and the bot's answer
 * arrives in the mention's thread. A missing interpreter fails the test, naming it ({@link Interpreter}): the examples
 * are part of the build and are never skipped.
 */
@DisplayName("The example bots")
class ExampleBotsTest {
  private static final Path EXAMPLES = Path.of("../../examples").toAbsolutePath().normalize();
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestSystem system;
  private final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void start() {
    system = TestSystem.builder().nodes(2).everyNodeServes().deploy(AccountsVerticle::new)
        .deploy(MessagingVerticle::new).deploy(GatewayVerticle::new).withoutConnectionRateLimits().start();
  }

  @AfterEach
  void stopBots() {
    processes.forEach(Process::destroyForcibly);
    system.closeClients();
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  @Test
  @DisplayName("the Python echo bot (standard library only) answers a mention posted on the other node, in its thread")
  void python() throws Exception {
    answersAMention(Interpreter.require("python3", "the Python example bot (examples/echo_bot.py)"), "echo_bot.py");
  }

  @Test
  @DisplayName("the Node echo bot (net only) answers a mention posted on the other node, in its thread")
  void node() throws Exception {
    answersAMention(Interpreter.require("node", "the Node example bot (examples/echo-bot.js)"), "echo-bot.js");
  }

  private void answersAMention(Path interpreter, String script) throws Exception {
    assertThat(EXAMPLES.resolve(script)).as("the example").exists();
    Account owner = system.register("Owner");
    String workspaceId = system.workspace(owner, List.of());
    JsonObject created = system.bot(owner, workspaceId, "Echo");
    String botId = created.getJsonObject("bot").getString("id");
    String username = created.getJsonObject("bot").getString("username");
    String chatId = system.general(owner, workspaceId);
    system.expect(200, HttpMethod.POST, "/chats/" + chatId + "/members", owner.token(),
        new JsonObject().put("userId", botId));
    BridgeClient ownerClient = system.online(0, owner);
    ownerClient.listen(Addresses.chat(chatId));

    BlockingQueue<String> output = run(interpreter, script, created.getString("token"), system.botBridgePort(1));
    awaitLine(output, "registered chat." + chatId, interpreter.getFileName().toString());

    String mention = "@" + username + " ping " + UUID.randomUUID();
    JsonObject posted = system.expect(201, HttpMethod.POST, "/chats/" + chatId + "/messages", owner.token(),
        new JsonObject().put("clientId", UUID.randomUUID().toString()).put("content", mention));
    JsonObject reply = ownerClient.awaitEvent(Addresses.chat(chatId), "message.new",
        event -> botId.equals(event.getJsonObject("message").getString("senderId")), WAIT).getJsonObject("message");

    assertThat(reply.getString("replyTo")).isEqualTo(posted.getString("id"));
    assertThat(reply.getString("content")).isEqualTo("echo: " + mention);
  }

  /**
   * Starts the example with the interpreter {@link Interpreter#require} found; its output (stdout and stderr), line
   * by line.
   */
  private BlockingQueue<String> run(Path interpreter, String script, String token, int port) {
    ProcessBuilder builder = new ProcessBuilder(interpreter.toString(), EXAMPLES.resolve(script).toString())
        .redirectErrorStream(true);
    builder.environment().put("OCOMMS_BOT_TOKEN", token);
    builder.environment().put("OCOMMS_HOST", "127.0.0.1");
    builder.environment().put("OCOMMS_BOT_BRIDGE_PORT", String.valueOf(port));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new AssertionError(interpreter + " could not start examples/" + script + ": " + e.getMessage(), e);
    }
    processes.add(process);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        in.lines().forEach(lines::add);
      } catch (IOException | java.io.UncheckedIOException ended) {
        // The process was stopped.
      }
    }, interpreter.getFileName() + "-output");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static void awaitLine(BlockingQueue<String> output, String expected, String interpreter)
      throws InterruptedException {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String line = output.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
        if (line.equals(expected)) {
          return;
        }
      }
    }
    throw new AssertionError(interpreter + " bot never printed '" + expected + "'; it printed " + seen);
  }
}
