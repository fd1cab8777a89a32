package dev.ocomms.gateway.web;

import io.vertx.core.MultiMap;
import io.vertx.rxjava3.ext.web.RoutingContext;

/**
 * The security headers of every response the browser may load by itself: the web client's files and everything under
 * {@code /eventbus}. One place, so that the two cannot drift apart; each names its own Content-Security-Policy.
 */
public final class SecurityHeaders {
  /**
   * The policy of a response that is never a page (the bridge's JSON, its streams, its errors): it may load nothing
   * and be framed by no one.
   */
  public static final String NOT_A_PAGE = "default-src 'none'; frame-ancestors 'none'";

  private SecurityHeaders() {
  }

  /** Sets the headers, with {@code contentSecurityPolicy}, on a response about to be written. */
  public static void set(MultiMap headers, String contentSecurityPolicy) {
    headers.set("Content-Security-Policy", contentSecurityPolicy);
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("X-Frame-Options", "DENY");
  }

  /** A route handler that sets the headers of a response that is never a page, then passes the request on. */
  public static void notAPage(RoutingContext ctx) {
    set(ctx.response().headers(), NOT_A_PAGE);
    ctx.next();
  }
}
