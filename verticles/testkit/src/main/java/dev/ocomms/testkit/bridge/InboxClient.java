package dev.ocomms.testkit.bridge;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * What every transport's client shares: the inbox of received frames, SockJS frame decoding ({@code o}, {@code h},
 * {@code a[...]}, {@code c[...]}), and the close signal. Transports call {@link #frame} or {@link #sockJsFrame} from
 * their event loop; tests read from their own thread.
 */
public abstract class InboxClient implements BridgeClient {
  private final Transport transport;
  private final LinkedList<JsonObject> inbox = new LinkedList<>();
  private final List<JsonObject> received = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  protected final CompletableFuture<Void> opened = new CompletableFuture<>();
  protected final CompletableFuture<Closure> closed = new CompletableFuture<>();
  private volatile String token;

  /** How assertions name this client: its transport, or another name for a client of no browser transport. */
  private final String name;

  protected InboxClient(Transport transport) {
    this.transport = transport;
    this.name = transport.toString();
  }

  /** A client of a bridge no browser uses (the TCP bridge): {@link #transport()} is null. */
  protected InboxClient(String name) {
    this.transport = null;
    this.name = name;
  }

  @Override
  public Transport transport() {
    return transport;
  }

  @Override
  public String token() {
    return token;
  }

  @Override
  public BridgeClient signedInAs(String token) {
    this.token = token;
    return this;
  }

  /** One bridge frame (a JSON object) arrived. */
  protected final void frame(String text) {
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      violation("not a JSON object: " + text);
      return;
    }
    synchronized (this) {
      inbox.add(frame);
      received.add(frame);
      notifyAll();
    }
  }

  /** One SockJS frame (without its trailing newline) arrived. */
  protected final void sockJsFrame(String text) {
    if (text.isEmpty()) {
      violation("empty SockJS frame");
    } else if (text.equals("o")) {
      opened.complete(null);
    } else if (text.chars().allMatch(c -> c == 'h')) {
      // A heartbeat, or the xhr-streaming prelude of 2048 'h'.
      return;
    } else if (text.charAt(0) == 'a') {
      JsonArray messages;
      try {
        messages = new JsonArray(text.substring(1));
      } catch (DecodeException e) {
        violation("bad SockJS array: " + text);
        return;
      }
      for (Object message : messages) {
        if (message instanceof String json) {
          frame(json);
        } else {
          violation("SockJS message is not a string: " + message);
        }
      }
    } else if (text.charAt(0) == 'c') {
      JsonArray close = new JsonArray(text.substring(1));
      serverClosed(new Closure(close.getInteger(0), close.getString(1)));
    } else {
      violation("unknown SockJS frame: " + text);
    }
  }

  protected final void serverClosed(Closure closure) {
    opened.completeExceptionally(new IllegalStateException("closed before it opened: " + closure));
    closed.complete(closure);
    synchronized (this) {
      notifyAll();
    }
  }

  protected final synchronized void violation(String what) {
    violations.add(what);
    notifyAll();
  }

  @Override
  public JsonObject await(Predicate<JsonObject> matching, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (true) {
        checkViolations();
        for (Iterator<JsonObject> it = inbox.iterator(); it.hasNext(); ) {
          JsonObject frame = it.next();
          if (matching.test(frame)) {
            it.remove();
            return frame;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(name + ": no matching frame within " + timeout + "; received " + received
              + (closed.isDone() ? "; closed by the server: " + closed.join() : ""));
        }
        waitNanos(left);
      }
    }
  }

  @Override
  public void assertNothing(Predicate<JsonObject> matching, Duration window) {
    long deadline = System.nanoTime() + window.toNanos();
    synchronized (this) {
      while (true) {
        checkViolations();
        for (JsonObject frame : inbox) {
          if (matching.test(frame)) {
            throw new AssertionError(name + ": unexpected frame " + frame + "; received " + received);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        waitNanos(left);
      }
    }
  }

  @Override
  public void awaitAnyFrame(Duration atMost) {
    // A frame that arrives just before the wait starts is seen by the caller's next poll.
    synchronized (this) {
      waitNanos(atMost.toNanos());
    }
  }

  @Override
  public Closure awaitClosedByServer(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(name + ": still open after " + timeout + "; received " + received());
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public boolean closedByServer() {
    return closed.isDone();
  }

  @Override
  public synchronized List<JsonObject> received() {
    return List.copyOf(received);
  }

  /** Waits (test thread) until the transport has opened. */
  protected final void awaitOpen(Duration timeout) {
    try {
      opened.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | InterruptedException | ExecutionException e) {
      close();
      throw new AssertionError(name + " did not open: " + e, e);
    }
  }

  private void checkViolations() {
    if (!violations.isEmpty()) {
      throw new AssertionError(name + " broke the wire protocol: " + violations);
    }
  }

  private void waitNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(this, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
