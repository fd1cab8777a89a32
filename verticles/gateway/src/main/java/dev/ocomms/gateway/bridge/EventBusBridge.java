package dev.ocomms.gateway.bridge;

import dev.ocomms.gateway.accounts.AccessTokens;
import dev.ocomms.shared.config.OcommsConfig;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.Router;
import io.vertx.rxjava3.ext.web.RoutingContext;
import io.vertx.rxjava3.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.rxjava3.redis.client.Redis;

/**
 * The browser's event bus at {@code /eventbus}: SockJS (websocket, xhr-streaming, xhr-polling) and a raw WebSocket at
 * {@code /eventbus/websocket} (served here, see {@link RawWebSocket}), speaking the Vert.x bridge wire protocol.
 * Permissions are default-deny (see {@link BridgeConnection} and {@link MembershipGuard}); delivery is node-local (see
 * {@link SubscriptionTable}); {@link BridgeHub} wires the pieces of one gateway instance.
 */
public final class EventBusBridge {
  private final Vertx vertx;
  private final BridgeHub hub;
  private final ConnectionGate gate;
  private long gateTimer;

  public EventBusBridge(Vertx vertx, OcommsConfig config, AccessTokens tokens, Redis redis) {
    this.vertx = vertx;
    NodeBridge node = NodeBridge.of(vertx, config);
    this.gate = node.gate;
    this.hub = new BridgeHub(vertx, tokens, redis, node, config.presenceSessionTtlSeconds() * 1000L / 3,
        config.bridgeConnectionsPerUser());
  }

  /** Mounts the bridge; the router must already parse bodies (SockJS's xhr transports POST their frames). */
  public Completable mount(Router router) {
    SockJSHandlerOptions options = new SockJSHandlerOptions()
        .setRegisterWriteHandler(false)
        .setHeartbeatInterval(25_000)
        .setSessionTimeout(30_000)
        .setInsertJSESSIONID(false);
    router.route("/eventbus/*").handler(gate::handle);
    // Ahead of SockJS's own raw transport (which still answers other methods with 405).
    router.get("/eventbus/websocket").handler(this::upgradeRaw);
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx, options)
        .socketHandler(socket -> hub.accept(BridgeSocket.sockJs(socket.getDelegate()))));
    gateTimer = vertx.setPeriodic(60_000, id -> gate.forgetIdle());
    return hub.start();
  }

  /** The upgrade, as SockJS's raw transport does it (the gate has checked the origin and the rate). */
  private void upgradeRaw(RoutingContext ctx) {
    HttpServerRequest request = ctx.request().getDelegate();
    if (!request.canUpgradeToWebSocket()) {
      ctx.response().setStatusCode(400).end("Can \"Upgrade\" only to \"WebSocket\".");
      return;
    }
    RawWebSocket.upgrade(request)
        .onSuccess(hub::accept)
        .onFailure(failure -> ctx.fail(failure));
  }

  public Completable stop() {
    vertx.cancelTimer(gateTimer);
    return hub.stop();
  }
}
