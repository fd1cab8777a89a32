package dev.ocomms.gateway.bridge;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BridgeSocket} with no network under it, for tests of the bridge's pieces: it keeps every frame written to
 * it (the very {@link WireFrame} objects, so that a test can tell one shared frame from copies), counts flushes and
 * closes. Writes complete at once, unless {@link #holdWrites} made them wait for {@link #completeWrites}. Event loop
 * only, like a real socket.
 */
final class RecordingSocket implements BridgeSocket {
  final List<WireFrame> frames = new ArrayList<>();
  /** The text of each frame, taken when it was written (a shared frame is released after the fan-out). */
  final List<String> texts = new ArrayList<>();
  int flushes;
  /** Frames written and not yet flushed: a write with {@code flush} set flushes it and those before it. */
  int unflushed;
  int closes;
  private final String uri;
  private boolean holdWrites;
  private final List<Runnable> pendingWrites = new ArrayList<>();

  RecordingSocket() {
    this("/eventbus/websocket");
  }

  RecordingSocket(String uri) {
    this.uri = uri;
  }

  /** A connection over this socket; the hub is whatever the piece under test needs (at least its node and bound). */
  static BridgeConnection connection(BridgeHub hub) {
    return new BridgeConnection(hub, null, new RecordingSocket());
  }

  static RecordingSocket of(BridgeConnection connection) {
    return (RecordingSocket) connection.socket;
  }

  /** From now on, writes complete only when {@link #completeWrites} is called: a client that stopped reading. */
  void holdWrites() {
    holdWrites = true;
  }

  void completeWrites() {
    List<Runnable> done = new ArrayList<>(pendingWrites);
    pendingWrites.clear();
    done.forEach(Runnable::run);
  }

  @Override
  public void handlers(Handler<Buffer> data, Handler<Void> closed) {
  }

  @Override
  public void write(WireFrame frame, boolean flush, Runnable done) {
    frames.add(frame);
    texts.add(frame.text());
    unflushed = flush ? 0 : unflushed + 1;
    if (holdWrites) {
      pendingWrites.add(done);
    } else {
      done.run();
    }
  }

  @Override
  public void flush() {
    flushes++;
    unflushed = 0;
  }

  @Override
  public void close() {
    closes++;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public SocketAddress remoteAddress() {
    return SocketAddress.inetSocketAddress(40_000, "127.0.0.1");
  }

  @Override
  public MultiMap headers() {
    return MultiMap.caseInsensitiveMultiMap();
  }
}
