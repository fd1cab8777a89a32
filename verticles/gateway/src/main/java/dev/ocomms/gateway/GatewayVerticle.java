package dev.ocomms.gateway;

import dev.ocomms.gateway.accounts.AccessTokens;
import dev.ocomms.gateway.accounts.BotLimits;
import dev.ocomms.shared.limits.RateLimiter;
import dev.ocomms.gateway.bridge.EventBusBridge;
import dev.ocomms.gateway.http.ClientAddresses;
import dev.ocomms.gateway.http.FileRoutes;
import dev.ocomms.gateway.http.WebhookRoutes;
import dev.ocomms.gateway.http.Problems;
import dev.ocomms.gateway.http.RestApi;
import dev.ocomms.gateway.http.SlowClientGuard;
import dev.ocomms.gateway.ops.OpsEndpoints;
import dev.ocomms.gateway.web.WebClientRoutes;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.http.HttpServer;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The node's door: the REST API, the browser's event-bus bridge, and the operator endpoints. It verifies access
 * tokens and forwards everything else to the verticles that own it (accounts, messaging, ...); it owns no tables.
 * It starts even when PostgreSQL or Redis is down, so that {@code /ready} can say which one is missing.
 *
 * <p>Two HTTP servers: the public one ({@code OCOMMS_HTTP_PORT}) and the operators' one ({@code OCOMMS_OPS_PORT}:
 * {@code /metrics}, {@code /health}, {@code /ready}). Every instance of a node listens on both; Vert.x shares each
 * port among a node's instances, as it does for any server bound to the same host and port.
 */
public class GatewayVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);

  private OcommsConfig settings;
  private Pool pg;
  private Redis redis;
  private HttpServer server;
  private HttpServer opsServer;
  private OpsEndpoints ops;
  private AccessTokens tokens;
  private EventBusBridge bridge;
  private FileRoutes files;

  @Override
  public Completable rxStart() {
    settings = OcommsConfig.fromJson(config());
    pg = PgClients.pool(vertx, settings, "gateway");
    redis = RedisClients.client(vertx, settings);
    ops = new OpsEndpoints(vertx, pg, redis);
    tokens = new AccessTokens(vertx, settings);
    bridge = new EventBusBridge(vertx, settings, tokens, redis);
    files = new FileRoutes(vertx, tokens);

    BotLimits botLimits = new BotLimits(RateLimiter.create(vertx, redis));
    return new RestApi(vertx, tokens, ClientAddresses.of(settings), botLimits).router()
        .doOnSuccess(files::mount)
        .doOnSuccess(new WebhookRoutes(vertx)::mount)
        .flatMap(router -> bridge.mount(router).andThen(bridge.listenForBots(settings)).andThen(Single.just(router)))
        .flatMap(router -> WebClientRoutes.load(vertx).map(webClient -> {
          ops.mountProbes(router);
          webClient.mount(router);
          return router;
        }))
        .flatMap(router -> {
          router.route().last().handler(ctx -> Problems.send(ctx, new OcommsException(ErrorCode.NOT_FOUND)));
          router.route().failureHandler(Problems::handleFailure);
          server = SlowClientGuard.serve(vertx, vertx.createHttpServer(SlowClientGuard.options(new HttpServerOptions()
                  .setHost(settings.httpHost())
                  .setPort(settings.httpPort())
                  .setCompressionSupported(true)
                  .setMaxWebSocketFrameSize(65_536)
                  .setMaxWebSocketMessageSize(65_536), settings)), router, settings);
          return server.rxListen();
        })
        .doOnSuccess(s -> LOG.info("gateway listening: host={} port={}", settings.httpHost(), s.actualPort()))
        .flatMap(s -> listenForOperators())
        .doOnSuccess(s -> LOG.info("operator endpoints listening: host={} port={}", settings.opsHost(),
            s.actualPort()))
        .ignoreElement();
  }

  private Single<HttpServer> listenForOperators() {
    return ops.listen(settings).doOnSuccess(server -> opsServer = server);
  }

  @Override
  public Completable rxStop() {
    ops.startDraining();
    // Bridge sends already forwarded are answered before their connections close; then in-flight HTTP requests get
    // what is left of the grace period, and new connections are refused.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.shutdownGraceSeconds());
    return bridge.stop(Duration.ofSeconds(settings.shutdownGraceSeconds()))
        .andThen(Completable.defer(() ->
            Completable.mergeArray(shutdown(server, deadline), shutdown(opsServer, deadline))))
        .andThen(pg.rxClose().onErrorComplete())
        .doFinally(() -> {
          files.close();
          redis.close();
        });
  }

  private Completable shutdown(HttpServer httpServer, long deadline) {
    long left = Math.max(TimeUnit.SECONDS.toMillis(1), TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    return httpServer == null ? Completable.complete()
        : httpServer.rxShutdown(left, TimeUnit.MILLISECONDS).onErrorComplete();
  }
}
