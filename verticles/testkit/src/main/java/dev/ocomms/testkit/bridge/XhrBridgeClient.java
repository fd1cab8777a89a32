package dev.ocomms.testkit.bridge;

import dev.ocomms.testkit.Blocking;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.parsetools.RecordParser;

import java.time.Duration;

/**
 * The bridge over SockJS xhr-streaming or xhr-polling. Receiving is a loop of POSTs to {@code xhr_streaming} (one
 * long chunked response, reopened when the server ends it) or {@code xhr} (one frame per response); sending is one
 * {@code xhr_send} POST per message, waited for so that frames keep their order. Each client has its own HTTP
 * connections, so that a pending poll never holds up a send.
 *
 * <p>A response's handlers are attached by a listener of the response future itself ({@code request.send()}), never
 * further down a chain composed on the request future. The response future's own listeners run as the response head
 * is dispatched, before its end; a listener further down the chain can run as a task of its own after the end has
 * been dispatched (seen on a loaded machine, on the same event loop). Vert.x 5.0.8 drops an end that comes before
 * anyone listens, and a {@code body()} asked for after it never completes (eclipse-vertx/vert.x#6038, fixed in
 * 5.0.11). That was the "no answer within 10 s" to an {@code xhr_send} that the server had answered at once with 204,
 * about one run in twenty; the receive loop attached its handlers the same way and could lose a poll's frames.
 */
public final class XhrBridgeClient extends InboxClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final HttpClient http;
  private final String session = SockJsPaths.session();
  private final String origin;
  private final String receivePath;
  private volatile boolean stopped;
  private final Object receiveLock = new Object();
  /** A receive request is out; guarded by {@code receiveLock}. */
  private boolean receiveOut;
  /** No new receive request goes out (a slow browser); guarded by {@code receiveLock}. */
  private boolean paused;

  private XhrBridgeClient(Vertx vertx, Transport transport, int port, String origin) {
    super(transport);
    this.origin = origin;
    this.receivePath = session + (transport == Transport.XHR_STREAMING ? "/xhr_streaming" : "/xhr");
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
            // SockJS closes the connection after each poll; a pooled connection could be closing when reused.
            .setKeepAlive(false),
        new PoolOptions().setHttp1MaxSize(4));
  }

  public static XhrBridgeClient connect(Vertx vertx, Transport transport, int port, String origin) {
    XhrBridgeClient client = new XhrBridgeClient(vertx, transport, port, origin);
    client.receive();
    client.awaitOpen(TIMEOUT);
    return client;
  }

  private RequestOptions post(String path) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(path);
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return options;
  }

  private void receive() {
    synchronized (receiveLock) {
      receiveOut = !(stopped || closed.isDone() || paused);
      if (!receiveOut) {
        return;
      }
    }
    http.request(post(receivePath))
        .compose(request -> request.send().onSuccess(this::receiving))
        .onFailure(failure -> {
          if (!stopped) {
            violation("receive request failed: " + failure);
          }
        });
  }

  private void receiving(HttpClientResponse response) {
    if (response.statusCode() != 200) {
      response.body().onComplete(body -> violation(receivePath + " answered " + response.statusCode() + ": "
          + (body.succeeded() ? body.result() : "")));
      opened.completeExceptionally(new IllegalStateException("HTTP " + response.statusCode()));
      return;
    }
    RecordParser lines = RecordParser.newDelimited("\n", line -> sockJsFrame(line.toString()));
    response.handler(lines);
    response.endHandler(v -> receive());
    response.exceptionHandler(failure -> {
      if (!stopped) {
        violation("receive response failed: " + failure);
      }
    });
  }

  /**
   * Stops asking for frames, as a stalled browser tab does: the receive request already out (if any) still takes
   * what the server writes next, then none follows, and the server's frames wait in the SockJS session.
   */
  @Override
  public void pauseReceiving() {
    synchronized (receiveLock) {
      paused = true;
    }
  }

  /** Asks for frames again (one at once unless a receive request is still out). */
  @Override
  public void resumeReceiving() {
    synchronized (receiveLock) {
      paused = false;
      if (receiveOut) {
        return;
      }
    }
    receive();
  }

  /** {@code /eventbus/<server>/<session>}. */
  public String sessionPath() {
    return session;
  }

  @Override
  public int sendText(String text) {
    Buffer body = Buffer.buffer(new JsonArray().add(text).encode());
    return Blocking.get(http.request(post(session + "/xhr_send").putHeader("Content-Type", "text/plain;charset=UTF-8"))
        .compose(request -> request.send(body)
            .compose(response -> response.body().map(ignored -> response.statusCode()))), TIMEOUT);
  }

  @Override
  public void close() {
    stopped = true;
    http.close();
  }
}
