package dev.ocomms.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The client scenario's figures from what the page recorded and what the senders sent, by the measurement method
 * (docs/benchmarks.md, "client"): pure functions, so that each definition is tested on its own.
 */
final class ClientFigures {
  private ClientFigures() {
  }

  /** A sidebar row's count as the page showed it from {@code atMs} (epoch) on. */
  record BadgeChange(String chatId, int count, long atMs) {
  }

  /** Nearest-rank percentiles and the maximum, in ms (rounded to 0.1); {@code count} 0 and nulls when empty. */
  static JsonObject percentiles(List<Double> values, double... percents) {
    JsonObject summary = new JsonObject().put("count", values.size());
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    for (double percent : percents) {
      String name = "p" + (percent == Math.rint(percent) ? String.valueOf((long) percent)
          : String.valueOf(percent).replace(".", ""));
      summary.put(name, sorted.length == 0 ? null : round(sorted[rank(sorted.length, percent)]));
    }
    return summary.put("max", sorted.length == 0 ? null : round(sorted[sorted.length - 1]));
  }

  private static int rank(int size, double percent) {
    return Math.max(0, Math.min(size - 1, (int) Math.ceil(percent / 100 * size) - 1));
  }

  static Double median(List<Double> values) {
    return (Double) percentiles(values, 50).getValue("p50");
  }

  static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  /**
   * Per message, how long after it was sent its chat's badge first showed a count that includes it. A chat's count
   * includes message m once it reaches the chat's count before the phase ({@code countsBefore}, the server's) plus
   * the number of the phase's messages in that chat up to m's seq. Messages whose badge never got there are counted
   * in {@code neverShown}.
   */
  static JsonObject badgeLags(List<ClientLoad.Sent> sent, Map<String, Integer> countsBefore, List<BadgeChange> log) {
    Map<String, List<ClientLoad.Sent>> byChat = new HashMap<>();
    sent.forEach(message -> byChat.computeIfAbsent(message.chatId(), chat -> new ArrayList<>()).add(message));
    Map<String, List<BadgeChange>> changes = new HashMap<>();
    log.forEach(change -> changes.computeIfAbsent(change.chatId(), chat -> new ArrayList<>()).add(change));
    List<Double> lags = new ArrayList<>();
    int neverShown = 0;
    for (Map.Entry<String, List<ClientLoad.Sent>> chat : byChat.entrySet()) {
      List<ClientLoad.Sent> messages = new ArrayList<>(chat.getValue());
      messages.sort(Comparator.comparingLong(ClientLoad.Sent::seq));
      List<BadgeChange> shown = changes.getOrDefault(chat.getKey(), List.of());
      int before = countsBefore.getOrDefault(chat.getKey(), 0);
      for (int i = 0; i < messages.size(); i++) {
        int includes = before + i + 1;
        BadgeChange first = shown.stream().filter(change -> change.count() >= includes).findFirst().orElse(null);
        if (first == null) {
          neverShown++;
        } else {
          lags.add((double) (first.atMs() - messages.get(i).sentAtMs()));
        }
      }
    }
    return percentiles(lags, 50, 99).put("neverShown", neverShown);
  }

  /**
   * When every badge was right for good, in ms after {@code stoppedAtMs} (0 when they were right before): the last
   * change of each chat in {@code expected} (whose rows show the expected counts now). Null when some row does not
   * show its expected count ({@code finalCounts}).
   */
  static Long rightAfterStop(Map<String, Integer> expected, Map<String, Integer> finalCounts, List<BadgeChange> log,
                             long stoppedAtMs) {
    boolean right = expected.entrySet().stream()
        .allMatch(entry -> entry.getValue().equals(finalCounts.get(entry.getKey())));
    if (!right) {
      return null;
    }
    long rightAt = log.stream().filter(change -> expected.containsKey(change.chatId()))
        .mapToLong(BadgeChange::atMs).max().orElse(stoppedAtMs);
    return Math.max(0, rightAt - stoppedAtMs);
  }

  /** The longest time without a read marker in [from, to], counting from the window's start and to its end. */
  static double longestGap(List<Double> sentAt, double from, double to) {
    double[] times = sentAt.stream().mapToDouble(Double::doubleValue).filter(at -> at >= from && at <= to).sorted()
        .toArray();
    double longest = 0;
    double previous = from;
    for (double at : times) {
      longest = Math.max(longest, at - previous);
      previous = at;
    }
    return round(Math.max(longest, to - previous));
  }

  /** The page's long tasks ({@code [start, duration]}) as count, longest and total ms. */
  static JsonObject longTasks(JsonArray tasks) {
    double[] durations = tasks.stream().mapToDouble(task -> ((JsonArray) task).getDouble(1)).toArray();
    return new JsonObject().put("count", durations.length)
        .put("maxMs", round(Arrays.stream(durations).max().orElse(0)))
        .put("totalMs", round(Arrays.stream(durations).sum()));
  }

  /**
   * Main-thread busy share over a window from two {@code Performance.getMetrics} readings: the change of
   * {@code TaskDuration} (and of {@code ThreadTime}, CPU time, where Chromium gives it; and the script, layout and
   * style parts) over the change of {@code Timestamp}, in percent.
   */
  static JsonObject busy(Map<String, Double> before, Map<String, Double> after) {
    double wall = after.get("Timestamp") - before.get("Timestamp");
    JsonObject busy = new JsonObject().put("seconds", round(wall));
    for (String[] metric : new String[][] {{"TaskDuration", "busyPercent"}, {"ThreadTime", "threadBusyPercent"},
        {"ScriptDuration", "scriptPercent"}, {"LayoutDuration", "layoutPercent"},
        {"RecalcStyleDuration", "styleRecalcPercent"}}) {
      if (before.containsKey(metric[0]) && after.containsKey(metric[0]) && wall > 0) {
        busy.put(metric[1], round(100 * (after.get(metric[0]) - before.get(metric[0])) / wall));
      }
    }
    return busy;
  }

  /**
   * The functions with the most self time in a DevTools CPU profile ({@code Profiler.stop}'s {@code profile}), one per
   * line: milliseconds, share of the sampled time, name and where it is.
   */
  static String topSelfTime(JsonObject profile, int count) {
    Map<Integer, String> frameOf = new HashMap<>();
    for (Object entry : profile.getJsonArray("nodes")) {
      JsonObject node = (JsonObject) entry;
      JsonObject frame = node.getJsonObject("callFrame");
      String url = frame.getString("url", "");
      String name = frame.getString("functionName", "");
      frameOf.put(node.getInteger("id"), (name.isEmpty() ? "(anonymous)" : name)
          + (url.isEmpty() ? "" : " " + url.substring(url.lastIndexOf('/') + 1) + ":" + (frame.getInteger("lineNumber", 0) + 1)));
    }
    JsonArray samples = profile.getJsonArray("samples", new JsonArray());
    JsonArray deltas = profile.getJsonArray("timeDeltas", new JsonArray());
    Map<String, Double> selfMs = new HashMap<>();
    double total = 0;
    for (int i = 0; i < samples.size() && i < deltas.size(); i++) {
      double ms = deltas.getNumber(i).doubleValue() / 1000.0;
      total += ms;
      selfMs.merge(frameOf.getOrDefault(samples.getInteger(i), "?"), ms, Double::sum);
    }
    double all = total;
    StringBuilder out = new StringBuilder();
    selfMs.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(count)
        .forEach(entry -> out.append(String.format("%9.1f ms %5.1f %%  %s%n", entry.getValue(),
            all == 0 ? 0 : 100 * entry.getValue() / all, entry.getKey())));
    return out.toString();
  }
}
