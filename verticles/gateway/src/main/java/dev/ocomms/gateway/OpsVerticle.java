package dev.ocomms.gateway;

import dev.ocomms.gateway.ops.OpsEndpoints;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.http.HttpServer;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The operators' endpoints of a node that runs no gateway ({@code OCOMMS_VERTICLES} without {@code gateway}):
 * {@code /health}, {@code /ready} and {@code /metrics} on {@code OCOMMS_OPS_PORT}, exactly as the gateway serves them,
 * so that nodes behind the gateways are probed and scraped like the others. Its readiness is the node's own
 * (PostgreSQL, Redis, the cluster, not stopping), never that of verticles other nodes run. The launcher deploys it
 * last on such a node, as it deploys the gateway: ready once the node's verticles run, and not ready from the first
 * moment of a stop (it is the first undeployed).
 */
public class OpsVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(OpsVerticle.class);

  private OcommsConfig settings;
  private Pool pg;
  private Redis redis;
  private OpsEndpoints ops;
  private HttpServer server;

  @Override
  public Completable rxStart() {
    settings = OcommsConfig.fromJson(config());
    pg = PgClients.pool(vertx, settings, "ops");
    redis = RedisClients.client(vertx, settings);
    ops = new OpsEndpoints(vertx, pg, redis);
    return ops.listen(settings)
        .doOnSuccess(s -> {
          server = s;
          LOG.info("operator endpoints listening: host={} port={}", settings.opsHost(), s.actualPort());
        })
        .ignoreElement();
  }

  @Override
  public Completable rxStop() {
    ops.startDraining();
    Completable shutdown = server == null ? Completable.complete()
        : server.rxShutdown(settings.shutdownGraceSeconds(), TimeUnit.SECONDS).onErrorComplete();
    return shutdown
        .andThen(pg.rxClose().onErrorComplete())
        .doFinally(redis::close);
  }
}
