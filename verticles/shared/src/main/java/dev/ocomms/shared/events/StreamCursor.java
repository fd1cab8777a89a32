package dev.ocomms.shared.events;

import java.util.Optional;

/**
 * A place in the durable event stream: just after the event at {@code position} of transaction {@code tx}. Events are
 * read in (tx, position) order, which is the order in which they can no longer be overtaken (see
 * docs/architecture.md, "The event stream"). On the wire it is the text {@code "<tx>.<position>"}; consumers keep it
 * as it is and hand it back.
 */
public record StreamCursor(long tx, long position) implements Comparable<StreamCursor> {
  /** Before the first event. */
  public static final StreamCursor START = new StreamCursor(0, 0);

  public static Optional<StreamCursor> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    int dot = text.indexOf('.');
    if (dot <= 0 || dot == text.length() - 1) {
      return Optional.empty();
    }
    try {
      long tx = Long.parseLong(text.substring(0, dot));
      long position = Long.parseLong(text.substring(dot + 1));
      return tx < 0 || position < 0 ? Optional.empty() : Optional.of(new StreamCursor(tx, position));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  public String wire() {
    return tx + "." + position;
  }

  @Override
  public int compareTo(StreamCursor other) {
    int byTx = Long.compare(tx, other.tx);
    return byTx != 0 ? byTx : Long.compare(position, other.position);
  }

  @Override
  public String toString() {
    return wire();
  }
}
