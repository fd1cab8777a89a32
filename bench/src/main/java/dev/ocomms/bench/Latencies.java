package dev.ocomms.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;

/** A latency distribution recorded from many threads, with a per-interval view for time series. */
final class Latencies {
  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(5);

  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  private final Histogram total = new Histogram(MAX_MICROS, 3);

  void record(long nanos) {
    recorder.recordValue(Math.min(MAX_MICROS, Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos))));
  }

  /** The values since the last interval (and adds them to the total). Call from one thread. */
  synchronized Histogram interval() {
    Histogram interval = recorder.getIntervalHistogram();
    total.add(interval);
    return interval;
  }

  synchronized Histogram total() {
    total.add(recorder.getIntervalHistogram());
    return total;
  }

  /** Percentiles in milliseconds. */
  static JsonObject summary(Histogram histogram) {
    return new JsonObject()
        .put("count", histogram.getTotalCount())
        .put("p50", ms(histogram.getValueAtPercentile(50)))
        .put("p95", ms(histogram.getValueAtPercentile(95)))
        .put("p99", ms(histogram.getValueAtPercentile(99)))
        .put("p999", ms(histogram.getValueAtPercentile(99.9)))
        .put("max", ms(histogram.getMaxValue()));
  }

  /** Bucketed counts for a histogram chart: upper bound (ms) and count, on a log scale. */
  static JsonArray buckets(Histogram histogram) {
    JsonArray buckets = new JsonArray();
    histogram.logarithmicBucketValues(100, 2).forEach(value -> {
      if (value.getCountAddedInThisIterationStep() > 0) {
        buckets.add(new JsonObject().put("upToMs", ms(value.getValueIteratedTo()))
            .put("count", value.getCountAddedInThisIterationStep()));
      }
    });
    return buckets;
  }

  static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}
