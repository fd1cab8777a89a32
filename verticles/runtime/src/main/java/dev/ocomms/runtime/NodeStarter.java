package dev.ocomms.runtime;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.node.Node;
import io.micrometer.core.instrument.Gauge;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.schedulers.Schedulers;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Starts one OComms node: a clustered Vert.x instance with metrics, joined to the Hazelcast cluster. The launcher and
 * the tests create nodes only through {@link #start(OcommsConfig)}, so both run the same way. What a verticle may
 * read about its node afterwards is {@link Node}'s, in the shared module.
 */
public final class NodeStarter {
  private static final Logger LOG = LoggerFactory.getLogger(NodeStarter.class);

  private NodeStarter() {
  }

  public static Single<Vertx> start(OcommsConfig config) {
    // The cluster's TLS material is read (or created) in the database before the node joins: blocking, so on an I/O
    // thread of RxJava's, never an event loop.
    return Single.fromCallable(() -> tls(config))
        .subscribeOn(Schedulers.io())
        .flatMap(tls -> start(config, tls));
  }

  /**
   * The event bus's TLS material, empty when {@code OCOMMS_CLUSTER_TLS=false} (docs/operations.md, "Security of the
   * cluster transport").
   */
  private static Optional<ClusterTls.Material> tls(OcommsConfig config) {
    if (!config.clusterTls()) {
      LOG.warn("cluster TLS is off (OCOMMS_CLUSTER_TLS=false): anyone who reaches the event-bus port can send as"
          + " any user");
      return Optional.empty();
    }
    return Optional.of(ClusterTls.forNode(config));
  }

  /**
   * The event bus between nodes: on the cluster host (not every interface), over mutual TLS with the cluster's CA
   * unless that is off.
   */
  private static Single<Vertx> start(OcommsConfig config, Optional<ClusterTls.Material> tls) {
    EventBusOptions eventBus = new EventBusOptions().setHost(config.clusterHost()).setPort(config.clusterBusPort());
    tls.ifPresent(material -> material.applyTo(eventBus));
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
        .setEventBusOptions(eventBus);
    ClusterManager clusterManager = new HazelcastClusterManager(HazelcastSettings.create(config));
    return Vertx.builder()
        .with(options)
        .withMetrics(new MicrometerMetricsFactory())
        .withClusterManager(clusterManager)
        .rxBuildClustered()
        .doOnSuccess(vertx -> {
          Node.useMetricsRegistry(vertx, registryName);
          tls.ifPresent(material -> ClusterTls.renewWhileRunning(vertx, material, config.clusterHost()));
          watchBlockedEventLoops(vertx);
          // Read from the cluster manager at each scrape: a member that left or died is gone from it.
          Gauge.builder("ocomms.cluster.members", vertx, Node::clusterMembers)
              .description("Members of the cluster as this node sees them")
              .register(Node.meters(vertx));
          LOG.info("node joined the cluster: nodeId={} members={} nativeTransport={} eventBusTls={}",
              clusterManager.getNodeId(), clusterManager.getNodes().size(), vertx.isNativeTransportEnabled(),
              eventBus.isSsl());
        });
  }

  /**
   * Stops a node in order, as the launcher and the tests do: its verticles are undeployed one after another, the
   * last deployed first, then the node leaves the cluster. The gateway is deployed last, so intake stops first (it
   * turns {@code /ready} 503, stops accepting, lets in-flight requests finish); then each owner stops taking requests,
   * answers those it has begun and closes its pools, while the owners it may still ask are running.
   */
  public static Completable stop(Vertx vertx, List<String> deploymentIdsInDeployOrder) {
    List<String> lastFirst = new ArrayList<>(deploymentIdsInDeployOrder);
    Collections.reverse(lastFirst);
    return Observable.fromIterable(lastFirst)
        .concatMapCompletable(id -> vertx.rxUndeploy(id)
            .onErrorResumeNext(failure -> {
              LOG.warn("verticle did not stop cleanly: deploymentId={} reason={}", id, failure.toString());
              return Completable.complete();
            }))
        .andThen(vertx.rxClose());
  }

  private static void watchBlockedEventLoops(Vertx vertx) {
    var counter = Node.meters(vertx).counter("ocomms.eventloop.blocked");
    ((VertxInternal) vertx.getDelegate()).blockedThreadChecker().setThreadBlockedHandler(event -> {
      if (event.thread().getName().contains("eventloop")) {
        BlockedEventLoops.record();
        counter.increment();
      }
      LOG.warn("thread blocked: thread={} blockedMs={} limitMs={}", event.thread().getName(),
          TimeUnit.NANOSECONDS.toMillis(event.duration()), TimeUnit.NANOSECONDS.toMillis(event.maxExecTime()));
    });
  }
}
