package dev.ocomms.gateway.web;

import io.reactivex.rxjava3.core.Single;
import io.vertx.core.http.HttpMethod;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.Router;
import io.vertx.rxjava3.ext.web.RoutingContext;
import io.vertx.rxjava3.ext.web.handler.StaticHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The browser client: {@code webroot/} (packaged into the gateway jar; no build step) at {@code /}, and the
 * third-party browser libraries from WebJars on the class path at {@code /webjars/<name>/<version>/...}. Mounted after
 * the API, the bridge and the operator endpoints, so it only answers paths they leave alone.
 *
 * <p>Every response carries a Content-Security-Policy that lets the page run only scripts and styles of its own
 * origin and talk only to its own origin. The one inline script, the import map in {@code index.html}, is allowed by
 * its hash, computed from the served file so the two cannot drift apart.
 */
public final class WebClientRoutes {
  static final String WEBROOT = "webroot";
  static final String WEBJARS = "META-INF/resources/webjars";
  private static final Pattern INLINE_SCRIPT =
      Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>(.*?)</script>", Pattern.DOTALL);
  /** WebJar URLs carry their version, so they never change. */
  private static final long WEBJAR_MAX_AGE_SECONDS = 365L * 24 * 3600;

  private final Single<String> contentSecurityPolicy;

  public WebClientRoutes(Vertx vertx) {
    this.contentSecurityPolicy = vertx.fileSystem().rxReadFile(WEBROOT + "/index.html")
        .map(page -> policy(page.toString(StandardCharsets.UTF_8)))
        .cache();
  }

  public void mount(Router router) {
    router.route("/webjars/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(this::securityHeaders)
        .handler(StaticHandler.create(WEBJARS)
            .setDirectoryListing(false)
            .setCachingEnabled(true)
            .setMaxAgeSeconds(WEBJAR_MAX_AGE_SECONDS));
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(this::securityHeaders)
        // Our own files have unversioned URLs: browsers revalidate them on every load.
        .handler(ctx -> {
          ctx.response().putHeader("Cache-Control", "no-cache");
          ctx.next();
        })
        .handler(StaticHandler.create(WEBROOT)
            .setDirectoryListing(false)
            .setCachingEnabled(false)
            .setIndexPage("index.html"));
  }

  private void securityHeaders(RoutingContext ctx) {
    contentSecurityPolicy.subscribe(policy -> {
      var headers = ctx.response().headers();
      SecurityHeaders.set(headers, policy);
      // Vert.x maps no type to .mjs; a module script must come as JavaScript (and nosniff is on).
      if (ctx.normalizedPath().endsWith(".mjs")) {
        headers.set("Content-Type", "text/javascript; charset=utf-8");
      }
      ctx.next();
    }, ctx::fail);
  }

  /** The policy for a page whose inline scripts (only the import map) are allowed by their SHA-256 hashes. */
  static String policy(String indexPage) {
    List<String> hashes = new ArrayList<>();
    Matcher matcher = INLINE_SCRIPT.matcher(indexPage);
    while (matcher.find()) {
      hashes.add("'sha256-" + sha256(matcher.group(1)) + "'");
    }
    return String.join("; ",
        "default-src 'self'",
        String.join(" ", "script-src", "'self'", String.join(" ", hashes)).strip(),
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'");
  }

  private static String sha256(String text) {
    try {
      return Base64.getEncoder().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
