package dev.ocomms.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Writes a run's JSON report and PNG chart, and appends its row to docs/benchmarks.md. */
final class Report {
  private Report() {
  }

  static JsonObject machine() {
    return new JsonObject()
        .put("cores", Runtime.getRuntime().availableProcessors())
        .put("memoryBytes", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize())
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
  }

  /** Writes {@code <name>.json} and {@code <name>.png} into {@code directory}; returns the JSON's path. */
  static Path write(Path directory, String name, JsonObject report) throws IOException {
    Files.createDirectories(directory);
    Path json = directory.resolve(name + ".json");
    Files.writeString(json, report.encodePrettily(), StandardCharsets.UTF_8);
    chart(directory.resolve(name + ".png"), name, report);
    return json;
  }

  /**
   * The report's own {@code charts} when it has them (see {@link #panels}), else latency percentiles over time (top)
   * and the latency histogram (bottom), in one image.
   */
  private static void chart(Path png, String title, JsonObject report) throws IOException {
    if (report.containsKey("charts")) {
      panels(png, title, report.getJsonArray("charts"));
      return;
    }
    if ("reconnect".equals(report.getString("scenario"))) {
      recoveryChart(png, title, report);
      return;
    }
    JsonArray series = report.getJsonArray("series", new JsonArray());
    XYChart overTime = new XYChartBuilder().width(1000).height(420).title(title + ": latency over time")
        .xAxisTitle("second").yAxisTitle("ms").build();
    for (String metric : List.of("ackP50", "ackP99", "deliverP50", "deliverP99")) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      series.forEach(point -> {
        JsonObject p = (JsonObject) point;
        if (p.getValue(metric) != null) {
          x.add(p.getDouble("t"));
          y.add(p.getDouble(metric));
        }
      });
      if (!x.isEmpty()) {
        overTime.addSeries(metric, x, y);
      }
    }
    CategoryChart histogram = new CategoryChartBuilder().width(1000).height(420).title("latency histogram")
        .xAxisTitle("up to ms").yAxisTitle("count").build();
    // Every series needs the same categories (XChart fails otherwise): the union of the buckets, 0 where empty.
    JsonObject histograms = report.getJsonObject("histograms", new JsonObject());
    java.util.TreeMap<Double, long[]> buckets = new java.util.TreeMap<>();
    List<String> names = List.of("ack", "deliver");
    for (int i = 0; i < names.size(); i++) {
      int index = i;
      histograms.getJsonArray(names.get(i), new JsonArray()).forEach(b -> buckets
          .computeIfAbsent(((JsonObject) b).getDouble("upToMs"), k -> new long[names.size()])[index] =
          ((JsonObject) b).getLong("count"));
    }
    if (!buckets.isEmpty()) {
      List<String> x = buckets.keySet().stream().map(String::valueOf).toList();
      for (int i = 0; i < names.size(); i++) {
        int index = i;
        histogram.addSeries(names.get(i), x, buckets.values().stream().map(counts -> counts[index]).toList());
      }
    }
    writeStacked(png, overTime, histogram);
  }

  /**
   * Reconnect storm: connected and recovered clients per second around the kill, ours and the baseline's (top), and
   * how many clients recovered in each second after the kill (bottom).
   */
  private static void recoveryChart(Path png, String title, JsonObject report) throws IOException {
    XYChart overTime = new XYChartBuilder().width(1000).height(420).title(title + ": clients around the kill")
        .xAxisTitle("seconds from the kill").yAxisTitle("clients").build();
    JsonObject baseline = report.getJsonObject("baseline", new JsonObject());
    addSeries(overTime, "connected", report.getJsonArray("series", new JsonArray()), "connected");
    addSeries(overTime, "recovered", report.getJsonArray("series", new JsonArray()), "recovered");
    addSeries(overTime, "baseline connected", baseline.getJsonArray("series", new JsonArray()), "connected");
    addSeries(overTime, "baseline recovered", baseline.getJsonArray("series", new JsonArray()), "recovered");
    CategoryChart histogram = new CategoryChartBuilder().width(1000).height(420)
        .title("clients recovered per second after the kill").xAxisTitle("second").yAxisTitle("clients").build();
    List<JsonArray> sources = List.of(
        report.getJsonObject("histograms", new JsonObject()).getJsonArray("recovery", new JsonArray()),
        baseline.getJsonObject("histograms", new JsonObject()).getJsonArray("recovery", new JsonArray()));
    // The same categories for every series (XChart fails otherwise): every second up to the last recovery.
    long last = sources.stream().flatMap(JsonArray::stream)
        .mapToLong(b -> ((JsonObject) b).getLong("upToSeconds")).max().orElse(0);
    List<String> seconds = new ArrayList<>();
    for (long second = 1; second <= last; second++) {
      seconds.add(String.valueOf(second));
    }
    List<String> names = List.of("ocomms", "baseline");
    for (int i = 0; i < names.size(); i++) {
      if (sources.get(i).isEmpty()) {
        continue;
      }
      long[] counts = new long[(int) last];
      sources.get(i).forEach(b -> counts[(int) (((JsonObject) b).getLong("upToSeconds") - 1)] +=
          ((JsonObject) b).getLong("count"));
      histogram.addSeries(names.get(i), seconds, java.util.Arrays.stream(counts).boxed().toList());
    }
    writeStacked(png, overTime, histogram);
  }

  private static void addSeries(XYChart chart, String name, JsonArray series, String metric) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    series.forEach(point -> {
      JsonObject p = (JsonObject) point;
      if (p.getValue(metric) != null) {
        x.add(p.getDouble("t"));
        y.add(p.getDouble(metric));
      }
    });
    if (!x.isEmpty()) {
      chart.addSeries(name, x, y);
    }
  }

  private static void writeStacked(Path png, XYChart top, CategoryChart bottom) throws IOException {
    BufferedImage image = new BufferedImage(1000, 840, BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    if (!top.getSeriesMap().isEmpty()) {
      graphics.drawImage(BitmapEncoder.getBufferedImage(top), 0, 0, null);
    }
    if (!bottom.getSeriesMap().isEmpty()) {
      graphics.drawImage(BitmapEncoder.getBufferedImage(bottom), 0, 420, null);
    }
    graphics.dispose();
    javax.imageio.ImageIO.write(image, "png", png.toFile());
  }

  /**
   * Line charts stacked in one image, for scenarios whose figures are not latencies: each panel is
   * {@code {title, yAxisTitle, xAxisTitle (default "second"), lines: [{name, x: [value...], y: [value...]}]}}.
   */
  private static void panels(Path png, String title, JsonArray charts) throws IOException {
    int width = 1000;
    int height = 420;
    BufferedImage image = new BufferedImage(width, height * Math.max(1, charts.size()), BufferedImage.TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    for (int i = 0; i < charts.size(); i++) {
      JsonObject panel = charts.getJsonObject(i);
      XYChart chart = new XYChartBuilder().width(width).height(height)
          .title(title + ": " + panel.getString("title")).xAxisTitle(panel.getString("xAxisTitle", "second"))
          .yAxisTitle(panel.getString("yAxisTitle", "")).build();
      for (Object entry : panel.getJsonArray("lines", new JsonArray())) {
        JsonObject line = (JsonObject) entry;
        List<Double> x = line.getJsonArray("x").stream().map(v -> ((Number) v).doubleValue()).toList();
        List<Double> y = line.getJsonArray("y").stream().map(v -> ((Number) v).doubleValue()).toList();
        if (!x.isEmpty()) {
          chart.addSeries(line.getString("name"), x, y);
        }
      }
      if (!chart.getSeriesMap().isEmpty()) {
        graphics.drawImage(BitmapEncoder.getBufferedImage(chart), 0, i * height, null);
      }
    }
    graphics.dispose();
    javax.imageio.ImageIO.write(image, "png", png.toFile());
  }

  /**
   * Adds one line at the end of the table under "## Results" in docs/benchmarks.md (at the end of the file when there
   * is no such table), naming the report relative to the working directory.
   */
  static void appendRow(Path benchmarksMd, String command, String figures, Path reportJson) throws IOException {
    Path cwd = Path.of("").toAbsolutePath();
    Path shown = reportJson.toAbsolutePath().startsWith(cwd) ? cwd.relativize(reportJson.toAbsolutePath()) : reportJson;
    String row = "| " + Instant.now().toString().substring(0, 16).replace('T', ' ') + " | `" + command + "` | "
        + figures + " | `" + shown + "` |";
    List<String> lines = Files.exists(benchmarksMd) ? new ArrayList<>(Files.readAllLines(benchmarksMd))
        : new ArrayList<>();
    int at = lines.size();
    int results = lines.indexOf("## Results");
    if (results >= 0) {
      int line = results + 1;
      while (line < lines.size() && !lines.get(line).startsWith("|")) {
        line++;
      }
      while (line < lines.size() && lines.get(line).startsWith("|")) {
        line++;
      }
      at = line;
    }
    lines.add(at, row);
    Files.writeString(benchmarksMd, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }
}
