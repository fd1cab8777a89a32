package dev.ocomms.gateway.web;

import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.http.HttpServerResponse;
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
 * The browser client: {@code webroot/} (packaged into the gateway jar; no build step) and the third-party browser
 * libraries from WebJars on the class path at {@code /webjars/<name>/<version>/...}. Mounted after the API, the bridge
 * and the operator endpoints, so it only answers paths they leave alone.
 *
 * <p>Caching: the client has one version, a hash over all of {@code webroot/} ({@link AssetVersion}). The page
 * ({@code /}, {@code /index.html}) is served with its own files' URLs under {@code /v/<version>/}, and since the
 * modules import each other by relative URLs, every module the page loads carries the version too. Those URLs are
 * cached for a year and never revalidated ({@code immutable}); the page itself is revalidated on every load, cheaply
 * (its ETag is the version: a 304 until a deploy changes a file). WebJar URLs carry their own version and are cached
 * the same way. Unversioned paths ({@code /js/main.js}) still work, revalidated on every use.
 *
 * <p>Every response carries a Content-Security-Policy that lets the page run only scripts and styles of its own
 * origin and talk only to its own origin. The one inline script, the import map in {@code index.html}, is allowed by
 * its hash, computed from the served page so the two cannot drift apart.
 */
public final class WebClientRoutes {
  static final String WEBROOT = "webroot";
  static final String WEBJARS = "META-INF/resources/webjars";
  /** Our own files under a version: {@code /v/<version>/<path under webroot>}. */
  static final String VERSIONED = "/v/";
  private static final Pattern INLINE_SCRIPT =
      Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>(.*?)</script>", Pattern.DOTALL);
  /** An src or href naming one of our own files by its absolute path: not another origin, a WebJar, or versioned. */
  private static final Pattern OWN_FILE_URL =
      Pattern.compile("(\\s(?:src|href)=[\"'])/(?![/\\\\]|webjars/|v/)");
  /**
   * Versioned URLs never change what they name. StaticHandler's own header for this max-age says so with
   * {@code immutable} (the browser does not even revalidate on reload), and it writes it only for a file it serves,
   * never on a 404.
   */
  private static final long IMMUTABLE_MAX_AGE_SECONDS = 365L * 24 * 3600;

  private final String version;
  private final Page page;

  /** The page as served: index.html with its own files' URLs versioned, and the policy that allows its import map. */
  private record Page(Buffer html, String etag, String contentSecurityPolicy) {
  }

  private WebClientRoutes(String version, String indexPage) {
    this.version = version;
    String html = versionUrls(indexPage, version);
    this.page = new Page(Buffer.buffer(html, "UTF-8"), '"' + version + '"', policy(html));
  }

  /** Reads {@code webroot/} once, on a worker thread: its version and the page. Fails if there is no webroot. */
  public static Single<WebClientRoutes> load(Vertx vertx) {
    return vertx.rxExecuteBlocking(() -> new WebClientRoutes(AssetVersion.of(vertx.fileSystem(), WEBROOT),
            vertx.fileSystem().readFileBlocking(WEBROOT + "/index.html").toString(StandardCharsets.UTF_8)))
        .toSingle();
  }

  public void mount(Router router) {
    // An invite link (/invite/<code>) is the page too: the client reads the code from its path.
    for (String path : List.of("/", "/index.html", "/invite/:code")) {
      router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD)
          .handler(this::securityHeaders)
          .handler(this::page);
    }
    router.route("/webjars/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(this::securityHeaders)
        .handler(StaticHandler.create(WEBJARS)
            .setDirectoryListing(false)
            .setCachingEnabled(true)
            .setMaxAgeSeconds(IMMUTABLE_MAX_AGE_SECONDS));
    router.route(VERSIONED + ":version/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(this::securityHeaders)
        .handler(this::versionedFile)
        .handler(StaticHandler.create(WEBROOT)
            .setDirectoryListing(false)
            .setCachingEnabled(true)
            .setMaxAgeSeconds(IMMUTABLE_MAX_AGE_SECONDS));
    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(this::securityHeaders)
        // Unversioned URLs (pages from before versioning, tests): browsers revalidate them on every use.
        .handler(ctx -> {
          ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
          ctx.next();
        })
        .handler(StaticHandler.create(WEBROOT)
            .setDirectoryListing(false)
            .setCachingEnabled(false)
            .setIndexPage("index.html"));
  }

  /** The page: revalidated on every load, answered 304 while the version stands. */
  private void page(RoutingContext ctx) {
    HttpServerResponse response = ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    ctx.etag(page.etag());
    if (ctx.isFresh()) {
      response.setStatusCode(304).end().subscribe(() -> { }, e -> { });
      return;
    }
    response.putHeader(HttpHeaders.CONTENT_TYPE, "text/html;charset=UTF-8");
    if (ctx.request().method() == HttpMethod.HEAD) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(page.html().length())).end()
          .subscribe(() -> { }, e -> { });
    } else {
      response.end(page.html()).subscribe(() -> { }, e -> { });
    }
  }

  /**
   * Before StaticHandler serves {@code /v/<version>/<path>}. Any version gets the current file: a page from before a
   * deploy still gets its modules. Only this node's version is cached for good: during a rolling deploy a node still
   * on the old files may be asked for the new version's URLs, and must not have its old bytes kept under them for a
   * year (StaticHandler keeps a Cache-Control that is already set). The page is never served under a version: it
   * must be revalidated.
   */
  private void versionedFile(RoutingContext ctx) {
    String path = ctx.pathParam("*");
    if (path == null || path.isEmpty() || path.endsWith("/") || path.replaceFirst("^/+", "").equals("index.html")) {
      ctx.fail(404);
      return;
    }
    if (!version.equals(ctx.pathParam("version"))) {
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    }
    ctx.next();
  }

  private void securityHeaders(RoutingContext ctx) {
    var headers = ctx.response().headers();
    SecurityHeaders.set(headers, page.contentSecurityPolicy());
    // Vert.x maps no type to .mjs; a module script must come as JavaScript (and nosniff is on).
    if (ctx.normalizedPath().endsWith(".mjs")) {
      headers.set("Content-Type", "text/javascript; charset=utf-8");
    }
    ctx.next();
  }

  /** {@code indexPage} with the URLs of our own files ({@code /js/main.js}) under the version ({@code /v/<v>/js/...}). */
  static String versionUrls(String indexPage, String version) {
    return OWN_FILE_URL.matcher(indexPage)
        .replaceAll(url -> Matcher.quoteReplacement(url.group(1) + VERSIONED + version + "/"));
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
