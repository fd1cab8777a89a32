package dev.ocomms.presence;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Observable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Who is typing where. A typing state lives in Redis with its expiry ({@link PresenceStore}), because the starts of
 * one user come to any node of the cluster: it ends 5 s after the last start (whichever node's tick finds it first
 * says so), when the user says so, or when the user sends a message in that chat. At most one start per second per
 * user and chat is passed on, cluster-wide; extra ones are dropped silently.
 */
final class Typing {
  static final long EXPIRY_MS = 5_000;
  static final long MIN_START_INTERVAL_MS = 1_000;
  private static final long MEMBERSHIP_CACHE_MS = 5_000;
  private static final long PROFILE_CACHE_MS = 300_000;
  private static final long REQUEST_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  private final PresenceStore store;
  private final Consumer<Throwable> redisDown;
  private final Map<String, Long> memberUntil = new HashMap<>();
  private final Map<String, Cached> names = new HashMap<>();
  /**
   * "chatId userId" → until when this instance heard that user typing there: a sent message ends typing in Redis only
   * where a start was heard, so that messages of users who were not typing (most of them) cost Redis nothing.
   */
  private final Map<String, Long> heardTyping = new HashMap<>();

  private record Cached(String displayName, long until) {
  }

  Typing(Vertx vertx, PresenceStore store, Consumer<Throwable> redisDown) {
    this.vertx = vertx;
    this.store = store;
    this.redisDown = redisDown;
  }

  /** chat.typing {chatId, active}: members only. */
  Single<JsonObject> typing(BusRequest request) {
    Input body = request.body();
    // A missing or ill-typed field first, chatId before active (validation_failed naming it), then the id itself.
    body.string("chatId");
    boolean start = body.optionalBool("active").orElseThrow(() -> Input.invalid("active", "active is required"));
    // A malformed chat id is, like an unknown one, not_found; messaging need not be asked.
    String chatId = body.id("chatId").toString();
    String userId = request.caller().toString();
    return isMember(request, chatId).flatMap(member -> {
      if (!member) {
        return Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such chat"));
      }
      if (!start) {
        return store.stopTyping(chatId, userId)
            .onErrorResumeNext(failure -> Single.error(PresenceVerticle.unavailable(failure)))
            .flatMap(wasTyping -> wasTyping ? announce(chatId, userId, false) : Single.just(true))
            .map(done -> accepted(true));
      }
      heardTyping.put(chatId + " " + userId, System.currentTimeMillis() + EXPIRY_MS);
      return store.startTyping(chatId, userId, EXPIRY_MS, MIN_START_INTERVAL_MS)
          .onErrorResumeNext(failure -> Single.error(PresenceVerticle.unavailable(failure)))
          .flatMap(outcome -> outcome < 0 ? Single.just(accepted(false))
              // Still typing (outcome 0): the indicator is already on; only its expiry moved.
              : outcome == 0 ? Single.just(accepted(true))
              : announce(chatId, userId, true).map(done -> accepted(true)));
    });
  }

  /**
   * Users sent messages in the chat: their typing there ends now. Every presence instance hears it; the ones that
   * heard such a user start typing end it in Redis (one of them announces it), the others do nothing.
   */
  void messagesSent(String chatId, JsonArray userIds) {
    if (chatId == null || userIds == null) {
      return;
    }
    long now = System.currentTimeMillis();
    for (Object user : userIds) {
      if (!(user instanceof String userId)) {
        continue;
      }
      Long heardUntil = heardTyping.remove(chatId + " " + userId);
      if (heardUntil == null || heardUntil < now) {
        continue;
      }
      store.stopTyping(chatId, userId)
          .flatMap(wasTyping -> wasTyping ? announce(chatId, userId, false) : Single.just(true))
          .subscribe(done -> { }, redisDown::accept);
    }
  }

  /** Ends the typing whose last start is over 5 s old: each one is ended by one node. */
  Completable endExpired(int limit) {
    return store.expiredTyping(limit)
        .flatMapObservable(Observable::fromIterable)
        .concatMapSingle(ended -> announce(ended[0], ended[1], false))
        .ignoreElements();
  }

  private static JsonObject accepted(boolean accepted) {
    return new JsonObject().put("accepted", accepted);
  }

  private Single<Boolean> announce(String chatId, String userId, boolean typing) {
    return displayName(userId).map(name -> {
      Events.publish(vertx.eventBus(), new Event.TypingIndicator(chatId, userId, name, typing));
      return true;
    });
  }

  /** Membership as messaging says, remembered for a few seconds (typing starts come every second). */
  private Single<Boolean> isMember(BusRequest request, String chatId) {
    String key = chatId + " " + request.caller();
    long now = System.currentTimeMillis();
    if (memberUntil.getOrDefault(key, 0L) > now) {
      return Single.just(true);
    }
    return Requests.<JsonObject>request(vertx, Addresses.CHAT_ACCESS, new JsonObject().put("chatId", chatId),
            PresenceVerticle.onBehalfOf(request).setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(reply -> reply.body().getBoolean("member", false))
        .doOnSuccess(member -> {
          if (member) {
            memberUntil.put(key, now + MEMBERSHIP_CACHE_MS);
          }
        })
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /** The user's display name from accounts' directory, cached; "" without it (clients fall back to the id). */
  private Single<String> displayName(String userId) {
    Cached cached = names.get(userId);
    if (cached != null && cached.until() > System.currentTimeMillis()) {
      return Single.just(cached.displayName());
    }
    return Requests.<JsonObject>request(vertx, Addresses.USERS_PROFILES,
            new JsonObject().put("userIds", new JsonArray(List.of(userId))),
            new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(reply -> {
          JsonArray users = reply.body().getJsonArray("users", new JsonArray());
          String name = users.isEmpty() ? "" : users.getJsonObject(0).getString("displayName", "");
          names.put(userId, new Cached(name, System.currentTimeMillis() + PROFILE_CACHE_MS));
          return name;
        })
        .onErrorReturnItem("");
  }

  /** Forgets old membership and profile entries. */
  void forgetOld() {
    long now = System.currentTimeMillis();
    memberUntil.values().removeIf(until -> until < now);
    names.values().removeIf(cached -> cached.until() < now);
    heardTyping.values().removeIf(until -> until < now);
  }
}
