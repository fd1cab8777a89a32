package dev.ocomms.gateway.bridge;

import io.reactivex.rxjava3.core.Completable;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The addresses that have sockets on this gateway instance, and the sockets on each. An address has exactly one
 * clustered event-bus consumer here, created with its first socket and removed with its last (the stock bridge makes
 * every REGISTER a cluster-wide consumer: one Hazelcast write per socket per address). Each event arriving on it goes
 * through the address's {@link ReorderBuffer}, then out to every local socket as one {@link WireFrame}, built once
 * for all of them; each socket written to is flushed once after the fan-out.
 *
 * <p>Used only on its gateway instance's event loop (no locking); see {@link BridgeHub}.
 */
final class SubscriptionTable {
  private final Vertx vertx;
  private final NodeBridge node;
  private final BiConsumer<String, Outbound> delivered;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  /** Connections written to by fan-outs since the last flush (see {@link #flushLater}). */
  private final List<BridgeConnection> unflushed = new ArrayList<>();

  /** {@code delivered} hears of each event once it has been written to the address's sockets. */
  SubscriptionTable(Vertx vertx, NodeBridge node, BiConsumer<String, Outbound> delivered) {
    this.vertx = vertx;
    this.node = node;
    this.delivered = delivered;
  }

  /**
   * Adds a socket to an address; the first socket creates the address's consumer. Completes once the consumer is
   * registered cluster-wide, so that events published from then on reach the socket.
   */
  Completable add(BridgeConnection connection, String address) {
    Subscription subscription = subscriptions.get(address);
    if (subscription == null) {
      subscription = new Subscription(address);
      subscriptions.put(address, subscription);
      node.clusterSubscriptions.incrementAndGet();
    }
    subscription.connections.add(connection);
    connection.addresses.add(address);
    node.registrations.incrementAndGet();
    return subscription.consumer.rxCompletion();
  }

  /** Takes a socket off an address (if it was on it); the last socket removes the address's consumer. */
  void remove(BridgeConnection connection, String address) {
    if (!connection.addresses.remove(address)) {
      return;
    }
    node.registrations.decrementAndGet();
    Subscription subscription = subscriptions.get(address);
    if (subscription == null) {
      return;
    }
    subscription.connections.remove(connection);
    if (subscription.connections.isEmpty()) {
      subscriptions.remove(address);
      node.clusterSubscriptions.decrementAndGet();
      subscription.consumer.unregister();
      subscription.order.stop();
    }
  }

  /** Takes a socket off every address it is on (it closed). */
  void removeAll(BridgeConnection connection) {
    new ArrayList<>(connection.addresses).forEach(address -> remove(connection, address));
  }

  /**
   * Flushes a connection that a fan-out wrote to, once, in a task of its own on this event loop: after the events
   * already queued there, so that a burst of events costs each socket one system call rather than one per event, and
   * before anything queued later (the flush is not held back by later work).
   */
  private void flushLater(BridgeConnection connection) {
    if (connection.unflushed) {
      return;
    }
    connection.unflushed = true;
    if (unflushed.isEmpty()) {
      vertx.runOnContext(v -> flushAll());
    }
    unflushed.add(connection);
  }

  private void flushAll() {
    for (BridgeConnection connection : unflushed) {
      connection.unflushed = false;
      if (!connection.closed) {
        connection.socket.flush();
      }
    }
    unflushed.clear();
  }

  /** One address: its consumer, its local sockets, and the order its sequenced events go out in. */
  private final class Subscription {
    final String address;
    final Set<BridgeConnection> connections = new HashSet<>();
    final ReorderBuffer order;
    final MessageConsumer<Object> consumer;

    Subscription(String address) {
      this.address = address;
      this.order = new ReorderBuffer(vertx, this::deliver);
      this.consumer = vertx.eventBus().consumer(address, this::arrived);
    }

    private void arrived(Message<Object> message) {
      // A consumer being unregistered can still be handed a message: its sockets are gone.
      if (!connections.isEmpty()) {
        order.accept(Outbound.of(address, message));
      }
    }

    private void deliver(Outbound event) {
      // One frame for all the sockets: each transport's encoding is made on first use, then shared.
      WireFrame frame = new WireFrame(event.frame());
      try {
        for (BridgeConnection connection : connections) {
          if (connection.deliver(address, frame, event.type())) {
            flushLater(connection);
          }
        }
      } finally {
        frame.release();
      }
      if (event.acceptedMillis() > 0) {
        // Once per event and gateway instance, not per socket.
        node.deliveryLatency.record(Math.max(0, System.currentTimeMillis() - event.acceptedMillis()),
            TimeUnit.MILLISECONDS);
      }
      delivered.accept(address, event);
    }
  }
}
