package dev.ocomms.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * File uploads (issue #16), through the gateway as a browser sends them ({@code POST /api/v1/files}, multipart, with
 * {@code Content-Length}), of generated plain text ({@link GeneratedText}: made while it is sent, never held whole):
 * <ul>
 *   <li><b>One big file</b> ({@code big-mb}, default 1024 MiB) through the first node, while the bench watches that
 *   node's heap over JMX ({@link HeapWatch}): the heap after a full collection just before, the most it held during
 *   the upload (garbage included) and the most it held right after any collection during it (what the upload kept
 *   reachable). Streamed, that growth stays under {@code heap-limit-mb} (default 64). Then the file is
 *   downloaded and its size and CRC32C compared with what was sent.</li>
 *   <li><b>Concurrent uploads</b>: {@code concurrency} users (default 8), each uploading {@code file-mb} (default 5)
 *   MiB files one after the other, {@code warmup-rounds} (default 1) unmeasured then {@code rounds} (default 8)
 *   measured: aggregate MiB/s and per-upload latency (request sent → {@code 201}).</li>
 *   <li><b>Raw disk baseline</b> ({@link DiskWrites}): the same bytes written with plain file I/O to the same file
 *   system, as many files at once, each forced to disk: MiB/s and per-file time, and ours as a ratio of it.</li>
 * </ul>
 * The bench starts the server with {@code OCOMMS_UPLOADS_MAX_BYTES} and {@code OCOMMS_UPLOADS_QUOTA_MB} raised for
 * the big file; the per-user rate limit (10 uploads a minute) is kept, which is why each concurrent lane is a user of
 * its own.
 */
final class UploadsScenario implements Scenario {
  private static final Logger LOG = LoggerFactory.getLogger(UploadsScenario.class);
  static final long MIB = 1024 * 1024;
  /** The server's per-user limit on uploads started per minute unless {@code --server-env} changes it. */
  private static final int UPLOADS_PER_MINUTE = 10;

  /** What to run. */
  record Config(long bigBytes, long fileBytes, int concurrency, int rounds, int warmupRounds, long heapLimitBytes,
                int sampleMs, int uploadsPerMinute, boolean baseline) {
    JsonObject toJson() {
      return new JsonObject().put("bigBytes", bigBytes).put("fileBytes", fileBytes).put("concurrency", concurrency)
          .put("rounds", rounds).put("warmupRounds", warmupRounds).put("heapLimitBytes", heapLimitBytes)
          .put("heapSampleMs", sampleMs).put("uploadsPerMinutePerUser", uploadsPerMinute).put("baseline", baseline)
          .put("content", "generated plain text (.txt), multipart/form-data with Content-Length");
    }
  }

  private final Vertx vertx;
  private final Target target;
  private final Config config;

  static UploadsScenario from(Vertx vertx, Target target, Options options) {
    Map<String, String> env = Target.environment(options.text("server-env", ""));
    return new UploadsScenario(vertx, target, new Config(
        Math.round(options.decimal("big-mb", 1024) * MIB), Math.round(options.decimal("file-mb", 5) * MIB),
        options.integer("concurrency", 8), options.integer("rounds", 8), options.integer("warmup-rounds", 1),
        Math.round(options.decimal("heap-limit-mb", 64) * MIB), options.integer("sample-ms", 20),
        Integer.parseInt(env.getOrDefault("OCOMMS_UPLOADS_PER_MINUTE", String.valueOf(UPLOADS_PER_MINUTE))),
        !options.text("baseline", "true").equals("false")));
  }

  /**
   * The server settings this scenario needs (given before the server starts; {@code --server-env} wins): a file as
   * large as the big one, and a quota that holds it and the small ones.
   */
  static Map<String, String> serverEnvironment(Options options) {
    long big = Math.round(options.decimal("big-mb", 1024) * MIB);
    long small = Math.round(options.decimal("file-mb", 5) * MIB);
    long largest = Math.max(big, small);
    if (largest > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("OCOMMS_UPLOADS_MAX_BYTES is at most " + Integer.MAX_VALUE + " bytes");
    }
    Map<String, String> env = new HashMap<>();
    env.put("OCOMMS_UPLOADS_MAX_BYTES", String.valueOf(largest));
    env.put("OCOMMS_UPLOADS_QUOTA_MB", String.valueOf(Math.max(1024, 2 * (largest / MIB + 1))));
    return env;
  }

  UploadsScenario(Vertx vertx, Target target, Config config) {
    this.vertx = vertx;
    this.target = target;
    this.config = config;
  }

  @Override
  public JsonObject run() throws Exception {
    // The big user uploads twice (a small warm-up file, then the big one); each lane warmupRounds + rounds times.
    if (config.warmupRounds() + config.rounds() > config.uploadsPerMinute()) {
      throw new IllegalArgumentException("each user may start " + config.uploadsPerMinute() + " uploads a minute:"
          + " warmup-rounds + rounds must not be more (or raise it with --server-env OCOMMS_UPLOADS_PER_MINUTE=…)");
    }
    WebClient web = WebClient.create(vertx);
    ExecutorService lanes = Executors.newFixedThreadPool(config.concurrency() + 1);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(lanes)
        .connectTimeout(Duration.ofSeconds(30)).build();
    JsonObject results = new JsonObject();
    JsonArray charts = new JsonArray();
    try {
      Api api = new Api(web, target.host, target.port);
      String runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
      List<String> tokens = Lanes.await(Lanes.bounded(config.concurrency() + 1, 4,
          i -> api.register("up" + runId + "x" + i).map(user -> user.getString("accessToken"))), 600);
      LOG.info("registered {} users", tokens.size());
      results.put("big", big(http, tokens.get(0), charts));
      results.put("concurrent", concurrent(http, tokens.subList(1, tokens.size()), charts));
    } finally {
      lanes.shutdownNow();
      web.close();
    }
    return new JsonObject().put("scenario", "uploads").put("config", config.toJson()).put("results", results)
        .put("charts", charts);
  }

  /** The big file through the first node, its heap watched; then downloaded and checked. */
  private JsonObject big(HttpClient http, String token, JsonArray charts) throws Exception {
    HeapWatch heap = target.started() ? HeapWatch.attach(target.pid().orElseThrow()) : null;
    try {
      // The first upload loads the code of the whole path (type detection, storage): not part of the big one's heap.
      Upload warmup = upload(http, token, new MultipartUpload("warm-up.txt", new GeneratedText(MIB, 7)));
      if (warmup.status() != 201) {
        throw new IllegalStateException("the warm-up upload answered " + warmup.status() + ": " + warmup.body());
      }
      GeneratedText text = new GeneratedText(config.bigBytes(), 1);
      long expectedCrc = text.checksum();
      long baselineHeap = heap == null ? -1 : heap.usedAfterFullGc();
      double cpuBefore = target.serverCpuSeconds();
      double benchCpuBefore = benchCpuSeconds();
      HeapWatch.Recording during = heap == null ? null : heap.record(config.sampleMs());
      LOG.info("uploading {} MiB", config.bigBytes() / MIB);
      // With --profile, the big upload is what JFR records.
      target.beginMeasuring();
      Upload big = upload(http, token, new MultipartUpload("bench-big.txt", text));
      target.endMeasuring();
      if (during != null) {
        during.stop();
      }
      double cpuSeconds = target.serverCpuSeconds() - cpuBefore;
      double benchCpuSeconds = benchCpuSeconds() - benchCpuBefore;
      if (big.status() != 201) {
        throw new IllegalStateException("the big upload answered " + big.status() + ": " + big.body());
      }
      JsonObject file = new JsonObject(big.body()).getJsonObject("file");
      long heapAfter = heap == null ? -1 : heap.usedAfterFullGc();
      JsonObject figures = new JsonObject().put("bytes", config.bigBytes()).put("fileId", file.getString("id"))
          .put("type", file.getString("type")).put("reportedSize", file.getLong("size"))
          .put("seconds", round(big.nanos() / 1e9)).put("mibPerSecond", mibPerSecond(config.bigBytes(), big.nanos()))
          .put("serverCpuSeconds", cpuSeconds < 0 ? null : round(cpuSeconds))
          .put("benchCpuSeconds", round(benchCpuSeconds));
      if (during != null) {
        figures.put("heap", heapFigures(baselineHeap, during, heapAfter));
        charts.add(heapChart("heap of the node during the " + config.bigBytes() / MIB + " MiB upload", during,
            baselineHeap));
      }
      LOG.info("big upload: {} s, {} MiB/s, heap {}", figures.getValue("seconds"), figures.getValue("mibPerSecond"),
          figures.getJsonObject("heap", new JsonObject()).encode());

      figures.put("download", downloadChecked(http, token, file, expectedCrc, heap, baselineHeap));
      if (config.baseline()) {
        DiskWrites.Result disk = DiskWrites.write(temporaryFiles(), 1, 1, i -> text);
        double diskRate = mibPerSecond(disk.bytes(), disk.wallNanos());
        figures.put("disk", new JsonObject().put("seconds", round(disk.wallNanos() / 1e9))
            .put("mibPerSecond", diskRate))
            .put("ratioToDisk", round(figures.getDouble("mibPerSecond") / diskRate));
      }
      return figures;
    } finally {
      if (heap != null) {
        heap.close();
      }
    }
  }

  /**
   * Downloads the big file and compares its size and CRC32C with what was sent, the node's heap watched meanwhile.
   */
  private JsonObject downloadChecked(HttpClient http, String token, JsonObject file, long expectedCrc, HeapWatch heap,
                                     long baselineHeap) throws Exception {
    HeapWatch.Recording reading = heap == null ? null : heap.record(config.sampleMs());
    Download download = download(http, token, file.getString("id"));
    if (reading != null) {
      reading.stop();
    }
    return new JsonObject().put("status", download.status()).put("bytes", download.bytes())
        .put("sizeMatches", download.bytes() == config.bigBytes() && file.getLong("size") == config.bigBytes())
        .put("checksumMatches", download.crc() == expectedCrc)
        .put("seconds", round(download.nanos() / 1e9))
        .put("mibPerSecond", mibPerSecond(download.bytes(), download.nanos()))
        .put("heapGrowthBytes", reading == null ? null : reading.maxUsed() - baselineHeap)
        .put("heapRetainedGrowthBytes", reading == null || reading.maxAfterCollection() < 0 ? null
            : reading.maxAfterCollection() - baselineHeap);
  }

  /**
   * Heap growth over the baseline during the upload, two ways. {@code growthBytes}: the most the heap held in any
   * sample, garbage included; that is mostly how far G1 lets its young generation fill before collecting it (it grows
   * it to hundreds of MiB under a steady allocation rate), whatever the upload keeps. {@code retainedGrowthBytes}: the
   * most it held right after any collection (young ones keep the old generation whole, dead objects too, so this is
   * an upper bound of what the upload kept reachable); an upload held in memory would show here at its size. The
   * pass is on the retained growth; with no collection during the upload, on the sampled growth (then its bound).
   */
  private JsonObject heapFigures(long baseline, HeapWatch.Recording during, long after) {
    long growth = during.maxUsed() - baseline;
    long afterCollections = during.maxAfterCollection();
    long retained = afterCollections < 0 ? growth : afterCollections - baseline;
    return new JsonObject().put("baselineAfterFullGcBytes", baseline).put("maxUsedBytes", during.maxUsed())
        .put("growthBytes", growth)
        .put("maxAfterCollectionBytes", afterCollections < 0 ? null : afterCollections)
        .put("retainedGrowthBytes", retained)
        .put("collections", during.afterCollections().size()).put("samples", during.samples().size())
        .put("afterFullGcBytes", after).put("limitBytes", config.heapLimitBytes())
        .put("pass", retained < config.heapLimitBytes());
  }

  /**
   * {@code concurrency} lanes, each a user uploading its files one after the other: the warm-up rounds, then the
   * measured ones; then the same bytes written to disk the same way.
   */
  private JsonObject concurrent(HttpClient http, List<String> tokens, JsonArray charts) throws Exception {
    List<MultipartUpload> bodies = new ArrayList<>();
    for (int lane = 0; lane < config.concurrency(); lane++) {
      bodies.add(new MultipartUpload("bench-" + lane + ".txt", new GeneratedText(config.fileBytes(), 100 + lane)));
    }
    if (config.warmupRounds() > 0) {
      Round warmup = rounds(http, tokens, bodies, config.warmupRounds());
      LOG.info("warm-up: {} uploads, errors {}", warmup.latencies().size(), warmup.errors());
    }
    double cpuBefore = target.serverCpuSeconds();
    Round measured = rounds(http, tokens, bodies, config.rounds());
    double cpuSeconds = target.serverCpuSeconds() - cpuBefore;
    long uploads = (long) config.concurrency() * config.rounds();
    long okBytes = (uploads - measured.errors().values().stream().mapToLong(LongAdder::sum).sum())
        * config.fileBytes();
    Histogram histogram = histogram(measured.latencies());
    JsonObject figures = new JsonObject().put("uploads", uploads).put("concurrency", config.concurrency())
        .put("fileBytes", config.fileBytes()).put("rounds", config.rounds())
        .put("seconds", round(measured.wallNanos() / 1e9)).put("mibPerSecond", mibPerSecond(okBytes,
            measured.wallNanos()))
        .put("latency", Latencies.summary(histogram)).put("errors", counts(measured.errors()))
        .put("serverCpuSeconds", cpuSeconds < 0 ? null : round(cpuSeconds));
    JsonArray lines = new JsonArray().add(line("ours", measured.latencies()));
    if (config.baseline()) {
      DiskWrites.Result disk = DiskWrites.write(temporaryFiles(), (int) uploads, config.concurrency(),
          i -> bodies.get(i % bodies.size()).content);
      Histogram diskHistogram = histogram(disk.fileNanos());
      double diskRate = mibPerSecond(disk.bytes(), disk.wallNanos());
      figures.put("disk", new JsonObject().put("seconds", round(disk.wallNanos() / 1e9)).put("mibPerSecond", diskRate)
              .put("latency", Latencies.summary(diskHistogram)))
          .put("ratio", new JsonObject().put("mibPerSecond", round(figures.getDouble("mibPerSecond") / diskRate))
              .put("p99", round(Latencies.ms(histogram.getValueAtPercentile(99))
                  / Math.max(0.01, Latencies.ms(diskHistogram.getValueAtPercentile(99))))));
      lines.add(line("raw disk (write + fsync)", disk.fileNanos()));
    }
    charts.add(new JsonObject().put("title", config.concurrency() + " at once: time of each " + config.fileBytes() / MIB
            + " MiB file, in the order finished").put("yAxisTitle", "ms").put("xAxisTitle", "file")
        .put("lines", lines));
    LOG.info("concurrent: {}", figures.encode());
    return figures;
  }

  /** What a set of rounds took: each upload's time (in the order they finished), refusals by status, wall time. */
  private record Round(List<Long> latencies, Map<String, LongAdder> errors, long wallNanos) {
  }

  private Round rounds(HttpClient http, List<String> tokens, List<MultipartUpload> bodies, int rounds)
      throws Exception {
    List<Long> latencies = new ArrayList<>();
    Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    ExecutorService lanes = Executors.newFixedThreadPool(config.concurrency());
    try {
      List<Future<?>> running = new ArrayList<>();
      long started = System.nanoTime();
      for (int lane = 0; lane < config.concurrency(); lane++) {
        int index = lane;
        running.add(lanes.submit(() -> {
          for (int round = 0; round < rounds; round++) {
            Upload upload = upload(http, tokens.get(index), bodies.get(index));
            synchronized (latencies) {
              latencies.add(upload.nanos());
            }
            if (upload.status() != 201) {
              errors.computeIfAbsent(String.valueOf(upload.status()), s -> new LongAdder()).increment();
            }
          }
          return null;
        }));
      }
      for (Future<?> lane : running) {
        lane.get();
      }
      return new Round(latencies, errors, System.nanoTime() - started);
    } finally {
      lanes.shutdownNow();
    }
  }

  /** The answer to one upload: status, body, and the time from sending to the whole answer. */
  private record Upload(int status, String body, long nanos) {
  }

  private Upload upload(HttpClient http, String token, MultipartUpload body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(target.url(0) + "/api/v1/files"))
        .header("Authorization", "Bearer " + token).header("Content-Type", body.contentType())
        .POST(body.publisher()).build();
    long started = System.nanoTime();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Upload(response.statusCode(), response.body(), System.nanoTime() - started);
  }

  /** A downloaded file: status, bytes counted, their CRC32C, and the time to the last byte. */
  private record Download(int status, long bytes, long crc, long nanos) {
  }

  private Download download(HttpClient http, String token, String fileId) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(target.url(0) + "/api/v1/files/" + fileId))
        .header("Authorization", "Bearer " + token).GET().build();
    long started = System.nanoTime();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    CRC32C crc = new CRC32C();
    long bytes = 0;
    byte[] buffer = new byte[64 * 1024];
    try (InputStream body = response.body()) {
      for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
        crc.update(buffer, 0, n);
        bytes += n;
      }
    }
    return new Download(response.statusCode(), bytes, crc.getValue(), System.nanoTime() - started);
  }

  /** CPU seconds this bench process has used so far (it makes and sends the bodies, on the same cores). */
  private static double benchCpuSeconds() {
    return ProcessStats.cpuSeconds(ProcessHandle.current().pid());
  }

  /** Where the started server keeps its data too: the temporary directory ({@link Target#start}). */
  private static Path temporaryFiles() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  private static Histogram histogram(List<Long> nanos) {
    Latencies latencies = new Latencies();
    nanos.forEach(latencies::record);
    return latencies.total();
  }

  private static JsonObject line(String name, List<Long> nanos) {
    JsonArray x = new JsonArray();
    JsonArray y = new JsonArray();
    for (int i = 0; i < nanos.size(); i++) {
      x.add(i + 1);
      y.add(round(nanos.get(i) / 1e6));
    }
    return new JsonObject().put("name", name).put("x", x).put("y", y);
  }

  private static JsonObject heapChart(String title, HeapWatch.Recording recording, long baseline) {
    JsonArray lines = new JsonArray();
    JsonArray x = new JsonArray();
    JsonArray y = new JsonArray();
    recording.samples().forEach(point -> {
      x.add(round(point.t()));
      y.add(round(point.bytes() / (double) MIB));
    });
    lines.add(new JsonObject().put("name", "heap in use (garbage included)").put("x", x).put("y", y));
    JsonArray gx = new JsonArray();
    JsonArray gy = new JsonArray();
    recording.afterCollections().forEach(point -> {
      gx.add(round(point.t()));
      gy.add(round(point.bytes() / (double) MIB));
    });
    lines.add(new JsonObject().put("name", "right after a collection").put("x", gx).put("y", gy));
    if (!x.isEmpty()) {
      lines.add(new JsonObject().put("name", "before (after a full GC)")
          .put("x", new JsonArray().add(x.getValue(0)).add(x.getValue(x.size() - 1)))
          .put("y", new JsonArray().add(round(baseline / (double) MIB)).add(round(baseline / (double) MIB))));
    }
    return new JsonObject().put("title", title).put("yAxisTitle", "MiB").put("lines", lines);
  }

  private static JsonObject counts(Map<String, LongAdder> errors) {
    JsonObject counts = new JsonObject();
    errors.forEach((status, count) -> counts.put(status, count.sum()));
    return counts;
  }

  private static double mibPerSecond(long bytes, long nanos) {
    return round(bytes / (double) MIB / (nanos / 1e9));
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  private static String mib(Long bytes) {
    return bytes == null ? "–" : String.format("%.1f", bytes / (double) MIB);
  }

  @Override
  public String figures(JsonObject report) {
    JsonObject results = report.getJsonObject("results");
    JsonObject big = results.getJsonObject("big");
    JsonObject download = big.getJsonObject("download");
    StringBuilder figures = new StringBuilder(String.format("%d MiB file: %.1f s, %.1f MiB/s", big.getLong("bytes")
        / MIB, big.getDouble("seconds"), big.getDouble("mibPerSecond")));
    if (big.containsKey("disk")) {
      figures.append(String.format(" (raw disk %.1f MiB/s, ratio %.2f)", big.getJsonObject("disk")
          .getDouble("mibPerSecond"), big.getDouble("ratioToDisk")));
    }
    if (big.getValue("serverCpuSeconds") != null) {
      figures.append(String.format("; CPU s: server %.1f, bench %.1f", big.getDouble("serverCpuSeconds"),
          big.getDouble("benchCpuSeconds")));
    }
    JsonObject heap = big.getJsonObject("heap");
    if (heap != null) {
      figures.append(String.format("; heap growth retained %s MiB of %s allowed: %s (sampled, garbage included: %s"
              + " MiB; %d collections)", mib(heap.getLong("retainedGrowthBytes")), mib(heap.getLong("limitBytes")),
          heap.getBoolean("pass") ? "pass" : "FAIL", mib(heap.getLong("growthBytes")), heap.getInteger("collections")));
    }
    figures.append(String.format("; downloaded %s bytes in %.1f s, size %s, CRC32C %s", download.getLong("bytes"),
        download.getDouble("seconds"), download.getBoolean("sizeMatches") ? "ok" : "WRONG",
        download.getBoolean("checksumMatches") ? "ok" : "WRONG"));
    JsonObject concurrent = results.getJsonObject("concurrent");
    JsonObject latency = concurrent.getJsonObject("latency");
    figures.append(String.format("; %d × %d MiB at once, %d rounds: %.1f MiB/s, p50/p99 %.0f/%.0f ms, errors %s",
        concurrent.getInteger("concurrency"), concurrent.getLong("fileBytes") / MIB, concurrent.getInteger("rounds"),
        concurrent.getDouble("mibPerSecond"), latency.getDouble("p50"), latency.getDouble("p99"),
        concurrent.getJsonObject("errors").isEmpty() ? "0" : concurrent.getJsonObject("errors").encode()));
    JsonObject disk = concurrent.getJsonObject("disk");
    if (disk != null) {
      figures.append(String.format("; raw disk (write + fsync) %.1f MiB/s, p50/p99 %.0f/%.0f ms; ratio MiB/s %.2f,"
              + " p99 %.2f", disk.getDouble("mibPerSecond"), disk.getJsonObject("latency").getDouble("p50"),
          disk.getJsonObject("latency").getDouble("p99"), concurrent.getJsonObject("ratio").getDouble("mibPerSecond"),
          concurrent.getJsonObject("ratio").getDouble("p99")));
    }
    return figures.toString();
  }
}
