package dev.ocomms.gateway.presence;

import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One user's raw WebSocket bridge connection ({@code /eventbus/websocket}) as a browser holds it: every frame the
 * server sends is kept, so tests can say exactly what this user received. Blocking methods are for the test thread.
 * (The bridge suite's fixtures are package-private to {@code gateway.bridge}; this is the small part presence needs.)
 */
final class BridgeSocket implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  final String name;
  private final String token;
  private final WebSocket socket;
  private final List<JsonObject> received = new ArrayList<>();

  private BridgeSocket(String name, String token, WebSocket socket) {
    this.name = name;
    this.token = token;
    this.socket = socket;
    socket.textMessageHandler(text -> {
      synchronized (this) {
        received.add(new JsonObject(text));
        notifyAll();
      }
    });
  }

  static BridgeSocket connect(WebSocketClient client, int port, String name, String token) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/eventbus/websocket");
    return new BridgeSocket(name, token, block(client.connect(options), WAIT));
  }

  /** Registers on {@code address} and waits for the acknowledgement (the first frame also authenticates). */
  void register(String address) {
    String replyAddress = UUID.randomUUID().toString();
    write(new JsonObject().put("type", "register").put("address", address).put("replyAddress", replyAddress));
    JsonObject ack = awaitReply(replyAddress);
    if (!"rec".equals(ack.getString("type"))) {
      throw new AssertionError(name + " could not register " + address + ": " + ack);
    }
  }

  /** A request through the bridge that must succeed; its reply body. */
  JsonObject call(String address, JsonObject body) {
    JsonObject reply = request(address, body);
    if (!"rec".equals(reply.getString("type"))) {
      throw new AssertionError(name + ": " + address + " " + body + " failed: " + reply);
    }
    return reply.getJsonObject("body");
  }

  /** A request through the bridge: the {@code rec} or {@code err} frame that answers it. */
  JsonObject request(String address, JsonObject body) {
    String replyAddress = UUID.randomUUID().toString();
    write(new JsonObject().put("type", "send").put("address", address).put("body", body)
        .put("replyAddress", replyAddress));
    return awaitReply(replyAddress);
  }

  private JsonObject awaitReply(String replyAddress) {
    return await(frame -> replyAddress.equals(frame.getString("address")), WAIT);
  }

  private void write(JsonObject frame) {
    frame.put("headers", new JsonObject().put("Authorization", "Bearer " + token));
    block(socket.writeTextMessage(frame.encode()), WAIT);
  }

  /** The bodies of the events received on {@code address} so far, of this type, in arrival order. */
  synchronized List<JsonObject> events(String address, String type) {
    return received.stream()
        .filter(frame -> "rec".equals(frame.getString("type")) && address.equals(frame.getString("address")))
        .map(frame -> frame.getJsonObject("body"))
        .filter(body -> body != null && type.equals(body.getString("type")))
        .toList();
  }

  /** Waits until an event on {@code address} of this type matches; it. Fails naming everything received. */
  JsonObject awaitEvent(String address, String type, Predicate<JsonObject> matching, Duration timeout) {
    JsonObject frame = await(f -> "rec".equals(f.getString("type")) && address.equals(f.getString("address"))
        && f.getValue("body") instanceof JsonObject body && type.equals(body.getString("type"))
        && matching.test(body), timeout);
    return frame.getJsonObject("body");
  }

  /** Waits until {@code count} events on {@code address} of this type match; all the matching ones. */
  synchronized List<JsonObject> awaitEvents(String address, String type, Predicate<JsonObject> matching, int count,
                                            Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<JsonObject> found = events(address, type).stream().filter(matching).toList();
      if (found.size() >= count) {
        return found;
      }
      waitUntil(deadline, timeout);
    }
  }

  private synchronized JsonObject await(Predicate<JsonObject> matching, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (JsonObject frame : received) {
        if (matching.test(frame)) {
          return frame;
        }
      }
      waitUntil(deadline, timeout);
    }
  }

  private void waitUntil(long deadline, Duration timeout) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new AssertionError(name + " received no matching frame within " + timeout + "; received " + received);
    }
    try {
      TimeUnit.NANOSECONDS.timedWait(this, left);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (!socket.isClosed()) {
      block(socket.close(), WAIT);
    }
  }

  static <T> T block(Future<T> future, Duration timeout) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within " + timeout, e);
    }
  }
}
