package dev.ocomms.bench;

import io.vertx.core.json.JsonObject;

/**
 * One benchmark scenario. {@link #run()} returns the report: {@code scenario}, {@code config}, {@code results},
 * {@code cpu}, {@code baseline} (the same load against the raw WebSocket baseline, and our figure as a ratio of it),
 * and for the chart {@code series} (per-second points) and {@code histograms}.
 */
interface Scenario {
  JsonObject run() throws Exception;

  /** The one-line summary of a report for the table in docs/benchmarks.md. */
  String figures(JsonObject report);
}
