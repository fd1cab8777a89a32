package dev.ocomms.gateway.bridge;

import dev.ocomms.gateway.accounts.AccessTokens;
import dev.ocomms.shared.Ids;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.ClientRequests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.errors.Reason;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.limits.RateLimiter;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * One browser's bridge connection. Frames are handled one at a time, in arrival order (authentication and membership
 * checks are asynchronous; later frames wait). All state is touched only on the gateway's event loop.
 *
 * <p>What it may hold is bounded both ways. Inbound: at most {@link #MAX_QUEUED_FRAMES} frames and
 * {@link #MAX_WAITING_FRAME_BYTES} bytes wait to be handled (a frame beyond is refused {@code too_many_frames} where
 * the client waits for its answer, to be sent again), and every {@code send} holds one of
 * {@link #MAX_PENDING_REQUESTS} slots until its service answers, whether or not the client asked for the reply.
 * Outbound: every frame written to the socket (replies, errors, events) counts, in bytes, until the transport has
 * taken it. Over {@link BridgeHub#connectionQueueBytes} the connection is behind: events for it are dropped for a
 * {@code sync.required} and its frames wait; a connection behind for {@link #BEHIND_GRACE_MS}, or holding
 * {@link #HARD_BOUND_FACTOR} times the bound, is closed with {@code slow_consumer}, so that a client that stops
 * reading costs the server at most that much, however much it asks for.
 */
final class BridgeConnection {
  static final int MAX_FRAME_BYTES = 64 * 1024;
  static final int HIGH_WATER_FRAMES = 1_000;
  static final int LOW_WATER_FRAMES = 100;
  static final int MAX_QUEUED_FRAMES = 200;
  static final int MAX_WAITING_FRAME_BYTES = 1024 * 1024;
  static final int HARD_BOUND_FACTOR = 16;
  static final long BEHIND_GRACE_MS = 10_000;
  static final int MAX_PENDING_REQUESTS = 100;
  static final int MAX_REGISTRATIONS = 500;
  private static final int MAX_ADDRESS_LENGTH = 200;
  /**
   * When a frame refused for a full queue may come again: soon, as the queue empties as fast as its frames are
   * handled; a client refused again backs off further.
   */
  private static final long REFUSED_FRAME_RETRY_MS = 200;

  final String id = Ids.next().toString();
  final BridgeSocket socket;
  final long openedAt = System.currentTimeMillis();
  final Set<String> addresses = new HashSet<>();
  long lastActivity = openedAt;
  Caller caller;
  /** Whether the caller is a bot (its sends count against the bot's own limits). */
  boolean bot;
  /** What the connection's token proved, last time it was checked. */
  private AccessTokens.Verified verified;
  boolean closed;

  private final BridgeHub hub;
  private final AccessTokens tokens;
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  /** Bytes of the frames in {@link #queue}, as they arrived. */
  private int waitingBytes;
  private String token;
  private long tokenExpiresAt;
  private boolean busy;
  private boolean draining;
  private int pendingRequests;
  /** Frames handed to the socket and not yet written out: the connection's outbound queue. */
  private int inFlight;
  /** The bytes of those frames. */
  private long queuedBytes;
  /** When the connection went over its byte bound, or 0 while it is under it. */
  long behindSince;
  /** Being closed for not reading: nothing more is written or delivered to it. */
  private boolean closing;
  /** The node is stopping: sends not yet forwarded are refused as unavailable; those forwarded get their answers. */
  private boolean stopping;
  /** Addresses whose events this connection is missing until it syncs (its queue overflowed). */
  private final Set<String> outOfSync = new HashSet<>();
  /** Whether a fan-out wrote to the socket without flushing it (see {@link SubscriptionTable}). */
  boolean unflushed;

  BridgeConnection(BridgeHub hub, AccessTokens tokens, BridgeSocket socket) {
    this.hub = hub;
    this.tokens = tokens;
    this.socket = socket;
  }

  /**
   * When the connection's token expires (it is closed a minute after unless renewed). A bot's token does not expire:
   * its connection stays until the bot is deleted or its token rotated (then it is closed on the revocation), and
   * what is cached of its token is checked again as the connection uses it.
   */
  long tokenExpiresAt() {
    return bot ? Long.MAX_VALUE : tokenExpiresAt;
  }

  void onData(Buffer data) {
    lastActivity = System.currentTimeMillis();
    if (data.length() > MAX_FRAME_BYTES) {
      write(BridgeFrames.err(null, new OcommsException(ErrorCode.PAYLOAD_TOO_LARGE,
          "frames are limited to " + MAX_FRAME_BYTES + " bytes")));
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(data.toString());
    } catch (DecodeException | ClassCastException e) {
      write(BridgeFrames.err(null, new OcommsException(ErrorCode.MALFORMED_JSON, "a frame must be a JSON object")));
      return;
    }
    if (queue.size() >= MAX_QUEUED_FRAMES || waitingBytes + data.length() > MAX_WAITING_FRAME_BYTES) {
      write(BridgeFrames.err(answerAddress(frame), new OcommsException(Reason.TOO_MANY_FRAMES,
          "too many frames at once; send this one again", RateLimiter.retryAfter(REFUSED_FRAME_RETRY_MS))));
      return;
    }
    queue.add(new Waiting(frame, data.length()));
    waitingBytes += data.length();
    drain();
  }

  /** Handles the waiting frames in order; none while the client is behind (their answers would only pile up). */
  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (!busy && !queue.isEmpty() && !closed && !behind()) {
        busy = true;
        Waiting next = queue.poll();
        waitingBytes -= next.bytes();
        handle(next.frame()).subscribe(this::frameDone, failure -> frameDone());
      }
    } finally {
      draining = false;
    }
  }

  private void frameDone() {
    busy = false;
    drain();
  }

  private Completable handle(JsonObject frame) {
    String type = text(frame, "type");
    if (type == null) {
      return fail(null, new OcommsException(ErrorCode.VALIDATION_FAILED, "missing_type"));
    }
    return switch (type) {
      case "ping" -> renewToken(frame);
      case "send" -> send(frame);
      case "register" -> register(frame);
      case "unregister" -> unregister(frame);
      case "publish" -> fail(text(frame, "address"), new OcommsException(ErrorCode.FORBIDDEN,
          "browsers may not publish; use send"));
      default -> fail(null, new OcommsException(ErrorCode.VALIDATION_FAILED, "invalid_type"));
    };
  }

  /** A ping carrying a token renews the connection's credentials; a bare ping only keeps it alive. */
  private Completable renewToken(JsonObject frame) {
    if (authorization(frame) == null) {
      return Completable.complete();
    }
    return authenticate(frame).ignoreElement().onErrorResumeNext(e -> fail(null, e));
  }

  /**
   * The node is stopping: from now on a send is answered {@code unavailable} (with {@code retryAfter}: the client
   * reconnects to another node and sends again) rather than forwarded; the sends already forwarded still get their
   * answers ({@link #settled()}).
   */
  void stopIntake() {
    stopping = true;
  }

  /** No forwarded send is waiting for its answer, and everything written has been taken by the transport. */
  boolean settled() {
    return pendingRequests == 0 && inFlight == 0;
  }

  private Completable send(JsonObject frame) {
    String address = text(frame, "address");
    String replyAddress = text(frame, "replyAddress");
    if (stopping) {
      return fail(replyAddress, new OcommsException(ErrorCode.UNAVAILABLE, "this server is stopping; reconnect",
          new JsonObject().put("retryAfter", 1)));
    }
    if (address == null) {
      return fail(replyAddress, new OcommsException(ErrorCode.VALIDATION_FAILED, "missing_address"));
    }
    if (!Addresses.BRIDGE_REQUESTS.contains(address)) {
      return fail(replyAddress, new OcommsException(ErrorCode.FORBIDDEN, "sending to this address is not permitted"));
    }
    Object body = frame.getValue("body");
    if (body != null && !(body instanceof JsonObject)) {
      return fail(replyAddress, new OcommsException(ErrorCode.VALIDATION_FAILED, "body must be a JSON object"));
    }
    JsonObject request = body == null ? new JsonObject() : (JsonObject) body;
    // A bot's sends count against its own allowance too (docs/protocol.md, "Rate limits": bot.requests).
    return authenticate(frame).flatMap(this::withinBotLimits).flatMapCompletable(who -> {
      if (pendingRequests >= MAX_PENDING_REQUESTS) {
        return fail(replyAddress, new OcommsException(ErrorCode.RATE_LIMITED, "too many requests in flight"));
      }
      var options = who.deliveryOptions().setSendTimeout(ClientRequests.timeoutMs(address));
      // A send without a replyAddress is a request too, whose answer nobody reads: it holds its slot until the
      // service has answered (or timed out), so that fire-and-forget sends cannot outrun the limit.
      pendingRequests++;
      hub.request(address, request, options)
          .doFinally(() -> pendingRequests--)
          .subscribe(reply -> {
            if (replyAddress != null) {
              write(BridgeFrames.rec(replyAddress, reply.body()));
            }
          }, failure -> {
            if (replyAddress != null) {
              write(BridgeFrames.err(replyAddress, ClientRequests.failure(address, failure)));
            }
          });
      return Completable.complete();
    }).onErrorResumeNext(e -> fail(replyAddress, e));
  }

  /** The caller, once a bot's request has been counted against its allowance ({@code rate_limited} beyond it). */
  private Single<Caller> withinBotLimits(Caller who) {
    return bot && hub.botLimits != null ? hub.botLimits.take(verified).toSingleDefault(who) : Single.just(who);
  }

  private Completable register(JsonObject frame) {
    String address = text(frame, "address");
    String replyAddress = text(frame, "replyAddress");
    if (address == null || address.length() > MAX_ADDRESS_LENGTH) {
      return fail(replyAddress, new OcommsException(ErrorCode.VALIDATION_FAILED, "missing or overlong address"));
    }
    if (addresses.contains(address)) {
      return acknowledge(replyAddress, address);
    }
    if (addresses.size() >= MAX_REGISTRATIONS) {
      return fail(address, new OcommsException(ErrorCode.RATE_LIMITED, "too many registrations on one connection"));
    }
    long checkStarted = System.currentTimeMillis();
    return authenticate(frame)
        .flatMap(who -> hub.guard.permitted(who, address))
        .flatMapCompletable(allowed -> {
          if (!allowed) {
            return fail(address, new OcommsException(ErrorCode.FORBIDDEN, "not permitted to listen on " + address));
          }
          if (closed) {
            return Completable.complete();
          }
          return hub.subscriptions.add(this, address).andThen(Completable.defer(() -> {
            // The user may have left the chat while membership was being checked.
            if (hub.guard.leftSince(caller.userId(), address, checkStarted)) {
              hub.subscriptions.remove(this, address);
              return fail(address, new OcommsException(ErrorCode.FORBIDDEN, "not a member of this chat any more"));
            }
            return acknowledge(replyAddress, address);
          }));
        })
        .onErrorResumeNext(e -> fail(address, e));
  }

  private Completable unregister(JsonObject frame) {
    String address = text(frame, "address");
    if (address != null) {
      hub.subscriptions.remove(this, address);
    }
    return Completable.complete();
  }

  /** The caller named by this frame's token; cached while the same token is presented and valid. */
  private Single<Caller> authenticate(JsonObject frame) {
    String header = authorization(frame);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Single.error(new OcommsException(ErrorCode.UNAUTHORIZED,
          "every frame needs headers.Authorization = 'Bearer <accessToken>'"));
    }
    String presented = header.substring(7).trim();
    if (presented.equals(token) && System.currentTimeMillis() < tokenExpiresAt) {
      return Single.just(caller);
    }
    return tokens.verify(presented).flatMap(verified -> {
      Caller who = verified.caller();
      if (caller != null && !caller.userId().equals(who.userId())) {
        return Single.error(new OcommsException(ErrorCode.UNAUTHORIZED, "this connection belongs to another user"));
      }
      boolean first = caller == null;
      caller = who;
      this.verified = verified;
      bot = verified.bot();
      token = presented;
      tokenExpiresAt = verified.expiresAtMillis();
      if (first) {
        hub.registry.authenticated(this);
      }
      return Single.just(who);
    });
  }

  private Completable acknowledge(String replyAddress, String address) {
    if (replyAddress != null) {
      write(BridgeFrames.rec(replyAddress, new JsonObject().put("registered", address)));
    }
    return Completable.complete();
  }

  private Completable fail(String address, Throwable failure) {
    write(BridgeFrames.err(address, BusErrors.fromFailure(failure)));
    return Completable.complete();
  }

  /** One frame of this connection's own (a reply, an error, a notice), written and flushed at once. */
  void write(String frame) {
    if (!closed && !closing) {
      WireFrame wire = new WireFrame(frame);
      write(wire, true);
      wire.release();
    }
  }

  private void write(WireFrame frame, boolean flush) {
    int bytes = frame.bytes();
    inFlight++;
    queuedBytes += bytes;
    hub.node.queuedBytes.addAndGet(bytes);
    socket.write(frame, flush, () -> writeDone(bytes));
    if (behind() && behindSince == 0) {
      behindSince = System.currentTimeMillis();
    }
    if (queuedBytes > hub.connectionQueueBytes * HARD_BOUND_FACTOR) {
      closeSlow();
    }
  }

  /** Whether more bytes wait for the transport than the bound allows. */
  private boolean behind() {
    return queuedBytes > hub.connectionQueueBytes;
  }

  /**
   * An event for this connection. While the client is slow (too many frames not yet written out), typing and
   * presence are dropped first; an event it must not miss is replaced by one {@code sync.required} for its address,
   * and that address's events are held back until the backlog clears: the client then calls chat.sync (and a gap in
   * seq tells it the same). Nothing is dropped silently. The frame is shared with every other socket of the fan-out;
   * it is written without a flush, and the answer says so: the fan-out flushes the socket once it is over (see
   * {@link SubscriptionTable}).
   *
   * @return whether the frame was written and waits for a flush
   */
  boolean deliver(String address, WireFrame frame, String type) {
    if (closed || closing) {
      return false;
    }
    if (outOfSync.contains(address)) {
      return false;
    }
    if (inFlight >= HIGH_WATER_FRAMES || behind()) {
      if (EventType.TYPING_INDICATOR.wireName().equals(type) || EventType.PRESENCE_CHANGED.wireName().equals(type)) {
        return false;
      }
      outOfSync.add(address);
      String chatId = address.startsWith(Addresses.CHAT_PREFIX)
          ? address.substring(Addresses.CHAT_PREFIX.length()) : null;
      write(BridgeFrames.rec(address, new Event.SyncRequired(chatId).toJson()));
      return false;
    }
    write(frame, false);
    return true;
  }

  /** The transport has taken a frame (or dropped it, closing). */
  private void writeDone(int bytes) {
    inFlight--;
    queuedBytes -= bytes;
    hub.node.queuedBytes.addAndGet(-bytes);
    if (!behind()) {
      behindSince = 0;
      if (!queue.isEmpty()) {
        drain();
      }
    }
    if (inFlight <= LOW_WATER_FRAMES && queuedBytes <= hub.connectionQueueBytes / 4 && !outOfSync.isEmpty()) {
      outOfSync.clear();
    }
  }

  /** Says why, then closes (see {@link ConnectionRegistry#closeWith}). */
  void closeWith(OcommsException reason) {
    hub.registry.closeWith(this, reason);
  }

  /**
   * Closes a connection that does not take what is written to it (see the class comment): from now on nothing more
   * is queued for it, and it is told why behind what it already holds. The close itself runs as a task of its own,
   * as this may be called in the middle of a fan-out over the sockets of an address.
   */
  void closeSlow() {
    if (closed || closing) {
      return;
    }
    closing = true;
    hub.node.slowCloses.increment();
    hub.later(() -> closeWith(new OcommsException(Reason.SLOW_CONSUMER, "this connection did not take what was sent"
        + " to it (over " + hub.connectionQueueBytes + " bytes waiting); reconnect, then sync")));
  }

  /**
   * Where the client waits for the answer to a frame, so where a refusal of the whole frame goes (as its handler
   * answers its failures): a send's replyAddress, the address of a register (or of a publish); other frames have none.
   */
  private static String answerAddress(JsonObject frame) {
    String type = text(frame, "type");
    if (type == null) {
      return null;
    }
    return switch (type) {
      case "send" -> text(frame, "replyAddress");
      case "register", "publish" -> text(frame, "address");
      default -> null;
    };
  }

  private static String authorization(JsonObject frame) {
    Object headers = frame.getValue("headers");
    if (!(headers instanceof JsonObject map)) {
      return null;
    }
    Object value = map.getValue("Authorization");
    if (value == null) {
      value = map.getValue("authorization");
    }
    return value instanceof String s ? s : null;
  }

  private static String text(JsonObject frame, String field) {
    return frame.getValue(field) instanceof String s && !s.isEmpty() ? s : null;
  }

  /** A frame waiting to be handled, and its size as it arrived. */
  private record Waiting(JsonObject frame, int bytes) {
  }
}
