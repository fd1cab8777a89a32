package dev.ocomms.gateway.bridge;

import dev.ocomms.gateway.accounts.AccessTokens;
import dev.ocomms.gateway.accounts.BotLimits;
import dev.ocomms.shared.bus.Requests;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.EventBus;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.redis.client.Redis;

import java.time.Duration;

/**
 * The bridge of one gateway instance, wired together: the {@link ConnectionRegistry} (open connections, by user), the
 * {@link SubscriptionTable} (one clustered consumer per address with local sockets, and the fan-out to them, each
 * address's sequenced events put in order by its {@link ReorderBuffer}) and the {@link MembershipGuard} (who may
 * listen, and for how long). Each {@link BridgeConnection} handles its own frames and reaches the three through here.
 *
 * <p>A node runs one gateway instance per core, each with its own hub: every method of a hub and of its pieces runs
 * on its instance's event loop (its sockets, consumers and timers all belong to it), so their maps need no locking,
 * and an address with sockets on two instances has one clustered consumer in each. What the instances share is in
 * {@link NodeBridge}.
 */
final class BridgeHub {
  final ConnectionRegistry registry;
  final SubscriptionTable subscriptions;
  final MembershipGuard guard;
  final NodeBridge node;
  /** Bytes that may wait for one connection before it is behind (see {@link BridgeConnection}). */
  final long connectionQueueBytes;
  private final Vertx vertx;
  private final AccessTokens tokens;
  /** Bots' requests count against their own allowance (null in tests that run no Redis: nothing is counted). */
  BotLimits botLimits;

  BridgeHub(Vertx vertx, AccessTokens tokens, Redis redis, NodeBridge node, long presenceHeartbeatMs,
            int maxConnectionsPerUser, long connectionQueueBytes) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.node = node;
    this.connectionQueueBytes = connectionQueueBytes;
    this.subscriptions = new SubscriptionTable(vertx, node, this::delivered);
    this.registry = new ConnectionRegistry(vertx, tokens, redis, node, subscriptions, presenceHeartbeatMs,
        maxConnectionsPerUser);
    this.guard = new MembershipGuard(vertx, registry, subscriptions);
  }

  Completable start() {
    guard.start();
    return registry.start();
  }

  /** Stops intake and closes the connections once their forwarded sends are answered (at most {@code grace}). */
  Completable stop(Duration grace) {
    guard.stop();
    return registry.stop(grace);
  }

  /** A new socket: it must authenticate with its first frame. */
  void accept(BridgeSocket socket) {
    BridgeConnection connection = new BridgeConnection(this, tokens, socket);
    registry.add(connection);
    socket.handlers(connection::onData, v -> registry.closed(connection));
    // WebSocket upgrades were admitted by the gate before the upgrade; an xhr session is admitted as it starts.
    if (!ConnectionGate.isUpgrade(socket.uri()) && !node.gate.admit(socket)) {
      registry.closeWith(connection, ConnectionGate.tooMany());
    }
  }

  EventBus bus() {
    return vertx.eventBus();
  }

  /** Runs {@code action} on this instance's event loop after the current task (never inside a fan-out). */
  void later(Runnable action) {
    vertx.runOnContext(v -> action.run());
  }

  /** A browser's request, forwarded to the owning verticle (see {@link Requests}). */
  Single<Message<Object>> request(String address, JsonObject body, DeliveryOptions options) {
    return Requests.request(vertx, address, body, options);
  }

  private void delivered(String address, Outbound event) {
    guard.delivered(address, event);
  }
}
