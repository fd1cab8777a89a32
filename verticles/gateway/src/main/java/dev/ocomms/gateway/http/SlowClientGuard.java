package dev.ocomms.gateway.http;

import dev.ocomms.shared.config.OcommsConfig;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.http.HttpServer;
import io.vertx.rxjava3.ext.web.Router;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server's defences against slow clients (slowloris): an idle timeout (a connection on which nothing is read
 * or written for {@code httpIdleTimeoutSeconds} is closed; bridge connections stay busy, as clients ping every 5–30 s
 * and SockJS sends a heartbeat every 25 s) and a request-header timeout, which Vert.x lacks: a new connection is closed when its first request's headers have
 * not arrived within {@code httpRequestHeaderTimeoutSeconds} (a client trickling a request line). Between requests a
 * kept-alive connection gets the idle timeout instead, however it trickles: a load balancer keeps its pooled
 * connections open up to its own idle timeout (60 s by default in nginx and AWS), and a server that closes them
 * sooner races the balancer's next request on them, which the user sees as a 502. A request whose headers have arrived
 * is the owner's business (long polls and streams last), and a WebSocket is left to the idle timeout and its
 * heartbeats.
 *
 * <p>One guard per server instance: its connections and their timers live on that instance's event loop.
 */
public final class SlowClientGuard {
  private final Vertx vertx;
  private final long headerTimeoutMs;
  private final long keepAliveMs;
  private final Map<HttpConnection, Watch> watches = new HashMap<>();

  private SlowClientGuard(Vertx vertx, long headerTimeoutMs, long keepAliveMs) {
    this.vertx = vertx;
    this.headerTimeoutMs = headerTimeoutMs;
    this.keepAliveMs = keepAliveMs;
  }

  /**
   * The server's options with the idle timeout set, and HTTP/2 over cleartext (h2c) off: browsers never use it, and
   * while it is on Vert.x holds a connection back until its first request's headers are complete (to see whether it
   * asks for h2c), so the guard would not see a connection that trickles them.
   */
  public static HttpServerOptions options(HttpServerOptions options, OcommsConfig settings) {
    return options.setIdleTimeout(settings.httpIdleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setHttp2ClearTextEnabled(false);
  }

  /** Serves {@code router} on {@code server}, guarded by the request-header timeout. */
  public static HttpServer serve(Vertx vertx, HttpServer server, Router router, OcommsConfig settings) {
    SlowClientGuard guard = new SlowClientGuard(vertx, settings.httpRequestHeaderTimeoutSeconds() * 1000L,
        settings.httpIdleTimeoutSeconds() * 1000L);
    return server
        .connectionHandler(connection -> guard.opened(connection.getDelegate()))
        .requestHandler(request -> {
          guard.requestArrived(request.getDelegate());
          router.handle(request);
        });
  }

  private void opened(HttpConnection connection) {
    Watch watch = new Watch(connection);
    watches.put(connection, watch);
    connection.closeHandler(closed -> forget(watch));
    watch.arm();
  }

  private void requestArrived(HttpServerRequest request) {
    Watch watch = watches.get(request.connection());
    if (watch != null) {
      watch.requests++;
      watch.current = request;
    }
  }

  private void forget(Watch watch) {
    vertx.cancelTimer(watch.timer);
    watches.remove(watch.connection);
  }

  private static boolean asksForWebSocket(HttpServerRequest request) {
    return "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
  }

  /**
   * One connection: a timer that checks, after the header timeout and then every idle timeout, whether a request came
   * or is still going.
   */
  private final class Watch {
    final HttpConnection connection;
    long timer;
    long requests;
    long requestsWhenArmed;
    HttpServerRequest current;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    void arm() {
      requestsWhenArmed = requests;
      timer = vertx.setTimer(requests == 0 ? headerTimeoutMs : keepAliveMs, id -> check());
    }

    void check() {
      if (current != null && (current.response().closed() || asksForWebSocket(current)
          && (!current.response().ended() || current.response().getStatusCode() == 101))) {
        // Gone, or a WebSocket now: the idle timeout and the bridge's heartbeats look after it.
        forget(this);
        return;
      }
      if (current != null && !current.response().ended() || requests != requestsWhenArmed) {
        // A request in progress (a long poll, a stream), or requests that came and went: the next one gets a whole
        // period for its headers.
        arm();
        return;
      }
      forget(this);
      connection.close();
    }
  }
}
