package dev.ocomms.integrations;

import dev.ocomms.shared.config.IpRange;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.rxjava3.core.Vertx;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one way integrations call out (slash commands, outgoing webhooks), guarded against server-side request forgery
 * (docs/protocol.md, "Outbound calls"). Only {@code http} and {@code https}; the host is resolved on a worker thread
 * and refused when any of its addresses is loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
 * (169.254/16 with the cloud metadata address, fe80::/10), unspecified, multicast, broadcast, "this network" (0/8) or
 * CGNAT (100.64/10), unless {@code host[:port]} is listed in {@code OCOMMS_OUTBOUND_ALLOWED_HOSTS}. The request then
 * connects to the address that was checked (no second lookup that DNS could answer differently), with the URL's host
 * in the {@code Host} header and TLS's SNI. Redirects are followed by hand, at most {@value #MAX_REDIRECTS}, each
 * checked again; each call has a timeout; a reply body over {@value #MAX_REPLY_BYTES} bytes is not read.
 */
final class Outbound {
  static final int MAX_REDIRECTS = 3;
  static final int MAX_REPLY_BYTES = 64 * 1024;
  static final int MAX_URL = 2048;
  private static final Set<String> SCHEMES = Set.of("http", "https");
  private static final List<IpRange> REFUSED = List.of(IpRange.parse("0.0.0.0/8"), IpRange.parse("100.64.0.0/10"),
      IpRange.parse("255.255.255.255/32"), IpRange.parse("fc00::/7"), IpRange.parse("64:ff9b::/96"));

  /** Why a call did not give a reply: refused by the checks (not retried) or failed (retried when transient). */
  static final class CallFailure extends RuntimeException {
    final boolean refused;
    final boolean transientFailure;

    CallFailure(String message, boolean refused, boolean transientFailure) {
      super(message, null, false, false);
      this.refused = refused;
      this.transientFailure = transientFailure;
    }
  }

  /** A reply: its status and body (at most {@value #MAX_REPLY_BYTES} bytes). */
  record Reply(int status, Buffer body) {
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final Set<String> allowedHosts;

  Outbound(Vertx vertx, List<String> allowedHosts) {
    this.vertx = vertx;
    this.allowedHosts = Set.copyOf(allowedHosts);
    // Certificates are verified against the URL's host (SNI and verification use it, not the pinned address).
    this.client = vertx.getDelegate().createHttpClient(new HttpClientOptions().setForceSni(true).setVerifyHost(true)
        .setMaxRedirects(0).setKeepAlive(false));
  }

  void close() {
    client.close();
  }

  /**
   * The URL as a creator gives it, checked for its form only (scheme, host, length): {@code url_not_allowed} or
   * {@code validation_failed} otherwise. Then {@link #checkResolved} checks where it points.
   */
  static URI parse(String url) {
    if (url.length() > MAX_URL || url.chars().anyMatch(c -> c <= ' ')) {
      throw refusal("the URL must be an http(s) URL of at most " + MAX_URL + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw refusal("not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!SCHEMES.contains(scheme)) {
      throw refusal("only http and https URLs may be called");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw refusal("the URL needs a host (and no user name or password)");
    }
    return uri;
  }

  /** Completes when the URL may be called now (its host resolves to addresses that may be called). */
  Completable checkResolved(String url) {
    return Single.fromCallable(() -> parse(url)).flatMap(this::target).ignoreElement();
  }

  /** POSTs {@code body} to {@code url}, following redirects by hand, each checked; fails with {@link CallFailure}. */
  Single<Reply> post(String url, String contentType, Buffer body, MultiMap headers, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    return Single.fromCallable(() -> parse(url))
        .onErrorResumeNext(e -> Single.error(new CallFailure(e.getMessage(), true, false)))
        .flatMap(uri -> hop(uri, HttpMethod.POST, contentType, body, headers, deadline, 0));
  }

  private Single<Reply> hop(URI uri, HttpMethod method, String contentType, Buffer body, MultiMap headers,
                            long deadline, int redirects) {
    return target(uri)
        .onErrorResumeNext(e -> Single.error(e instanceof OcommsException refused
            ? new CallFailure(refused.getMessage(), true, false) : e))
        .flatMap(address -> call(uri, address, method, contentType, body, headers, deadline))
        .flatMap(answer -> {
          int status = answer.response.statusCode();
          String location = answer.response.getHeader("Location");
          if (status >= 300 && status < 400 && location != null && status != 304) {
            if (redirects >= MAX_REDIRECTS) {
              return Single.error(new CallFailure("more than " + MAX_REDIRECTS + " redirects", false, false));
            }
            URI next;
            try {
              next = parse(uri.resolve(location).toString());
            } catch (RuntimeException e) {
              return Single.error(new CallFailure("redirected to a URL that may not be called", true, false));
            }
            // 307 and 308 repeat the request; the others become a GET without a body, as browsers do.
            boolean same = status == 307 || status == 308;
            return hop(next, same ? method : HttpMethod.GET, same ? contentType : null, same ? body : null, headers,
                deadline, redirects + 1);
          }
          return Single.just(new Reply(status, answer.body));
        });
  }

  private record Answer(HttpClientResponse response, Buffer body) {
  }

  private Single<Answer> call(URI uri, InetAddress address, HttpMethod method, String contentType, Buffer body,
                              MultiMap headers, long deadline) {
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      return Single.error(new CallFailure("timed out", false, true));
    }
    boolean tls = uri.getScheme().equalsIgnoreCase("https");
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    RequestOptions options = new RequestOptions().setMethod(method).setHost(uri.getHost()).setPort(port)
        .setURI(path).setSsl(tls)
        .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
        .setConnectTimeout(left).setIdleTimeout(left);
    Promise<Answer> done = Promise.promise();
    long timer = vertx.getDelegate().setTimer(left, id -> done.tryFail(new CallFailure("timed out", false, true)));
    client.request(options).compose(request -> {
      done.future().onFailure(e -> request.reset());
      request.headers().addAll(headers);
      if (body != null) {
        request.putHeader("Content-Type", contentType);
        return request.send(body);
      }
      return request.send();
    }).compose(response -> read(response).map(bytes -> new Answer(response, bytes)))
        .onComplete(result -> {
          vertx.getDelegate().cancelTimer(timer);
          if (result.succeeded()) {
            done.tryComplete(result.result());
          } else {
            Throwable failure = result.cause();
            done.tryFail(failure instanceof CallFailure ? failure
                : new CallFailure("connection failed: " + failure.getClass().getSimpleName(), false, true));
          }
        });
    return Single.create(emitter -> done.future().onComplete(result -> {
      if (result.succeeded()) {
        emitter.onSuccess(result.result());
      } else {
        emitter.onError(result.cause());
      }
    }));
  }

  /** The body, or a failure once it passes the cap (the rest is not read: the connection is reset). */
  private static Future<Buffer> read(HttpClientResponse response) {
    Promise<Buffer> body = Promise.promise();
    Buffer bytes = Buffer.buffer();
    response.handler(chunk -> {
      if (bytes.length() + chunk.length() > MAX_REPLY_BYTES) {
        body.tryFail(new CallFailure("reply over " + MAX_REPLY_BYTES + " bytes", false, false));
        response.request().reset();
      } else {
        bytes.appendBuffer(chunk);
      }
    });
    response.exceptionHandler(body::tryFail);
    response.endHandler(end -> body.tryComplete(bytes));
    return body.future();
  }

  /** The address to connect to: the first of the host's, once every one of them was found callable. */
  private Single<InetAddress> target(URI uri) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    int port = uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    boolean allowed = allowedHosts.contains(host) || allowedHosts.contains(host + ":" + port);
    return vertx.<InetAddress[]>rxExecuteBlocking(() -> {
          try {
            return InetAddress.getAllByName(bare);
          } catch (UnknownHostException e) {
            throw refusal("the host " + host + " does not resolve");
          }
        }, false)
        .toSingle()
        .map(addresses -> {
          if (!allowed) {
            for (InetAddress address : addresses) {
              if (internal(address)) {
                throw refusal("the host " + host + " resolves to an internal address");
              }
            }
          }
          return addresses[0];
        });
  }

  /** Whether an address is one integrations may not call (unless its host is allowed). */
  static boolean internal(InetAddress address) {
    if (address instanceof Inet6Address v6 && v6.getAddress()[0] == 0 && isMappedOrCompatible(v6.getAddress())) {
      byte[] bytes = v6.getAddress();
      try {
        return internal(InetAddress.getByAddress(new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]}));
      } catch (UnknownHostException impossible) {
        return true;
      }
    }
    return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
        || address.isAnyLocalAddress() || address.isMulticastAddress()
        || REFUSED.stream().anyMatch(range -> range.contains(address))
        || (address instanceof Inet4Address && (address.getAddress()[0] & 0xff) == 127);
  }

  /** ::ffff:a.b.c.d and the deprecated ::a.b.c.d, both of which reach an IPv4 address. */
  private static boolean isMappedOrCompatible(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    boolean mapped = (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff;
    boolean compatible = bytes[10] == 0 && bytes[11] == 0;
    return mapped || compatible;
  }

  static OcommsException refusal(String detail) {
    return new OcommsException(Reason.URL_NOT_ALLOWED, detail,
        new io.vertx.core.json.JsonObject().put("field", "url"));
  }

  // Signing

  /** The signature headers, as Slack signs: {@code v0=} + hex HMAC-SHA256 of {@code v0:<timestamp>:<body>}. */
  static MultiMap signed(String secret, Buffer body, long timestampSeconds) {
    String signature = signature(secret, timestampSeconds, body.toString(StandardCharsets.UTF_8));
    String timestamp = Long.toString(timestampSeconds);
    return MultiMap.caseInsensitiveMultiMap()
        .add("X-OComms-Signature", signature).add("X-OComms-Request-Timestamp", timestamp)
        .add("X-Slack-Signature", signature).add("X-Slack-Request-Timestamp", timestamp)
        .add("User-Agent", "OComms-Integrations/1");
  }

  static String signature(String secret, long timestampSeconds, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest = mac.doFinal(("v0:" + timestampSeconds + ":" + body).getBytes(StandardCharsets.UTF_8));
      return "v0=" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException impossible) {
      throw new IllegalStateException("HmacSHA256 is in every JVM", impossible);
    }
  }
}
