package dev.ocomms.gateway.bridge;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A browser's end of one bridge connection, over one {@link Transport}. Every frame the server sends is kept in an
 * inbox until a test takes it with {@link #await}; assertions name the frames seen so far when they fail.
 * Blocking methods are for the test thread only.
 */
public interface BridgeTestClient extends AutoCloseable {

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

  /** Closes the client's side; the server sees the connection go (SockJS xhr sessions only when they time out). */
  @Override
  void close();

  /** How the server closed: a WebSocket status, or the SockJS {@code c[code,"reason"]} frame. */
  record Closure(int code, String reason) {
  }
}
