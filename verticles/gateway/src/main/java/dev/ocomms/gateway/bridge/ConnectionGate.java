package dev.ocomms.gateway.bridge;

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
 * refused connection gets a 429 problem with {@code Retry-After}, so that clients back off.
 */
final class ConnectionGate {
  private final Set<String> allowedOrigins;
  private final TokenBucket nodeBucket;
  private final int perIpPerSecond;
  private final Map<String, TokenBucket> ipBuckets = new HashMap<>();

  ConnectionGate(OcommsConfig config) {
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
      String ip = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
      TokenBucket ipBucket = ipBuckets.computeIfAbsent(ip, key -> new TokenBucket(perIpPerSecond));
      if (!nodeBucket.tryTake() || !ipBucket.tryTake()) {
        Problems.send(ctx, new OcommsException(ErrorCode.RATE_LIMITED, "too many new connections; retry shortly",
            new JsonObject().put("retryAfter", 1)));
        return;
      }
    }
    ctx.next();
  }

  /** Forgets idle per-address buckets so that the map does not grow without bound. */
  void forgetIdle() {
    ipBuckets.values().removeIf(TokenBucket::isFull);
  }

  /** SockJS clients fetch /info before every connection; raw and SockJS WebSockets open with an upgrade. */
  private static boolean opensConnection(String path) {
    return path.endsWith("/info") || path.endsWith("/websocket");
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
