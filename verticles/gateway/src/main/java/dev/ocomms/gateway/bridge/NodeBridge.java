package dev.ocomms.gateway.bridge;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.node.Node;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.shareddata.Shareable;
import io.vertx.rxjava3.core.Vertx;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the gateway instances of one node share: a node runs one gateway per core, each with its own {@link BridgeHub}
 * on its own event loop, but connection rate limits and the bridge's gauges are the node's. Kept in a local shared
 * map (a {@link Shareable} is shared by reference), so every instance of a node finds the same one.
 */
final class NodeBridge implements Shareable {
  private static final String MAP = "ocomms.gateway.bridge";

  final ConnectionGate gate;
  final AtomicInteger sockets = new AtomicInteger();
  final AtomicInteger clusterSubscriptions = new AtomicInteger();
  final AtomicInteger registrations = new AtomicInteger();
  /** Bytes written to this node's bridge connections and not yet taken by their transports. */
  final AtomicLong queuedBytes = new AtomicLong();
  /** Connections closed because they did not take what was written to them. */
  final Counter slowCloses;
  /**
   * From a new message's acceptance (its {@code createdAt}, by messaging's database clock) to its fan-out to this
   * node's sockets: recorded once per gateway instance that has sockets on the chat.
   */
  final Timer deliveryLatency;

  /** The node's one instance is {@link #of}; tests build their own. */
  NodeBridge(OcommsConfig config, MeterRegistry meters) {
    this.gate = new ConnectionGate(config);
    Gauge.builder("ocomms.bridge.sockets", sockets, AtomicInteger::get)
        .description("Open bridge connections on this node").register(meters);
    Gauge.builder("ocomms.bridge.cluster.subscriptions", clusterSubscriptions, AtomicInteger::get)
        .description("Clustered event-bus consumers held by the bridge (one per address and gateway instance with"
            + " local sockets)")
        .register(meters);
    Gauge.builder("ocomms.bridge.registrations", registrations, AtomicInteger::get)
        .description("Socket registrations (socket x address) on this node").register(meters);
    Gauge.builder("ocomms.bridge.queued.bytes", queuedBytes, AtomicLong::get)
        .description("Bytes written to this node's bridge connections and not yet taken by their transports")
        .register(meters);
    this.slowCloses = Counter.builder("ocomms.bridge.slow.closes")
        .description("Bridge connections closed because they stayed over their queue bound (slow_consumer)")
        .register(meters);
    this.deliveryLatency = Timer.builder("ocomms.delivery.latency")
        .description("From a message's acceptance to its fan-out on this node's bridge")
        .publishPercentiles(0.5, 0.95, 0.99)
        .register(meters);
  }

  /** The node's one instance, created by the first gateway instance that asks. */
  static NodeBridge of(Vertx vertx, OcommsConfig config) {
    return vertx.getDelegate().sharedData().<String, NodeBridge>getLocalMap(MAP)
        .computeIfAbsent("node", key -> new NodeBridge(config, Node.meters(vertx)));
  }
}
