package dev.ocomms.shared.node;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.rxjava3.core.Vertx;

/**
 * What a verticle can read about the node it runs on: its meters, its id and how many members its cluster has. The
 * node itself is built by the runtime module ({@code NodeStarter}), which the launcher and the tests depend on and a
 * verticle module does not: it brings Hazelcast, the native transport and the embedded servers.
 */
public final class Node {
  private static final String NODE_MAP = "ocomms.node";
  private static final String REGISTRY_KEY = "metricsRegistry";

  private Node() {
  }

  /** Names the node's meter registry; called once, by whatever builds the node, before any verticle is deployed. */
  public static void useMetricsRegistry(Vertx vertx, String registryName) {
    vertx.sharedData().<String, String>getLocalMap(NODE_MAP).put(REGISTRY_KEY, registryName);
  }

  /** This node's meter registry: Vert.x's own meters, JVM meters, and ours. */
  public static MeterRegistry meters(Vertx vertx) {
    return prometheus(vertx);
  }

  /** The same registry, as the Prometheus scrape endpoint needs it. */
  public static PrometheusMeterRegistry prometheus(Vertx vertx) {
    String name = vertx.sharedData().<String, String>getLocalMap(NODE_MAP).get(REGISTRY_KEY);
    return (PrometheusMeterRegistry) BackendRegistries.getNow(name);
  }

  /** How many members the cluster has, as this node sees it. */
  public static int clusterMembers(Vertx vertx) {
    ClusterManager clusterManager = ((VertxInternal) vertx.getDelegate()).clusterManager();
    return clusterManager == null ? 0 : clusterManager.getNodes().size();
  }

  /** This node's id in the cluster; {@code local} for a Vert.x that is not clustered. */
  public static String nodeId(Vertx vertx) {
    ClusterManager clusterManager = ((VertxInternal) vertx.getDelegate()).clusterManager();
    return clusterManager == null ? "local" : clusterManager.getNodeId();
  }
}
