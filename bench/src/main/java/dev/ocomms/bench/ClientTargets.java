package dev.ocomms.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The targets of the client-performance issue (a web client that stays fast in a busy workspace), each checked
 * against a client run's results: {@code pass} is true or false, or null when the run did not measure that case
 * as the target states it (another rate, fewer messages loaded, fewer loads).
 */
final class ClientTargets {
  private ClientTargets() {
  }

  static JsonArray evaluate(JsonObject results, ClientScenario.Config config) {
    JsonArray rows = new JsonArray();
    JsonObject idle = results.getJsonObject("idle");
    rows.add(idle == null ? notMeasured("idle", "main thread ≤ 2 % busy", "no idle phase (0 in --rates)")
        : row("idle", "main thread ≤ 2 % busy", idle.getValue("busyPercent") + " % busy",
            idle.getDouble("busyPercent") <= 2));

    String busyTarget = "≤ 10 % busy, no task > 50 ms, badges right ≤ 250 ms after each message and ≤ 2 s after the"
        + " senders stop";
    JsonObject hundred = phase(results.getJsonArray("elsewhere"), 100);
    if (hundred == null) {
      rows.add(notMeasured("100 msg/s across channels not open", busyTarget, "no 100 msg/s phase in --rates"));
    } else {
      JsonObject lag = hundred.getJsonObject("badgeLagMs");
      JsonObject tasks = hundred.getJsonObject("longTasks");
      Long right = hundred.getLong("badgesRightAfterStopMs");
      Double maxLag = lag.getDouble("max");
      boolean pass = hundred.getDouble("busyPercent") <= 10 && tasks.getInteger("count") == 0
          && maxLag != null && maxLag <= 250 && lag.getInteger("neverShown") == 0 && right != null && right <= 2000;
      rows.add(row("100 msg/s across channels not open", busyTarget, String.format(
          "%s %% busy; %d tasks > 50 ms (max %s ms); badge lag max %s ms (%d never shown); right %s after the stop",
          hundred.getValue("busyPercent"), tasks.getInteger("count"), tasks.getValue("maxMs"), maxLag,
          lag.getInteger("neverShown"), right == null ? "never" : right + " ms"), pass));
    }

    JsonObject ten = phase(results.getJsonArray("openChat"), 10);
    String openTarget = "send → visible p99 ≤ 50 ms, ≤ 15 % busy";
    if (ten == null) {
      rows.add(notMeasured("10 msg/s into the open channel", openTarget, "no 10 msg/s in --open-rates"));
    } else {
      JsonObject visible = ten.getJsonObject("sendToVisibleMs");
      Double p99 = visible.getDouble("p99");
      rows.add(row("10 msg/s into the open channel", openTarget, String.format("p99 %s ms (%d not shown), %s %% busy",
              p99, visible.getInteger("notShown"), ten.getValue("busyPercent")),
          p99 != null && p99 <= 50 && visible.getInteger("notShown") == 0 && ten.getDouble("busyPercent") <= 15));
    }

    JsonObject switches = results.getJsonObject("switch");
    JsonObject light = switches.getJsonObject("light");
    JsonObject heavy = switches.getJsonObject("heavy");
    String switchTarget = "median ≤ 100 ms, max ≤ 250 ms, for both";
    String switchMeasured = String.format("light %s/%s ms, heavy (%s loaded) %s/%s ms (median/max)",
        light.getValue("medianMs"), light.getValue("maxMs"), heavy.getValue("messagesLoaded"),
        heavy.getValue("medianMs"), heavy.getValue("maxMs"));
    Predicate<JsonObject> fast = side -> side.getValue("medianMs") != null && side.getDouble("medianMs") <= 100
        && side.getDouble("maxMs") <= 250 && side.getInteger("timedOut") == 0;
    rows.add(heavy.getInteger("messagesLoaded") < 500
        ? notMeasured("channel switch (light; 500 messages loaded)", switchTarget, switchMeasured)
        : row("channel switch (light; 500 messages loaded)", switchTarget, switchMeasured,
            fast.test(light) && fast.test(heavy)));

    JsonObject cold = results.getJsonObject("coldLoad");
    Double coldMedian = cold.getDouble("medianMs");
    rows.add(row("cold load on loopback", "message list visible ≤ 1.5 s", String.format("median %s ms, max %s ms",
        coldMedian, cold.getValue("maxMs")), coldMedian != null && coldMedian <= 1500
        && cold.getJsonArray("loads").stream().allMatch(load -> ((JsonObject) load).getValue("visibleMs") != null)));

    String readTarget = "a read marker at least every 5 s";
    JsonObject five = phase(results.getJsonArray("openChat"), 5);
    if (five == null || ten == null) {
      rows.add(notMeasured("reads while 5 and 10 msg/s flow into the open channel", readTarget,
          "needs 5 and 10 in --open-rates"));
    } else {
      double gapAtFive = five.getJsonObject("reads").getDouble("longestGapMs");
      double gapAtTen = ten.getJsonObject("reads").getDouble("longestGapMs");
      rows.add(row("reads while 5 and 10 msg/s flow into the open channel", readTarget,
          String.format("longest gap %s ms at 5/s, %s ms at 10/s", gapAtFive, gapAtTen),
          gapAtFive <= 5000 && gapAtTen <= 5000));
    }

    JsonObject underLoad = results.getJsonObject("syncUnderLoad");
    String syncMeasured = String.format("answered on %d of %d loads at %s msg/s",
        underLoad.getLong("syncAnswered"), underLoad.getInteger("loads"),
        ClientScenario.number(underLoad.getDouble("ratePerSecond")));
    boolean asStated = underLoad.getDouble("ratePerSecond") == 100 && config.loads() >= 6;
    rows.add(asStated ? row("`chat.sync` at connect, while 100 msg/s flow elsewhere", "answered on 6 loads of 6",
        syncMeasured, underLoad.getLong("syncAnswered") == underLoad.getInteger("loads").longValue())
        : notMeasured("`chat.sync` at connect, while 100 msg/s flow elsewhere", "answered on 6 loads of 6",
            syncMeasured));
    return rows;
  }

  /** The rows as a Markdown table. */
  static String table(JsonArray rows) {
    List<String> lines = new ArrayList<>(List.of("| scenario | target | measured | result |", "| --- | --- | --- | --- |"));
    rows.forEach(entry -> {
      JsonObject row = (JsonObject) entry;
      Boolean pass = row.getBoolean("pass");
      lines.add("| " + row.getString("scenario") + " | " + row.getString("target") + " | " + row.getString("measured")
          + " | " + (pass == null ? "not measured as stated" : pass ? "pass" : "FAIL") + " |");
    });
    return String.join("\n", lines);
  }

  private static JsonObject phase(JsonArray phases, double rate) {
    return phases.stream().map(JsonObject.class::cast).filter(phase -> phase.getDouble("ratePerSecond") == rate)
        .findFirst().orElse(null);
  }

  private static JsonObject row(String scenario, String target, String measured, boolean pass) {
    return new JsonObject().put("scenario", scenario).put("target", target).put("measured", measured).put("pass", pass);
  }

  private static JsonObject notMeasured(String scenario, String target, String measured) {
    return new JsonObject().put("scenario", scenario).put("target", target).put("measured", measured)
        .putNull("pass");
  }
}
