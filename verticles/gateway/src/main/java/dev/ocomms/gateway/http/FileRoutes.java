package dev.ocomms.gateway.http;

import dev.ocomms.gateway.accounts.AccessTokens;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.ext.web.Router;
import io.vertx.rxjava3.ext.web.RoutingContext;

import java.util.regex.Pattern;

/**
 * Files, thumbnails, avatars and chats' file lists: the gateway authenticates the caller and streams the request, as
 * it arrives, to a node running the uploads verticle (any: the event bus picks one that answers
 * {@code uploads.endpoint}), and the answer back, with vertx-http-proxy. File bytes never travel the event bus, and
 * the gateway never holds a body. Uploads learns the caller from {@link Caller#USER_HEADER}, which is only ever this
 * gateway's: whatever a client sent under that name is dropped. See docs/architecture.md, "File bytes".
 */
public final class FileRoutes {
  private static final Pattern CHAT_FILES = Pattern.compile("/api/v1/chats/[^/]+/files");
  private static final long ENDPOINT_TIMEOUT_MS = 3_000;
  /** Uploads and downloads in flight at once from this gateway instance to one uploads node. */
  private static final int CONNECTIONS_PER_UPLOADS_NODE = 256;
  /** Bodies of refused requests up to this size are read and dropped. */
  private static final long DRAIN_LIMIT_BYTES = 32L * 1024 * 1024;

  private final Vertx vertx;
  private final AccessTokens tokens;
  private final HttpClient client;

  public FileRoutes(Vertx vertx, AccessTokens tokens) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.client = vertx.getDelegate().createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_UPLOADS_NODE));
  }

  /** Whether a request is one of these (its body is streamed, not read by the API's body handler). */
  public static boolean isFileRequest(String path) {
    return path.startsWith("/api/v1/files") || path.startsWith("/api/v1/avatars/")
        || path.equals("/api/v1/users/me/avatar") || CHAT_FILES.matcher(path).matches();
  }

  /** The paths of {@link #isFileRequest}; uploads answers what each method on them does (or 404). */
  public void mount(Router router) {
    router.route("/api/v1/files*").handler(this::forCaller);
    router.route("/api/v1/chats/:chatId/files").handler(this::forCaller);
    router.route("/api/v1/users/me/avatar").handler(this::forCaller);
    // Avatars are shown by <img> without a token: their URLs are unguessable.
    router.get("/api/v1/avatars/:avatarId").handler(ctx -> forward(ctx, null));
  }

  public void close() {
    client.close();
  }

  private void forCaller(RoutingContext ctx) {
    // Nothing of the body is read until it is streamed on.
    ctx.request().pause();
    tokens.callerOf(ctx.request().getHeader("Authorization"))
        .subscribe(caller -> forward(ctx, caller), failure -> refuse(ctx, failure));
  }

  /**
   * Answers a request that will not be forwarded. A client that sends its whole body before it reads the answer must
   * get to read it: a small body is read and dropped, a large one (or one of unknown length) ends the connection.
   */
  private static void refuse(RoutingContext ctx, Throwable failure) {
    HttpServerRequest request = ctx.request().getDelegate();
    String length = request.getHeader("Content-Length");
    long declared = length == null || !length.trim().matches("\\d{1,18}") ? -1 : Long.parseLong(length.trim());
    if (!request.isEnded()) {
      if (declared < 0 || declared > DRAIN_LIMIT_BYTES) {
        ctx.response().putHeader("Connection", "close");
      } else {
        request.handler(dropped -> { }).resume();
      }
    }
    ctx.fail(failure);
  }

  private void forward(RoutingContext ctx, Caller caller) {
    HttpServerRequest request = ctx.request().getDelegate();
    request.pause();
    uploadsNode().subscribe(endpoint -> {
      request.headers().remove(Caller.USER_HEADER).remove(Caller.SESSION_HEADER).remove("Authorization");
      if (caller != null) {
        request.headers().set(Caller.USER_HEADER, caller.userId());
        if (caller.sessionId() != null) {
          request.headers().set(Caller.SESSION_HEADER, caller.sessionId());
        }
      }
      HttpProxy.reverseProxy(client).origin(endpoint.getInteger("port"), endpoint.getString("host")).handle(request);
    }, failure -> refuse(ctx, failure));
  }

  /** Where an uploads instance listens; {@code unavailable} when no node runs uploads. */
  private Single<JsonObject> uploadsNode() {
    return Requests.<JsonObject>request(vertx, Addresses.UPLOADS_ENDPOINT, new JsonObject(),
            new DeliveryOptions().setSendTimeout(ENDPOINT_TIMEOUT_MS))
        .map(reply -> reply.body())
        .onErrorResumeNext(failure -> {
          OcommsException problem = BusErrors.fromFailure(failure);
          return Single.error(problem.code() == ErrorCode.INTERNAL ? problem : new OcommsException(
              ErrorCode.UNAVAILABLE, "file sharing is not available right now; retry later",
              new JsonObject().put("retryAfter", 5)));
        });
  }
}
