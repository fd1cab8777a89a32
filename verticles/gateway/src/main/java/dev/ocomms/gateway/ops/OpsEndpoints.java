package dev.ocomms.gateway.ops;

import dev.ocomms.gateway.http.Problems;
import dev.ocomms.gateway.http.SlowClientGuard;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.node.Node;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.http.HttpServer;
import io.vertx.rxjava3.ext.healthchecks.HealthChecks;
import io.vertx.rxjava3.ext.web.Router;
import io.vertx.rxjava3.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What operators poll: {@code /health} (the process and its event loop answer), {@code /ready} (this node can
 * serve: PostgreSQL, Redis and the cluster answer, and it is not draining) and {@code /metrics} (Prometheus text).
 * The probes are on the public port too, where load balancers and orchestrators reach them; {@code /metrics} only on
 * the operators' port ({@code OCOMMS_OPS_PORT}): it tells anyone who reads it how busy each node is and how it is
 * built.
 */
public final class OpsEndpoints {
  private static final long CHECK_TIMEOUT_MS = 2_000;
  private static final long REINDEX_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final Pool pg;
  private final Redis redis;
  private final AtomicBoolean draining = new AtomicBoolean();

  public OpsEndpoints(Vertx vertx, Pool pg, Redis redis) {
    this.vertx = vertx;
    this.pg = pg;
    this.redis = redis;
  }

  /** {@code /health} and {@code /ready}: for the public router and the operators' one. */
  public void mountProbes(Router router) {
    HealthChecks liveness = HealthChecks.create(vertx)
        // Answered from this verticle's event loop: a stuck loop makes the check time out.
        .register("eventLoop", CHECK_TIMEOUT_MS, promise -> promise.complete(Status.OK()));
    HealthChecks readiness = HealthChecks.create(vertx)
        .register("accepting", CHECK_TIMEOUT_MS, promise -> promise.complete(
            draining.get() ? Status.KO(new JsonObject().put("reason", "shutting down")) : Status.OK()))
        .register("postgresql", CHECK_TIMEOUT_MS, promise -> pg.query("SELECT 1").rxExecute().subscribe(
            rows -> promise.complete(Status.OK()),
            failure -> promise.complete(Status.KO(reason(failure)))))
        .register("redis", CHECK_TIMEOUT_MS, promise -> redis.rxSend(Request.cmd(Command.PING)).subscribe(
            reply -> promise.complete(Status.OK()),
            failure -> promise.complete(Status.KO(reason(failure))),
            () -> promise.complete(Status.KO(new JsonObject().put("reason", "no reply")))))
        .register("cluster", CHECK_TIMEOUT_MS, promise -> {
          int members = Node.clusterMembers(vertx);
          JsonObject data = new JsonObject().put("members", members).put("nodeId", Node.nodeId(vertx));
          promise.complete(members >= 1 ? Status.OK(data) : Status.KO(data));
        });

    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(liveness));
    router.get("/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
  }

  /** The probes, {@code /metrics} and the operators' commands: for the operators' router only. */
  public void mountAll(Router router) {
    mountProbes(router);
    router.get("/metrics").handler(ctx ->
        PrometheusScrapingHandler.create(Node.prometheus(vertx)).handle(ctx.getDelegate()));
    // Drops the search index and rebuilds it from messaging's event stream (docs/operations.md).
    router.post("/admin/search/reindex").handler(ctx -> Requests.request(vertx, Addresses.SEARCH_REINDEX,
            new JsonObject(), new DeliveryOptions().setSendTimeout(REINDEX_TIMEOUT_MS))
        .subscribe(
            reply -> ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("reindexing", true).encode()).subscribe(() -> { }, e -> { }),
            failure -> {
              OcommsException problem = BusErrors.fromFailure(failure);
              ctx.response().setStatusCode(problem.code().httpStatus()).putHeader("Content-Type", "application/json")
                  .end(new JsonObject().put("code", problem.code().wireName()).put("detail", problem.getMessage())
                      .encode()).subscribe(() -> { }, e -> { });
            }));
    // Makes a new access-token key the one that signs (docs/operations.md, "Secrets"); the previous keys still verify.
    router.post("/admin/token-keys/rotate").handler(ctx -> Requests.<JsonObject>request(vertx,
            Addresses.TOKEN_KEYS_ROTATE, new JsonObject(), new DeliveryOptions().setSendTimeout(CHECK_TIMEOUT_MS * 5))
        .subscribe(
            reply -> ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("kid", reply.body().getString("kid")).encode()).subscribe(() -> { }, e -> { }),
            failure -> {
              OcommsException problem = BusErrors.fromFailure(failure);
              ctx.response().setStatusCode(problem.code().httpStatus()).putHeader("Content-Type", "application/json")
                  .end(new JsonObject().put("code", problem.code().wireName()).put("detail", problem.getMessage())
                      .encode()).subscribe(() -> { }, e -> { });
            }));
  }

  /**
   * The operators' HTTP server ({@code OCOMMS_OPS_PORT}) with {@link #mountAll}: served by the gateway, or by
   * {@link dev.ocomms.gateway.OpsVerticle} on a node that runs no gateway.
   */
  public Single<HttpServer> listen(OcommsConfig settings) {
    Router router = Router.router(vertx);
    mountAll(router);
    router.route().last().handler(ctx -> Problems.send(ctx, new OcommsException(ErrorCode.NOT_FOUND)));
    router.route().failureHandler(Problems::handleFailure);
    HttpServer server = SlowClientGuard.serve(vertx, vertx.createHttpServer(SlowClientGuard.options(
        new HttpServerOptions()
            .setHost(settings.opsHost())
            .setPort(settings.opsPort())
            .setCompressionSupported(true), settings)), router, settings);
    return server.rxListen();
  }

  /** From now on {@code /ready} answers 503, so that load balancers stop sending new work here. */
  public void startDraining() {
    draining.set(true);
  }

  private static JsonObject reason(Throwable failure) {
    // The class name only: driver messages can echo connection details.
    return new JsonObject().put("reason", failure.getClass().getSimpleName());
  }
}
