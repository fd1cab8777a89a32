package dev.ocomms.gateway.bridge;

import dev.ocomms.gateway.http.ClientAddresses;
import dev.ocomms.gateway.http.Problems;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.ext.web.RoutingContext;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Guards {@code /eventbus/*} before SockJS sees a request: the {@code Origin} must be the server's own or a configured
 * one (cross-site WebSocket hijacking), and new connections are rate-limited per node and per client address. A
 * refused connection gets a 429 problem with {@code Retry-After}, so that clients back off. One gate serves all the
 * gateway instances of a node (see {@link NodeBridge}), hence the locking.
 */
final class ConnectionGate {
  private final Set<String> allowedOrigins;
  private final TokenBucket nodeBucket;
  private final int perIpPerSecond;
  private final Map<String, TokenBucket> ipBuckets = new HashMap<>();
  private final ClientAddresses clients;

  ConnectionGate(OcommsConfig config) {
    this.clients = ClientAddresses.of(config);
    this.allowedOrigins = Set.copyOf(config.allowedOrigins());
    this.nodeBucket = new TokenBucket(config.bridgeConnectionsPerSecond());
    this.perIpPerSecond = config.bridgeConnectionsPerIpPerSecond();
  }

  void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !originAllowed(origin, ctx.request().getHeader("Host"))) {
      Problems.send(ctx, new OcommsException(ErrorCode.FORBIDDEN, "origin not allowed: " + origin));
      return;
    }
    if (opensConnection(ctx.normalizedPath())) {
      if (!admit(ClientAddresses.of(ctx))) {
        Problems.send(ctx, tooMany());
        return;
      }
    }
    ctx.next();
  }

  /**
   * Takes one new connection from the node's and the address's allowance. WebSocket upgrades are admitted here, before
   * the upgrade; SockJS sessions over HTTP (xhr-streaming, xhr-polling) open with no request of their own that this
   * gate could tell from a poll, so the bridge admits them when their socket starts (see {@link #isUpgrade}).
   */
  synchronized boolean admit(String ip) {
    TokenBucket ipBucket = ipBuckets.computeIfAbsent(ip, key -> new TokenBucket(perIpPerSecond));
    return nodeBucket.tryTake() && ipBucket.tryTake();
  }

  /** As {@link #admit(String)}, for a socket's client (the peer and headers of the request that opened it). */
  boolean admit(BridgeSocket socket) {
    return admit(clients.of(socket.remoteAddress(), socket.headers()));
  }

  static OcommsException tooMany() {
    return new OcommsException(ErrorCode.RATE_LIMITED, "too many new connections; retry shortly",
        new JsonObject().put("retryAfter", 1));
  }

  /** Whether a socket came through a WebSocket upgrade, which {@link #handle} already admitted. */
  static boolean isUpgrade(String uri) {
    if (uri == null) {
      return false;
    }
    int query = uri.indexOf('?');
    return (query < 0 ? uri : uri.substring(0, query)).endsWith("/websocket");
  }

  /** Forgets idle per-address buckets so that the map does not grow without bound. */
  synchronized void forgetIdle() {
    ipBuckets.values().removeIf(TokenBucket::isFull);
  }

  /**
   * Raw and SockJS WebSockets open with an upgrade. {@code /info}, which SockJS clients fetch before every connection,
   * is not counted: a WebSocket connection would count twice, and an xhr session is counted when it starts.
   */
  private static boolean opensConnection(String path) {
    return isUpgrade(path);
  }

  private boolean originAllowed(String origin, String host) {
    if (allowedOrigins.contains(origin)) {
      return true;
    }
    try {
      String authority = URI.create(origin).getAuthority();
      return authority != null && authority.equalsIgnoreCase(host);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Allows {@code perSecond} events each second, with bursts up to that many. */
  static final class TokenBucket {
    private final int capacity;
    private double tokens;
    private long refilledAt = System.nanoTime();

    TokenBucket(int perSecond) {
      this.capacity = perSecond;
      this.tokens = perSecond;
    }

    boolean tryTake() {
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }

    boolean isFull() {
      refill();
      return tokens >= capacity;
    }

    private void refill() {
      long now = System.nanoTime();
      tokens = Math.min(capacity, tokens + (now - refilledAt) / 1e9 * capacity);
      refilledAt = now;
    }
  }
}
