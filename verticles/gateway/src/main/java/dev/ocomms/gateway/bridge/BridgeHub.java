package dev.ocomms.gateway.bridge;

import dev.ocomms.gateway.accounts.AccessTokens;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The node-local side of the bridge. For each address that has sockets on this node it holds exactly one clustered
 * event-bus consumer, reference-counted by the sockets registered on it; each event arriving there is serialized
 * once and written to every local socket. It also enforces what must hold across sockets: membership (a socket stops
 * receiving a chat the moment its user leaves it), session revocation, and the per-user connection limit.
 *
 * <p>A node runs one gateway instance per core, each with its own hub: every method of a hub runs on its instance's
 * event loop (its sockets, consumers and timers all belong to it), so the maps need no locking, and an address with
 * sockets on two instances has one clustered consumer in each. What the instances share is in {@link NodeBridge}.
 */
final class BridgeHub {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeHub.class);
  static final long IDLE_TIMEOUT_MS = 60_000;
  static final long AUTH_TIMEOUT_MS = 30_000;
  static final long CLOSE_GRACE_MS = 5_000;
  private static final long MEMBERSHIP_TIMEOUT_MS = 5_000;
  /** How long a chat's event waits for the events numbered before it (see {@link #fanOut}). */
  static final long REORDER_HOLD_MS = 500;
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
  private final int maxConnectionsPerUser;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private final Map<String, BridgeConnection> connections = new HashMap<>();
  private final Map<String, Set<BridgeConnection>> connectionsByUser = new HashMap<>();
  private final List<MessageConsumer<JsonObject>> controlConsumers = new ArrayList<>();
  private long sweepTimer;
  private long heartbeatTimer;
  private final long presenceHeartbeatMs;
  /** Connections written to by fan-outs since the last flush (see {@link #flushLater}). */
  private final List<BridgeConnection> unflushed = new ArrayList<>();
  /** "userId chat.<id>" → when this node saw the user leave that chat; kept a minute, for racing REGISTERs. */
  private final Map<String, Long> recentLeaves = new HashMap<>();

  /**
   * One clustered consumer and the local connections registered on its address; for a chat, the seq expected next and
   * the later-numbered events that arrived before it.
   */
  private static final class Subscription {
    final Set<BridgeConnection> connections = new HashSet<>();
    MessageConsumer<Object> consumer;
    long nextSeq = -1;
    final TreeMap<Long, Outbound> held = new TreeMap<>();
    long holdTimer = -1;
  }

  BridgeHub(Vertx vertx, AccessTokens tokens, Redis redis, NodeBridge node, long presenceHeartbeatMs,
            int maxConnectionsPerUser) {
    this.maxConnectionsPerUser = maxConnectionsPerUser;
    this.vertx = vertx;
    this.tokens = tokens;
    this.redis = redis;
    this.node = node;
    this.presenceHeartbeatMs = presenceHeartbeatMs;
  }

  Completable start() {
    controlConsumers.add(bus().consumer(Addresses.SESSION_REVOKED, this::sessionRevoked));
    controlConsumers.add(bus().consumer(Addresses.SOCKET_CLOSE, this::closeRequested));
    sweepTimer = vertx.setPeriodic(5_000, id -> sweep());
    heartbeatTimer = vertx.setPeriodic(presenceHeartbeatMs, id -> reportLiveConnections());
    return Completable.merge(controlConsumers.stream().map(MessageConsumer::rxCompletion).toList());
  }

  Completable stop() {
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(heartbeatTimer);
    new ArrayList<>(connections.values()).forEach(connection -> connection.socket.close());
    return Completable.merge(controlConsumers.stream().map(MessageConsumer::rxUnregister).toList())
        .onErrorComplete();
  }

  EventBus bus() {
    return vertx.eventBus();
  }

  /** A browser's request, forwarded to the owning verticle (see {@link Requests}). */
  Single<Message<Object>> request(String address, JsonObject body, io.vertx.core.eventbus.DeliveryOptions options) {
    return Requests.request(vertx, address, body, options);
  }

  /** A new socket: it must authenticate with its first frame. */
  void accept(BridgeSocket socket) {
    BridgeConnection connection = new BridgeConnection(this, tokens, socket);
    connections.put(connection.id, connection);
    node.sockets.incrementAndGet();
    socket.handlers(connection::onData, v -> closed(connection));
    if (!ConnectionGate.isUpgrade(socket.uri()) && !node.gate.admit(connection.remoteHost)) {
      closeWith(connection, ConnectionGate.tooMany());
    }
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

  /** Tells presence which connections are still alive, so that they do not lapse (in chunks of 1,000). */
  private void reportLiveConnections() {
    JsonArray sessions = new JsonArray();
    for (BridgeConnection connection : connections.values()) {
      if (connection.caller != null && !connection.closed) {
        sessions.add(session(connection));
        if (sessions.size() == 1000) {
          bus().send(Addresses.PRESENCE_HEARTBEAT, new JsonObject().put("sessions", sessions.copy()));
          sessions.clear();
        }
      }
    }
    if (!sessions.isEmpty()) {
      bus().send(Addresses.PRESENCE_HEARTBEAT, new JsonObject().put("sessions", sessions));
    }
    long now = System.currentTimeMillis();
    recentLeaves.values().removeIf(at -> now - at > 60_000);
  }

  private static JsonObject session(BridgeConnection connection) {
    return new JsonObject().put("userId", connection.caller.userId()).put("connectionId", connection.id);
  }

  Single<Boolean> isMember(Caller caller, String chatId) {
    return Requests.<JsonObject>request(vertx, Addresses.CHAT_ACCESS, new JsonObject().put("chatId", chatId),
            caller.deliveryOptions().setSendTimeout(MEMBERSHIP_TIMEOUT_MS))
        .map(reply -> reply.body() != null && reply.body().getBoolean("member", false))
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /** Adds a socket to an address; the first socket creates the node's one clustered consumer for it. */
  Completable register(BridgeConnection connection, String address) {
    Subscription subscription = subscriptions.get(address);
    if (subscription == null) {
      subscription = new Subscription();
      subscription.consumer = bus().consumer(address, message -> fanOut(address, message));
      subscriptions.put(address, subscription);
      node.clusterSubscriptions.incrementAndGet();
    }
    subscription.connections.add(connection);
    connection.addresses.add(address);
    node.registrations.incrementAndGet();
    return subscription.consumer.rxCompletion();
  }

  void unregister(BridgeConnection connection, String address) {
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
      vertx.cancelTimer(subscription.holdTimer);
    }
  }

  /**
   * A chat's numbered events reach the sockets in seq order. Messaging publishes each event after its commit, from
   * whichever node handled the change, so two events committed one after the other can cross the cluster in the
   * opposite order; an event that comes early waits here (at most {@link #REORDER_HOLD_MS}) for the ones before it.
   * After that wait it goes out anyway: the client sees a gap and calls chat.sync, as after any gap.
   */
  private void fanOut(String address, Message<Object> message) {
    Subscription subscription = subscriptions.get(address);
    if (subscription == null || subscription.connections.isEmpty()) {
      return;
    }
    Outbound event = Outbound.of(address, message);
    long seq = event.seq();
    if (seq < 0) {
      deliver(subscription, address, event);
      return;
    }
    if (subscription.nextSeq < 0 || seq <= subscription.nextSeq) {
      // The first this node sees, the one expected, or one that comes too late to wait for.
      subscription.nextSeq = Math.max(subscription.nextSeq, seq + 1);
      deliver(subscription, address, event);
      releaseHeld(subscription, address, false);
      return;
    }
    subscription.held.put(seq, event);
    if (subscription.holdTimer < 0) {
      subscription.holdTimer = vertx.setTimer(REORDER_HOLD_MS, id -> {
        subscription.holdTimer = -1;
        releaseHeld(subscription, address, true);
      });
    }
  }

  /** Delivers the held events that are next in seq order; all of them, in order, once their wait is over. */
  private void releaseHeld(Subscription subscription, String address, boolean waitOver) {
    while (!subscription.held.isEmpty() && !subscription.connections.isEmpty()
        && (waitOver || subscription.held.firstKey() <= subscription.nextSeq)) {
      var next = subscription.held.pollFirstEntry();
      subscription.nextSeq = Math.max(subscription.nextSeq, next.getKey() + 1);
      deliver(subscription, address, next.getValue());
    }
    if (subscription.held.isEmpty() && subscription.holdTimer >= 0) {
      vertx.cancelTimer(subscription.holdTimer);
      subscription.holdTimer = -1;
    }
  }

  private void deliver(Subscription subscription, String address, Outbound event) {
    // One frame for all the sockets: each transport's encoding is made on first use, then shared.
    WireFrame frame = new WireFrame(event.frame());
    try {
      for (BridgeConnection connection : subscription.connections) {
        connection.deliver(address, frame, event.type());
      }
    } finally {
      frame.release();
    }
    if (EventType.MEMBER_LEFT.wireName().equals(event.type())
        || EventType.CHAT_REMOVED.wireName().equals(event.type())) {
      stopDeliveryAfterLeaving(address, Events.json(event.body()));
    }
  }

  /**
   * Flushes a connection that a fan-out wrote to, once, in a task of its own on this event loop: after the events
   * already queued there, so that a burst of events costs each socket one system call rather than one per event, and
   * before anything queued later (the flush is not held back by later work).
   */
  void flushLater(BridgeConnection connection) {
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

  /** After member.left (on the chat) or chat.removed (on the user), that user's sockets get nothing more from the chat. */
  private void stopDeliveryAfterLeaving(String address, JsonObject event) {
    String type = event.getString("type");
    String userId;
    String chatAddress;
    if (EventType.MEMBER_LEFT.wireName().equals(type)) {
      userId = event.getString("userId");
      chatAddress = address;
    } else if (EventType.CHAT_REMOVED.wireName().equals(type) && address.startsWith(Addresses.USER_PREFIX)) {
      userId = address.substring(Addresses.USER_PREFIX.length());
      chatAddress = Addresses.chat(event.getString("chatId", ""));
    } else {
      return;
    }
    recentLeaves.put(userId + " " + chatAddress, System.currentTimeMillis());
    Set<BridgeConnection> ofUser = connectionsByUser.get(userId);
    if (ofUser != null) {
      new ArrayList<>(ofUser).forEach(connection -> unregister(connection, chatAddress));
    }
  }

  /**
   * Whether the user left (or was removed from) the chat since {@code sinceMillis}: a REGISTER whose membership
   * check raced with the removal must not stay registered.
   */
  boolean leftSince(String userId, String chatAddress, long sinceMillis) {
    Long at = recentLeaves.get(userId + " " + chatAddress);
    return at != null && at >= sinceMillis;
  }

  private void sessionRevoked(Message<JsonObject> message) {
    String sessionId = message.body().getString("sessionId");
    String userId = message.body().getString("userId");
    tokens.rememberRevoked(sessionId);
    var candidates = userId == null ? new ArrayList<>(connections.values())
        : new ArrayList<>(connectionsByUser.getOrDefault(userId, Set.of()));
    for (BridgeConnection connection : candidates) {
      if (connection.caller != null && sessionId.equals(connection.caller.sessionId())) {
        connection.closeWith(new OcommsException(ErrorCode.UNAUTHORIZED, "session revoked"));
      }
    }
  }

  private void closeRequested(Message<JsonObject> message) {
    BridgeConnection connection = connections.get(message.body().getString("connectionId"));
    if (connection != null) {
      connection.closeWith(new OcommsException(ErrorCode.RATE_LIMITED,
          "more than " + maxConnectionsPerUser + " connections: the oldest is closed"));
    }
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

  private void closed(BridgeConnection connection) {
    if (connection.closed) {
      return;
    }
    connection.closed = true;
    if (connections.remove(connection.id) != null) {
      node.sockets.decrementAndGet();
    }
    new ArrayList<>(connection.addresses).forEach(address -> unregister(connection, address));
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

  /** Closes connections that never authenticated, went silent, or kept an expired token past a minute. */
  private void sweep() {
    long now = System.currentTimeMillis();
    for (BridgeConnection connection : new ArrayList<>(connections.values())) {
      if (connection.caller == null && now - connection.openedAt > AUTH_TIMEOUT_MS) {
        connection.closeWith(new OcommsException(ErrorCode.UNAUTHORIZED, "no valid token within 30 s"));
      } else if (now - connection.lastActivity > IDLE_TIMEOUT_MS) {
        connection.socket.close();
      } else if (connection.caller != null && now - connection.tokenExpiresAt() > 60_000) {
        connection.closeWith(new OcommsException(ErrorCode.UNAUTHORIZED, "access token expired; reconnect"));
      }
    }
  }
}
