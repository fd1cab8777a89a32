package dev.ocomms.gateway.bridge;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who may listen, and for how long. A REGISTER is allowed on the user's own address and on the chats messaging says
 * the user belongs to at that moment; when a user leaves or is removed from a chat, every socket of theirs on this
 * instance is taken off it right after the {@code member.left} (or {@code chat.removed}) event itself, and a REGISTER
 * whose membership check raced with the removal is undone. Connections that never present a valid token, or keep an
 * expired one, are closed.
 *
 * <p>Used only on its gateway instance's event loop; see {@link BridgeHub}.
 */
final class MembershipGuard {
  static final long AUTH_TIMEOUT_MS = 30_000;
  /** How long a connection may keep its token past the token's expiry (a renewal may be on its way). */
  static final long EXPIRED_TOKEN_GRACE_MS = 60_000;
  private static final long MEMBERSHIP_TIMEOUT_MS = 5_000;
  private static final long SWEEP_INTERVAL_MS = 5_000;
  /** How long a leave is remembered for REGISTERs whose membership check was under way: far beyond that timeout. */
  private static final long LEAVES_KEPT_MS = 60_000;

  private final Vertx vertx;
  private final ConnectionRegistry registry;
  private final SubscriptionTable subscriptions;
  /** "userId chat.<id>" → when this instance saw the user leave that chat. */
  private final Map<String, Long> recentLeaves = new HashMap<>();
  private long sweepTimer = -1;

  MembershipGuard(Vertx vertx, ConnectionRegistry registry, SubscriptionTable subscriptions) {
    this.vertx = vertx;
    this.registry = registry;
    this.subscriptions = subscriptions;
  }

  void start() {
    sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> sweep());
  }

  void stop() {
    vertx.cancelTimer(sweepTimer);
  }

  /** Only {@code user.<own id>}, and {@code chat.<id>} of chats the user belongs to, as messaging says right now. */
  Single<Boolean> permitted(Caller who, String address) {
    if (address.equals(Addresses.user(who.userId()))) {
      return Single.just(true);
    }
    if (address.startsWith(Addresses.CHAT_PREFIX)) {
      return isMember(who, address.substring(Addresses.CHAT_PREFIX.length()));
    }
    return Single.just(false);
  }

  private Single<Boolean> isMember(Caller caller, String chatId) {
    return Requests.<JsonObject>request(vertx, Addresses.CHAT_ACCESS, new JsonObject().put("chatId", chatId),
            caller.deliveryOptions().setSendTimeout(MEMBERSHIP_TIMEOUT_MS))
        .map(reply -> reply.body() != null && reply.body().getBoolean("member", false))
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /**
   * Whether the user left (or was removed from) the chat since {@code sinceMillis}: a REGISTER whose membership
   * check raced with the removal must not stay registered.
   */
  boolean leftSince(String userId, String chatAddress, long sinceMillis) {
    Long at = recentLeaves.get(userId + " " + chatAddress);
    return at != null && at >= sinceMillis;
  }

  /**
   * An event has been written to the sockets of {@code address}. After member.left (on the chat) or chat.removed (on
   * the user), that user's sockets get nothing more from the chat. Two string comparisons per event; the event's body
   * is read only for those two types.
   */
  void delivered(String address, Outbound event) {
    String type = event.type();
    String userId;
    String chatAddress;
    if (EventType.MEMBER_LEFT.wireName().equals(type)) {
      userId = Events.json(event.body()).getString("userId");
      chatAddress = address;
    } else if (EventType.CHAT_REMOVED.wireName().equals(type) && address.startsWith(Addresses.USER_PREFIX)) {
      userId = address.substring(Addresses.USER_PREFIX.length());
      chatAddress = Addresses.chat(Events.json(event.body()).getString("chatId", ""));
    } else {
      return;
    }
    recentLeaves.put(userId + " " + chatAddress, System.currentTimeMillis());
    Set<BridgeConnection> ofUser = registry.ofUser(userId);
    if (ofUser != null) {
      new ArrayList<>(ofUser).forEach(connection -> subscriptions.remove(connection, chatAddress));
    }
  }

  /** Closes connections that never authenticated or kept an expired token; forgets old leaves. */
  private void sweep() {
    long now = System.currentTimeMillis();
    for (BridgeConnection connection : new ArrayList<>(registry.connections())) {
      if (connection.caller == null && now - connection.openedAt > AUTH_TIMEOUT_MS) {
        connection.closeWith(new OcommsException(ErrorCode.UNAUTHORIZED, "no valid token within 30 s"));
      } else if (connection.caller != null && now - connection.tokenExpiresAt() > EXPIRED_TOKEN_GRACE_MS) {
        connection.closeWith(new OcommsException(ErrorCode.UNAUTHORIZED, "access token expired; reconnect"));
      }
    }
    recentLeaves.values().removeIf(at -> now - at > LEAVES_KEPT_MS);
  }
}
