package dev.ocomms.gateway.bridge;

import dev.ocomms.gateway.accounts.AccessTokens;
import dev.ocomms.gateway.accounts.BotLimits;
import dev.ocomms.shared.limits.RateLimiter;
import dev.ocomms.gateway.http.Problems;
import dev.ocomms.gateway.web.SecurityHeaders;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.Transport;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.net.NetServer;
import io.vertx.rxjava3.ext.web.Router;
import io.vertx.rxjava3.ext.web.RoutingContext;
import io.vertx.rxjava3.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.rxjava3.redis.client.Redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The browser's event bus at {@code /eventbus}: SockJS (websocket, xhr-streaming, xhr-polling) and a raw WebSocket at
 * {@code /eventbus/websocket} (served here, see {@link RawWebSocket}), speaking the Vert.x bridge wire protocol.
 * Permissions are default-deny (see {@link BridgeConnection} and {@link MembershipGuard}); delivery is node-local (see
 * {@link SubscriptionTable}); {@link BridgeHub} wires the pieces of one gateway instance.
 */
public final class EventBusBridge {
  private static final Logger LOG = LoggerFactory.getLogger(EventBusBridge.class);
  private final Vertx vertx;
  private final BridgeHub hub;
  private final ConnectionGate gate;
  private long gateTimer;
  private NetServer botServer;

  public EventBusBridge(Vertx vertx, OcommsConfig config, AccessTokens tokens, Redis redis) {
    this.vertx = vertx;
    NodeBridge node = NodeBridge.of(vertx, config);
    this.gate = node.gate;
    this.hub = new BridgeHub(vertx, tokens, redis, node, config.presenceSessionTtlSeconds() * 1000L / 3,
        config.bridgeConnectionsPerUser(), config.bridgeConnectionQueueBytes());
    if (redis != null) {
      hub.botLimits = new BotLimits(RateLimiter.create(vertx, redis));
    }
  }

  /**
   * Mounts the bridge; the router must already parse bodies (SockJS's xhr transports POST their frames). Only the
   * documented transports are served: SockJS's htmlfile, jsonp and eventsource are off, and so is its iframe page
   * ({@code iframe.html}, which loads the SockJS client from a CDN): the iframe serves only cross-origin transports,
   * and our clients are same-origin and ask for websocket, xhr-streaming and xhr-polling only. Every response carries
   * the security headers of a response that is never a page.
   */
  public Completable mount(Router router) {
    SockJSHandlerOptions options = new SockJSHandlerOptions()
        .setRegisterWriteHandler(false)
        .setHeartbeatInterval(25_000)
        .setSessionTimeout(30_000)
        .setInsertJSESSIONID(false)
        .addDisabledTransport(Transport.HTML_FILE.name())
        .addDisabledTransport(Transport.JSON_P.name())
        .addDisabledTransport(Transport.EVENT_SOURCE.name());
    router.route("/eventbus/*").handler(SecurityHeaders::notAPage);
    router.route("/eventbus/*").handler(gate::handle);
    // SockJS always serves these; sockjs-client 1.x uses the iframe only for iframe-* transports and never the test.
    router.routeWithRegex("/eventbus/(iframe[^/]*\\.html|chunking_test)").handler(EventBusBridge::notFound);
    // Ahead of SockJS's own raw transport (which still answers other methods with 405).
    router.get("/eventbus/websocket").handler(this::upgradeRaw);
    router.route("/eventbus/*").subRouter(SockJSHandler.create(vertx, options)
        .socketHandler(socket -> hub.accept(BridgeSocket.sockJs(socket.getDelegate()))));
    // What SockJS leaves (the disabled transports) ends here, not in the routes mounted after the bridge.
    router.route("/eventbus/*").handler(EventBusBridge::notFound);
    gateTimer = vertx.setPeriodic(60_000, id -> gate.forgetIdle());
    return hub.start();
  }

  private static void notFound(RoutingContext ctx) {
    Problems.send(ctx, new OcommsException(ErrorCode.NOT_FOUND));
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

  /**
   * Serves the event bus over TCP for bots and command-line clients on {@code OCOMMS_BOT_BRIDGE_PORT} (0: not at all),
   * over TLS when {@code OCOMMS_BOT_BRIDGE_TLS_CERT} and {@code _KEY} are set: the Vert.x TCP bridge framing
   * ({@link TcpBridgeSocket}) around the browser bridge's frames, handled by the same hub as the browsers' sockets.
   * Every gateway instance of a node listens on the port (Vert.x shares it among them, as it does the HTTP port). New
   * connections pass the same gate as browsers' (rate per node and per address). Call after {@link #mount}.
   */
  public Completable listenForBots(OcommsConfig config) {
    if (config.botBridgePort() == 0) {
      return Completable.complete();
    }
    NetServerOptions options = new NetServerOptions().setHost(config.httpHost()).setPort(config.botBridgePort())
        .setTcpNoDelay(true);
    config.botBridgeTls().ifPresent(files -> options.setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(files.getKey()).setKeyPath(files.getValue())));
    botServer = vertx.createNetServer(options)
        .connectHandler(socket -> hub.accept(new TcpBridgeSocket(socket.getDelegate())));
    return botServer.rxListen()
        .doOnSuccess(server -> LOG.info("bot bridge listening: host={} port={} tls={}", config.httpHost(),
            server.actualPort(), config.botBridgeTls().isPresent()))
        .ignoreElement();
  }

  /** Stops intake and closes the connections once their forwarded sends are answered (at most {@code grace}). */
  public Completable stop(Duration grace) {
    vertx.cancelTimer(gateTimer);
    return hub.stop(grace)
        .andThen(Completable.defer(() -> botServer == null ? Completable.complete()
            : botServer.rxClose().onErrorComplete()));
  }
}
