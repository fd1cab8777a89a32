package dev.ocomms.gateway.bridge;

import io.vertx.rxjava3.core.Vertx;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Puts one chat address's sequenced events back in seq order. Messaging publishes each event after its commit, from
 * whichever node handled the change, so two events committed one after the other can cross the cluster in the opposite
 * order; an event that comes early waits here (at most {@link #HOLD_MS}) for the ones numbered before it. After that
 * wait it goes out anyway: the client sees a gap and calls chat.sync, as after any gap.
 *
 * <p>Only sequenced events are ordered ({@link Outbound#seq} is -1 for the others, see {@link Outbound#of}): they pass
 * straight through, also while sequenced ones are held, since another event's {@code seq} (a read receipt's
 * watermark) is not a position. One buffer per subscribed address, used only on its gateway instance's event loop.
 */
final class ReorderBuffer {
  /** How long an early event waits for the events numbered before it. */
  static final long HOLD_MS = 500;

  private final Vertx vertx;
  private final Consumer<Outbound> release;
  /** The seq expected next; -1 until the first sequenced event. */
  private long nextSeq = -1;
  /** Early events by seq, allocated on the first one (most addresses never need it). */
  private TreeMap<Long, Outbound> held;
  private long holdTimer = -1;

  /** {@code release} receives every event exactly once, sequenced ones in seq order as far as they arrive in time. */
  ReorderBuffer(Vertx vertx, Consumer<Outbound> release) {
    this.vertx = vertx;
    this.release = release;
  }

  void accept(Outbound event) {
    long seq = event.seq();
    if (seq < 0) {
      release.accept(event);
      return;
    }
    if (nextSeq < 0 || seq <= nextSeq) {
      // The first this buffer sees, the one expected, or one that comes too late to wait for.
      nextSeq = Math.max(nextSeq, seq + 1);
      release.accept(event);
      releaseHeld(false);
      return;
    }
    if (held == null) {
      held = new TreeMap<>();
    }
    held.put(seq, event);
    if (holdTimer < 0) {
      holdTimer = vertx.setTimer(HOLD_MS, id -> {
        holdTimer = -1;
        releaseHeld(true);
      });
    }
  }

  /** Drops what is held (the address has no sockets left); nothing is released after this. */
  void stop() {
    cancelTimer();
    if (held != null) {
      held.clear();
    }
  }

  /** Releases the held events that are next in seq order; all of them, in order, once their wait is over. */
  private void releaseHeld(boolean waitOver) {
    if (held == null) {
      return;
    }
    while (!held.isEmpty() && (waitOver || held.firstKey() <= nextSeq)) {
      Map.Entry<Long, Outbound> next = held.pollFirstEntry();
      nextSeq = Math.max(nextSeq, next.getKey() + 1);
      release.accept(next.getValue());
    }
    if (held.isEmpty()) {
      cancelTimer();
    }
  }

  private void cancelTimer() {
    if (holdTimer >= 0) {
      vertx.cancelTimer(holdTimer);
      holdTimer = -1;
    }
  }
}
