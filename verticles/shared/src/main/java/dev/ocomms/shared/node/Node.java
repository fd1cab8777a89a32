package dev.ocomms.shared.node;

import dev.ocomms.shared.cluster.HazelcastSettings;
import dev.ocomms.shared.config.OcommsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One OComms node: a clustered Vert.x instance with metrics, joined to the Hazelcast cluster. The launcher and the
 * tests create nodes only through {@link #start(OcommsConfig)}, so both run the same way.
 */
public final class Node {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final String NODE_MAP = "ocomms.node";
  private static final String REGISTRY_KEY = "metricsRegistry";

  private Node() {
  }

  public static Single<Vertx> start(OcommsConfig config) {
    String registryName = "ocomms-" + UUID.randomUUID();
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName(registryName)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        // No address or path labels: chat.<id> and user.<id> addresses would make one time series per chat.
        .setLabels(EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.POOL_TYPE,
            Label.POOL_NAME, Label.EB_SIDE, Label.EB_FAILURE, Label.CLASS_NAME));
    VertxOptions options = new VertxOptions()
        .setPreferNativeTransport(true)
        .setMetricsOptions(metrics)
        .setBlockedThreadCheckInterval(500)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setMaxEventLoopExecuteTime(1)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)
        .setWarningExceptionTime(1)
        .setWarningExceptionTimeUnit(TimeUnit.SECONDS)
        .setEventBusOptions(new EventBusOptions().setHost(config.clusterHost()).setPort(0));
    ClusterManager clusterManager = new HazelcastClusterManager(HazelcastSettings.create(config));
    return Vertx.builder()
        .with(options)
        .withMetrics(new MicrometerMetricsFactory())
        .withClusterManager(clusterManager)
        .rxBuildClustered()
        .doOnSuccess(vertx -> {
          vertx.sharedData().<String, String>getLocalMap(NODE_MAP).put(REGISTRY_KEY, registryName);
          watchBlockedEventLoops(vertx);
          LOG.info("node joined the cluster: nodeId={} members={} nativeTransport={}", clusterManager.getNodeId(),
              clusterManager.getNodes().size(), vertx.isNativeTransportEnabled());
        });
  }

  private static void watchBlockedEventLoops(Vertx vertx) {
    var counter = meters(vertx).counter("ocomms.eventloop.blocked");
    ((VertxInternal) vertx.getDelegate()).blockedThreadChecker().setThreadBlockedHandler(event -> {
      if (event.thread().getName().contains("eventloop")) {
        BlockedEventLoops.record();
        counter.increment();
      }
      LOG.warn("thread blocked: thread={} blockedMs={} limitMs={}", event.thread().getName(),
          TimeUnit.NANOSECONDS.toMillis(event.duration()), TimeUnit.NANOSECONDS.toMillis(event.maxExecTime()));
    });
  }

  /** This node's meter registry: Vert.x's own meters, JVM meters, and ours. */
  public static MeterRegistry meters(Vertx vertx) {
    return prometheus(vertx);
  }

  public static PrometheusMeterRegistry prometheus(Vertx vertx) {
    String name = vertx.sharedData().<String, String>getLocalMap(NODE_MAP).get(REGISTRY_KEY);
    return (PrometheusMeterRegistry) BackendRegistries.getNow(name);
  }

  /** How many members the cluster has, as this node sees it. */
  public static int clusterMembers(Vertx vertx) {
    ClusterManager clusterManager = ((VertxInternal) vertx.getDelegate()).clusterManager();
    return clusterManager == null ? 0 : clusterManager.getNodes().size();
  }

  public static String nodeId(Vertx vertx) {
    ClusterManager clusterManager = ((VertxInternal) vertx.getDelegate()).clusterManager();
    return clusterManager == null ? "local" : clusterManager.getNodeId();
  }
}
