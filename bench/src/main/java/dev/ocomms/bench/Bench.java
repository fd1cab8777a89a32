package dev.ocomms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load tool: {@code java -jar bench/target/ocomms-bench.jar <scenario> [--option value]...}. Without
 * {@code --url} it starts the packaged server itself ({@code --nodes} processes sharing an embedded PostgreSQL and
 * Redis). Each run writes a JSON report and a PNG chart under {@code bench/results/} and appends a row to
 * {@code docs/benchmarks.md}. {@code --profile true} records the server nodes with JFR during the measured phase
 * and adds the hottest methods to the report.
 */
public final class Bench {
  static final List<String> SCENARIOS = List.of("throughput", "peer", "fanout", "connections", "reconnect",
      "client", "search", "uploads", "bots");

  private Bench() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].startsWith("-")) {
      usage("name a scenario");
    }
    String scenario = args[0];
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        usage("options are --name value pairs");
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    String command = "bin/bench " + String.join(" ", args);
    JsonObject report = run(scenario, options, command);
    System.out.println(report.getJsonObject("results").encodePrettily());
    if (report.containsKey("baseline")) {
      System.out.println("baseline: " + report.getJsonObject("baseline").encodePrettily());
    }
    // Load-generator child processes and client pools must not keep the JVM alive.
    System.exit(0);
  }

  /** Runs a scenario and writes its report; the report. */
  static JsonObject run(String scenarioName, Map<String, String> values, String command) throws Exception {
    Options options = new Options(values);
    String name = scenarioName + "-" + java.time.LocalDateTime.now().toString().replace(':', '-').substring(0, 19);
    Path directory = Path.of(options.text("out", "bench/results")).toAbsolutePath();
    Files.createDirectories(directory);
    boolean profile = options.flag("profile");
    List<String> jvmArgs = new ArrayList<>(serverJvm(options));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(
        options.integer("event-loops", Runtime.getRuntime().availableProcessors())));
    JsonObject report;
    Scenario scenario;
    List<Path> recordings;
    int nodes = options.integer("nodes", 1);
    if (scenarioName.equals("connections")) {
      ConnectionsScenario.checkBeforeStart(options); // 100K sockets need several nodes: say so before starting any
    }
    try (Target target = options.has("url")
        ? Target.of(options.text("url", null), options.text("bot-bridge-port", ""))
        : Target.start(Path.of(options.text("jar", "verticles/launcher/target/ocomms.jar")), nodes,
            options.text("server-heap", "2g"), serverEnvironment(scenarioName, options), jvmArgs)) {
      // An interrupted run (Ctrl-C, SIGTERM) still stops the servers and stores it started.
      Thread stopOnExit = new Thread(() -> {
        try {
          target.close();
        } catch (Exception e) {
          System.err.println("could not stop the servers: " + e);
        }
      }, "bench-stop-servers");
      Runtime.getRuntime().addShutdownHook(stopOnExit);
      target.logsTo(directory.resolve(name));
      if (profile) {
        target.profileTo(directory.resolve(name));
      }
      scenario = switch (scenarioName) {
        case "throughput" -> ThroughputScenario.from(vertx, target, options);
        case "peer" -> PeerScenario.from(vertx, target, options);
        case "fanout" -> FanoutScenario.from(vertx, target, options);
        case "connections" -> ConnectionsScenario.from(vertx, target, options);
        case "reconnect" -> ReconnectScenario.from(vertx, target, options);
        case "client" -> ClientScenario.from(vertx, target, options);
        case "search" -> SearchScenario.from(vertx, target, options);
        case "uploads" -> UploadsScenario.from(vertx, target, options);
        case "bots" -> BotsScenario.from(vertx, target, options);
        default -> throw new IllegalArgumentException("unknown scenario " + scenarioName + " (known: " + SCENARIOS + ")");
      };
      try {
        report = scenario.run();
        recordings = target.profiles();
      } finally {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    report.put("command", command).put("machine", Report.machine())
        .put("startedAt", java.time.Instant.now().toString());
    if (!recordings.isEmpty()) {
      report.put("profile", Profiles.hottest(recordings, 25));
    }
    Path json = Report.write(directory, name, report);
    String docs = options.text("docs", "docs/benchmarks.md");
    if (!docs.equals("none")) {
      Report.appendRow(Path.of(docs), command, scenario.figures(report), json);
    }
    return report;
  }

  /** The settings a scenario needs of the nodes it starts, then {@code --server-env NAME=value,…} over them. */
  static Map<String, String> serverEnvironment(String scenarioName, Options options) {
    Map<String, String> environment = new HashMap<>(scenarioName.equals("uploads")
        ? UploadsScenario.serverEnvironment(options) : Map.of());
    environment.putAll(Target.environment(options.text("server-env", "")));
    return environment;
  }

  /** More JVM options for the server nodes (and baselines that stand for them): {@code --server-jvm "-XX:..."}. */
  static List<String> serverJvm(Options options) {
    List<String> args = new ArrayList<>(List.of(options.text("server-jvm", "").trim().split("\\s+")));
    args.removeIf(String::isEmpty);
    return args;
  }

  private static void usage(String problem) {
    System.err.println(problem + "\nusage: bin/bench <" + String.join("|", SCENARIOS) + "> [--option value]..."
        + "\n  common: [--url http://host:port[,http://host:port]] [--nodes 1] [--server-heap 2g]"
        + " [--server-env NAME=value,...] [--server-jvm \"-XX:...\"] [--profile true] [--out bench/results] [--docs docs/benchmarks.md|none]"
        + "\n  client: [--channels 200] [--senders 20] [--rates 0,20,50,100] [--open-rates 5,10] [--seconds 20]"
        + " [--heavy 500] [--light 15] [--open-messages 50] [--switches 10] [--loads 6] [--sync-rate 100]"
        + " [--settle-seconds 90] (headless Chromium; see docs/benchmarks.md)"
        + "\n  search: [--messages 1000000] [--users 500] [--chats 200] [--connections 100] [--queries 300]"
        + " [--send-rate 200] [--probes 100] [--pg-url postgresql://… (with --url)]"
        + "\n  uploads: [--big-mb 1024] [--heap-limit-mb 64] [--concurrency 8] [--file-mb 5] [--rounds 8]"
        + " [--warmup-rounds 1] [--sample-ms 20] [--baseline true]"
        + "\n  bots: [--rate 100] [--bots ceil(rate/8)] [--senders-per-bot 2] [--seconds 60] [--warmup 10]"
        + " [--idle-seconds 10]"
        + " [--bot-bridge-port port[,port] (with --url)]"
        + "\n  see docs/benchmarks.md for each scenario's options");
    System.exit(2);
  }
}
