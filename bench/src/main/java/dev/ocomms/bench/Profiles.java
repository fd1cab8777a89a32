package dev.ocomms.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the server's CPU time went, from JFR recordings ({@code jdk.ExecutionSample}): the methods that were on top
 * of the stack most often (self time), and the same grouped by package, each as a share of all samples.
 */
final class Profiles {
  private Profiles() {
  }

  static JsonObject hottest(List<Path> recordings, int limit) throws IOException {
    Map<String, Long> methods = new HashMap<>();
    Map<String, Long> packages = new HashMap<>();
    long samples = 0;
    JsonArray files = new JsonArray();
    for (Path recording : recordings) {
      if (!Files.exists(recording)) {
        continue;
      }
      files.add(recording.toString());
      for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        RecordedFrame top = stack.getFrames().get(0);
        String type = top.getMethod().getType().getName();
        methods.merge(type + "." + top.getMethod().getName(), 1L, Long::sum);
        packages.merge(packageOf(type), 1L, Long::sum);
        samples++;
      }
    }
    return new JsonObject().put("recordings", files).put("samples", samples)
        .put("methods", top(methods, samples, limit)).put("packages", top(packages, samples, limit));
  }

  private static String packageOf(String type) {
    String[] parts = type.split("\\.");
    int depth = Math.min(parts.length - 1, 3);
    return depth <= 0 ? type : String.join(".", java.util.Arrays.copyOf(parts, depth));
  }

  private static JsonArray top(Map<String, Long> counts, long samples, int limit) {
    JsonArray top = new JsonArray();
    counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
        .forEach(entry -> top.add(new JsonObject().put("name", entry.getKey())
            .put("share", Math.round(entry.getValue() * 1000.0 / Math.max(1, samples)) / 1000.0)));
    return top;
  }
}
