package dev.ocomms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The load tool: {@code java -jar bench/target/ocomms-bench.jar <scenario> [--option value]...}. Without
 * {@code --url} it starts the packaged server itself (embedded PostgreSQL and Redis). Each run writes a JSON report
 * and a PNG chart under {@code bench/results/} and appends a row to {@code docs/benchmarks.md}.
 */
public final class Bench {
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
  }

  /** Runs a scenario and writes its report; the report. */
  static JsonObject run(String scenario, Map<String, String> options, String command) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(
        Integer.parseInt(options.getOrDefault("event-loops", String.valueOf(Runtime.getRuntime().availableProcessors())))));
    try (Target target = options.containsKey("url") ? Target.of(options.get("url"))
        : Target.start(Path.of(options.getOrDefault("jar", "verticles/launcher/target/ocomms.jar")),
            options.getOrDefault("server-heap", "2g"))) {
      JsonObject report = switch (scenario) {
        case "throughput" -> new ThroughputScenario(vertx, target, new ThroughputScenario.Config(
            integer(options, "chats", 10), integer(options, "members", 10), integer(options, "senders", 100),
            Double.parseDouble(options.getOrDefault("rate", "500")), integer(options, "seconds", 30),
            integer(options, "warmup", 10), integer(options, "setup-concurrency", 16))).run();
        default -> throw new IllegalArgumentException("unknown scenario " + scenario + " (known: throughput)");
      };
      report.put("command", command).put("machine", Report.machine())
          .put("startedAt", java.time.Instant.now().toString());
      String name = scenario + "-" + java.time.LocalDateTime.now().toString().replace(':', '-').substring(0, 19);
      Path directory = Path.of(options.getOrDefault("out", "bench/results"));
      Path json = Report.write(directory, name, report);
      String docs = options.getOrDefault("docs", "docs/benchmarks.md");
      if (!docs.equals("none")) {
        Report.appendRow(Path.of(docs), command, figures(report), json);
      }
      return report;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    JsonObject cpu = report.getJsonObject("cpu");
    return String.format("%d acked/s; ack p50/p99/p99.9 %.1f/%.1f/%.1f ms; deliver p50/p99 %.1f/%.1f ms;"
            + " lost %d, dup %d; CPU server %s, bench %s of 2 cores",
        results.getLong("ackedPerSecond"),
        results.getJsonObject("ack").getDouble("p50"), results.getJsonObject("ack").getDouble("p99"),
        results.getJsonObject("ack").getDouble("p999"),
        results.getJsonObject("deliver").getDouble("p50"), results.getJsonObject("deliver").getDouble("p99"),
        results.getLong("lost"), results.getLong("duplicated"),
        cpu.getValue("serverShareOfMachine"), cpu.getValue("benchShareOfMachine"));
  }

  private static int integer(Map<String, String> options, String name, int fallback) {
    return Integer.parseInt(options.getOrDefault(name, String.valueOf(fallback)));
  }

  private static void usage(String problem) {
    System.err.println(problem + "\nusage: bin/bench throughput [--chats 10] [--members 10] [--senders 100]"
        + " [--rate 500] [--seconds 30] [--warmup 10] [--url http://host:port] [--out bench/results] [--docs docs/benchmarks.md]");
    System.exit(2);
  }
}
