package dev.ocomms.gateway.bridge;

import dev.ocomms.gateway.accounts.AccessTokens;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.EventBus;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The open connections of this gateway instance, by id and by user, from the socket's first frame to its close. It
 * enforces what holds across connections: the per-user connection limit (cluster-wide, in Redis; the oldest beyond
 * it is closed, also on another node, through {@code gateway.socket.close}), session revocation (every connection of
 * a revoked session, on every node, is told and closed), and the idle timeout. It tells presence which connections
 * open, close and are still alive.
 *
 * <p>Used only on its gateway instance's event loop; see {@link BridgeHub}.
 */
final class ConnectionRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionRegistry.class);
  static final long IDLE_TIMEOUT_MS = 60_000;
  static final long CLOSE_GRACE_MS = 5_000;
  private static final long SWEEP_INTERVAL_MS = 5_000;
  private static final long SETTLE_POLL_MS = 20;
  private static final int HEARTBEAT_CHUNK = 1_000;
  private static final String USER_CONNECTIONS_KEY = "ocomms:bridge:connections:";
  // Adds a connection and returns the ids beyond the limit, oldest first: one atomic step, cluster-wide.
  private static final String ADD_CONNECTION =
      "redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) redis.call('EXPIRE', KEYS[1], 86400)"
          + " local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])"
          + " if extra <= 0 then return {} end"
          + " local old = redis.call('ZRANGE', KEYS[1], 0, extra - 1)"
          + " redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1) return old";

  private final Vertx vertx;
  private final AccessTokens tokens;
  private final Redis redis;
  private final NodeBridge node;
  private final SubscriptionTable subscriptions;
  private final long presenceHeartbeatMs;
  private final int maxConnectionsPerUser;
  private final Map<String, BridgeConnection> connections = new HashMap<>();
  private final Map<String, Set<BridgeConnection>> connectionsByUser = new HashMap<>();
  private final List<MessageConsumer<JsonObject>> controlConsumers = new ArrayList<>();
  private long sweepTimer = -1;
  private long heartbeatTimer = -1;
  private boolean stopping;

  ConnectionRegistry(Vertx vertx, AccessTokens tokens, Redis redis, NodeBridge node, SubscriptionTable subscriptions,
                     long presenceHeartbeatMs, int maxConnectionsPerUser) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.redis = redis;
    this.node = node;
    this.subscriptions = subscriptions;
    this.presenceHeartbeatMs = presenceHeartbeatMs;
    this.maxConnectionsPerUser = maxConnectionsPerUser;
  }

  Completable start() {
    controlConsumers.add(bus().consumer(Addresses.SESSION_REVOKED, this::sessionRevoked));
    controlConsumers.add(bus().consumer(Addresses.SOCKET_CLOSE, this::closeRequested));
    sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> closeIdle());
    heartbeatTimer = vertx.setPeriodic(presenceHeartbeatMs, id -> reportLiveConnections());
    return Completable.merge(controlConsumers.stream().map(MessageConsumer::rxCompletion).toList());
  }

  /**
   * Stops intake, lets every send already forwarded be answered and written out (for at most {@code grace}), then
   * closes the connections: a send the node accepted is acknowledged before its connection goes.
   */
  Completable stop(Duration grace) {
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(heartbeatTimer);
    stopping = true;
    connections.values().forEach(BridgeConnection::stopIntake);
    return allSettled(grace)
        .andThen(Completable.fromAction(() ->
            new ArrayList<>(connections.values()).forEach(connection -> connection.socket.close())))
        .andThen(Completable.merge(controlConsumers.stream().map(MessageConsumer::rxUnregister).toList())
            .onErrorComplete());
  }

  private EventBus bus() {
    return vertx.eventBus();
  }

  /** Completes once every connection has settled, or after {@code grace}; checked on this instance's event loop. */
  private Completable allSettled(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    return Completable.create(emitter -> {
      if (connections.values().stream().allMatch(BridgeConnection::settled)) {
        emitter.onComplete();
        return;
      }
      vertx.setPeriodic(SETTLE_POLL_MS, timer -> {
        if (System.nanoTime() >= deadline || connections.values().stream().allMatch(BridgeConnection::settled)) {
          vertx.cancelTimer(timer);
          emitter.onComplete();
        }
      });
    });
  }

  /** A new connection, not yet authenticated. */
  void add(BridgeConnection connection) {
    connections.put(connection.id, connection);
    node.sockets.incrementAndGet();
    if (stopping) {
      connection.stopIntake();
    }
  }

  /** Every open connection (a live view: copy it before closing any). */
  Collection<BridgeConnection> connections() {
    return connections.values();
  }

  /** The open connections of a user on this instance, or null when there are none (a live view). */
  Set<BridgeConnection> ofUser(String userId) {
    return connectionsByUser.get(userId);
  }

  /** The first valid token on a connection: index it by user and enforce the per-user limit cluster-wide. */
  void authenticated(BridgeConnection connection) {
    String userId = connection.caller.userId();
    connectionsByUser.computeIfAbsent(userId, id -> new HashSet<>()).add(connection);
    redis.rxSend(Request.cmd(Command.EVAL).arg(ADD_CONNECTION).arg(1).arg(USER_CONNECTIONS_KEY + userId)
            .arg(connection.openedAt).arg(connection.id).arg(maxConnectionsPerUser))
        .subscribe(reply -> {
          for (Response old : reply) {
            bus().publish(Addresses.SOCKET_CLOSE, new JsonObject().put("connectionId", old.toString()));
          }
        }, failure -> LOG.warn("connection limit not checked: {}", failure.toString()));
    bus().send(Addresses.PRESENCE_SESSION_OPENED, session(connection));
  }

  /**
   * Says why, then closes. The connection stops at once (no more frames handled, no more events delivered), but the
   * socket is closed only once the reason has been written: a SockJS session drops unsent frames when it is closed,
   * and an xhr-polling client receives them only with its next poll. A client that never polls again is closed after
   * {@link #CLOSE_GRACE_MS}.
   */
  void closeWith(BridgeConnection connection, OcommsException reason) {
    if (connection.closed) {
      return;
    }
    WireFrame farewell = new WireFrame(BridgeFrames.err(null, reason));
    Promise<Void> written = Promise.promise();
    connection.socket.write(farewell, true, written::tryComplete);
    farewell.release();
    closed(connection);
    boolean[] once = new boolean[1];
    Runnable close = () -> {
      if (!once[0]) {
        once[0] = true;
        connection.socket.close();
      }
    };
    long timer = vertx.setTimer(CLOSE_GRACE_MS, id -> close.run());
    written.future().onComplete(done -> {
      vertx.cancelTimer(timer);
      close.run();
    });
  }

  /** The connection has ended (or is ending): it leaves every address, the user's count and presence. */
  void closed(BridgeConnection connection) {
    if (connection.closed) {
      return;
    }
    connection.closed = true;
    if (connections.remove(connection.id) != null) {
      node.sockets.decrementAndGet();
    }
    subscriptions.removeAll(connection);
    if (connection.caller != null) {
      String userId = connection.caller.userId();
      Set<BridgeConnection> ofUser = connectionsByUser.get(userId);
      if (ofUser != null && ofUser.remove(connection) && ofUser.isEmpty()) {
        connectionsByUser.remove(userId);
      }
      redis.rxSend(Request.cmd(Command.ZREM).arg(USER_CONNECTIONS_KEY + userId).arg(connection.id))
          .subscribe(reply -> { }, failure -> { });
      bus().send(Addresses.PRESENCE_SESSION_CLOSED, session(connection));
    }
  }

  private void sessionRevoked(Message<JsonObject> message) {
    String sessionId = message.body().getString("sessionId");
    String userId = message.body().getString("userId");
    tokens.rememberRevoked(sessionId);
    var candidates = userId == null ? new ArrayList<>(connections.values())
        : new ArrayList<>(connectionsByUser.getOrDefault(userId, Set.of()));
    for (BridgeConnection connection : candidates) {
      if (connection.caller != null && sessionId.equals(connection.caller.sessionId())) {
        closeWith(connection, new OcommsException(ErrorCode.UNAUTHORIZED, "session revoked"));
      }
    }
  }

  /** A connection beyond its user's limit, found by whichever node opened the newest one. */
  private void closeRequested(Message<JsonObject> message) {
    BridgeConnection connection = connections.get(message.body().getString("connectionId"));
    if (connection != null) {
      closeWith(connection, new OcommsException(ErrorCode.RATE_LIMITED,
          "more than " + maxConnectionsPerUser + " connections: the oldest is closed"));
    }
  }

  /**
   * Closes connections that went silent (clients ping; an xhr session that is gone sends nothing), and those that have
   * stayed over their byte bound for {@link BridgeConnection#BEHIND_GRACE_MS} (they do not read what they are sent).
   */
  private void closeIdle() {
    long now = System.currentTimeMillis();
    for (BridgeConnection connection : new ArrayList<>(connections.values())) {
      if (now - connection.lastActivity > IDLE_TIMEOUT_MS) {
        connection.socket.close();
      } else if (connection.behindSince > 0 && now - connection.behindSince > BridgeConnection.BEHIND_GRACE_MS) {
        connection.closeSlow();
      }
    }
  }

  /** Tells presence which connections are still alive, so that they do not lapse (in chunks). */
  private void reportLiveConnections() {
    JsonArray sessions = new JsonArray();
    for (BridgeConnection connection : connections.values()) {
      if (connection.caller != null && !connection.closed) {
        sessions.add(session(connection));
        if (sessions.size() == HEARTBEAT_CHUNK) {
          bus().send(Addresses.PRESENCE_HEARTBEAT, new JsonObject().put("sessions", sessions.copy()));
          sessions.clear();
        }
      }
    }
    if (!sessions.isEmpty()) {
      bus().send(Addresses.PRESENCE_HEARTBEAT, new JsonObject().put("sessions", sessions));
    }
  }

  private static JsonObject session(BridgeConnection connection) {
    return new JsonObject().put("userId", connection.caller.userId()).put("connectionId", connection.id);
  }
}
