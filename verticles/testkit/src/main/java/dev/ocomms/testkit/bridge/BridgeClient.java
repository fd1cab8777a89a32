package dev.ocomms.testkit.bridge;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A browser's end of one bridge connection, over one {@link Transport}. Every frame the server sends is kept in an
 * inbox until a test takes it with {@link #await}; assertions name the frames seen so far when they fail.
 * Blocking methods are for the test thread only.
 */
public interface BridgeClient extends AutoCloseable {
  /** How long a reply or an expected event may take. */
  Duration WAIT = Duration.ofSeconds(10);

  Transport transport();

  /** Sends one client frame; fails unless the transport accepted it. */
  default void send(JsonObject frame) {
    int status = sendText(frame.encode());
    if (status != ACCEPTED) {
      throw new AssertionError(transport() + " refused a frame with HTTP " + status);
    }
  }

  /** What {@link #sendText} answers when the transport took the message (WebSockets take everything). */
  int ACCEPTED = 204;

  /**
   * Sends one bridge message of any text (for malformed frames); the xhr transports answer with the HTTP status of
   * {@code xhr_send}, the WebSocket transports with {@link #ACCEPTED} once the text is written.
   */
  int sendText(String text);

  /** Takes the first frame received (or arriving within {@code timeout}) that matches; fails if none does. */
  JsonObject await(Predicate<JsonObject> matching, Duration timeout);

  /** Fails if a matching frame was received or arrives within {@code window}. */
  void assertNothing(Predicate<JsonObject> matching, Duration window);

  /** Waits until the server has closed this connection; fails if it does not within {@code timeout}. */
  Closure awaitClosedByServer(Duration timeout);

  /** Whether the server has closed this connection (so far). */
  boolean closedByServer();

  /** Every frame received so far, taken or not, in arrival order. */
  List<JsonObject> received();

  /** Every frame received so far whose body is an event of this {@code type} on {@code address}: the bodies. */
  default List<JsonObject> events(String address, String type) {
    return received().stream().filter(Frames.eventOfType(address, type)).map(frame -> frame.getJsonObject("body"))
        .toList();
  }

  /** The access token this connection's frames carry unless a call names another (null: none). */
  String token();

  /** Makes {@code token} the one this connection's frames carry by default; this client. */
  BridgeClient signedInAs(String token);

  /** As {@link #listen(String, String)} with this connection's {@link #token()}. */
  default void listen(String address) {
    listen(address, token());
  }

  /** As {@link #call(String, JsonObject, String)} with this connection's {@link #token()}. */
  default JsonObject call(String address, JsonObject body) {
    return call(address, body, token());
  }

  /** Registers on {@code address} and waits for the acknowledgement: from then on, its events are delivered. */
  default void listen(String address, String token) {
    JsonObject register = Frames.register(address, token);
    send(register);
    JsonObject ack = await(Frames.about(register.getString("replyAddress")).or(Frames.err(address)), WAIT);
    assertThat(ack).as("answer to register %s", address).isEqualTo(new JsonObject().put("type", "rec")
        .put("address", register.getString("replyAddress"))
        .put("body", new JsonObject().put("registered", address)));
  }

  /** A request over the bridge: the {@code rec} or {@code err} frame that answers it. */
  default JsonObject request(String address, JsonObject body, String token) {
    JsonObject request = Frames.request(address, body, token);
    send(request);
    return await(Frames.about(request.getString("replyAddress")), WAIT);
  }

  /** A request that must succeed: the reply's body. */
  default JsonObject call(String address, JsonObject body, String token) {
    JsonObject reply = request(address, body, token);
    assertThat(reply.getString("type")).as("reply to %s: %s", address, reply).isEqualTo("rec");
    return reply.getJsonObject("body");
  }

  /**
   * Waits until {@code count} events of this type on {@code address} match, counting every frame received (taken by
   * {@link #await} or not); all the matching bodies. Fails naming everything received.
   */
  default List<JsonObject> awaitEvents(String address, String type, Predicate<JsonObject> matching, int count,
                                       Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<JsonObject> found = events(address, type).stream().filter(matching).toList();
      if (found.size() >= count) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(transport() + ": " + found.size() + " of " + count + " matching " + type
            + " events on " + address + " within " + timeout + "; received " + received());
      }
      awaitAnyFrame(Duration.ofMillis(50));
    }
  }

  /** As {@link #awaitEvents} for one event: its body. */
  default JsonObject awaitEvent(String address, String type, Predicate<JsonObject> matching, Duration timeout) {
    return awaitEvents(address, type, matching, 1, timeout).get(0);
  }

  /** Returns when a frame arrives or {@code atMost} has passed. */
  void awaitAnyFrame(Duration atMost);

  /**
   * Stops reading what the server sends, as a stalled browser tab does: the server's frames then wait on its side
   * (in the SockJS session, or in the socket once the TCP window is full). Sending goes on.
   */
  void pauseReceiving();

  /** Reads again: what waited arrives, in order. */
  void resumeReceiving();

  /** Closes the client's side; the server sees the connection go (SockJS xhr sessions only when they time out). */
  @Override
  void close();

  /** How the server closed: a WebSocket status, or the SockJS {@code c[code,"reason"]} frame. */
  record Closure(int code, String reason) {
  }
}
