package dev.ocomms.launcher;

import dev.ocomms.runtime.EmbeddedPostgresServer;
import dev.ocomms.runtime.EmbeddedRedisServer;
import dev.ocomms.runtime.FreePorts;
import dev.ocomms.runtime.NodeStarter;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Observable;
import io.vertx.core.DeploymentOptions;
import io.vertx.rxjava3.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One running OComms node: embedded PostgreSQL and Redis when no URLs are configured, the clustered Vert.x node,
 * and the chosen verticles. Started and stopped from the main thread and the shutdown hook, never an event loop.
 */
final class OcommsServer {
  private static final Logger LOG = LoggerFactory.getLogger(OcommsServer.class);

  private EmbeddedPostgresServer embeddedPostgres;
  private EmbeddedRedisServer embeddedRedis;
  private Vertx vertx;
  private OcommsConfig config;
  /** In the order deployed (the gateway last). */
  private final List<String> deployments = new CopyOnWriteArrayList<>();

  void start(OcommsConfig requested) throws IOException {
    long started = System.nanoTime();
    config = requested;
    Path dataDir = Path.of(config.dataDir()).toAbsolutePath().normalize();
    if (config.pgUrl().isEmpty()) {
      embeddedPostgres = EmbeddedPostgresServer.start(dataDir.resolve("pg"), FreePorts.next());
      config = config.with(Setting.PG_URL, embeddedPostgres.url(EmbeddedPostgresServer.DATABASE));
    }
    if (config.redisUrl().isEmpty()) {
      embeddedRedis = EmbeddedRedisServer.start(dataDir.resolve("redis"), FreePorts.next(), 16);
      config = config.with(Setting.REDIS_URL, embeddedRedis.url(0));
    }
    // Access-token keys, unless configured, are the cluster's: the accounts verticle keeps them in PostgreSQL.
    LOG.info("effective configuration: {}", config.toMaskedJson().encode());

    vertx = NodeStarter.start(config).blockingGet();
    DeploymentOptions deployment = new DeploymentOptions().setConfig(config.toJson());
    // The gateway last: it opens the door (HTTP, /ready) once everything behind it is running. A node without one
    // serves the operators' endpoints all the same, last too: ready once its verticles run, not ready from the first
    // moment of a stop.
    List<String> order = new ArrayList<>(config.verticles().stream()
        .sorted(Comparator.comparing(name -> name.equals("gateway"))).toList());
    if (!order.contains("gateway")) {
      order.add(VerticleCatalogue.OPS);
    }
    Observable.fromIterable(order)
        .concatMapCompletable(name -> vertx.rxDeployVerticle(() -> VerticleCatalogue.create(name),
                new DeploymentOptions(deployment).setInstances(VerticleCatalogue.instances(name)))
            .doOnSuccess(id -> {
              deployments.add(id);
              LOG.info("verticle deployed: name={}", name);
            })
            .ignoreElement())
        .blockingAwait();
    LOG.info("OComms started: verticles={} startupMs={}", config.verticles(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /**
   * Stops the verticles in the order of {@link NodeStarter#stop} (the gateway first, each draining within the grace
   * period), leaves the cluster, then stops the embedded servers.
   */
  void stop() {
    LOG.info("OComms stopping");
    if (vertx != null) {
      // Each of the verticles may take the grace period; the cluster's leaving takes a few seconds more.
      NodeStarter.stop(vertx, deployments)
          .timeout((deployments.size() + 1L) * config.shutdownGraceSeconds() + 15L, TimeUnit.SECONDS)
          .onErrorResumeNext(e -> {
            LOG.warn("node did not close cleanly: {}", e.toString());
            return Completable.complete();
          })
          .blockingAwait();
      vertx = null;
    }
    closeQuietly(embeddedRedis);
    embeddedRedis = null;
    closeQuietly(embeddedPostgres);
    embeddedPostgres = null;
    LOG.info("OComms stopped");
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("could not stop {}: {}", closeable.getClass().getSimpleName(), e.toString());
    }
  }
}
