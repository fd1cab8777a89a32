package dev.ocomms.presence;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.Events;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is typing where. Never stored: a typing state lives in a timer on the node that heard it. It ends 5 s after the
 * last start, when the user says so, or when the user sends a message in that chat. At most one start per second per
 * user and chat is passed on; extra ones are dropped silently.
 */
final class Typing {
  static final long EXPIRY_MS = 5_000;
  static final long MIN_START_INTERVAL_MS = 1_000;
  private static final long MEMBERSHIP_CACHE_MS = 5_000;
  private static final long PROFILE_CACHE_MS = 300_000;
  private static final long REQUEST_TIMEOUT_MS = 3_000;

  private final Vertx vertx;
  /** chatId/userId → the timer that ends the typing state. */
  private final Map<String, Long> active = new HashMap<>();
  private final Map<String, Long> lastStart = new HashMap<>();
  private final Map<String, Long> memberUntil = new HashMap<>();
  private final Map<String, Cached> names = new HashMap<>();

  private record Cached(String displayName, long until) {
  }

  Typing(Vertx vertx) {
    this.vertx = vertx;
  }

  /** chat.typing {chatId, active}: members only. */
  Single<JsonObject> typing(Caller caller, JsonObject body) {
    if (!(body.getValue("chatId") instanceof String chatId) || !(body.getValue("active") instanceof Boolean start)) {
      return Single.error(new OcommsException(ErrorCode.VALIDATION_FAILED, "chatId (string) and active (boolean) are required",
          new JsonObject().put("field", body.getValue("chatId") instanceof String ? "active" : "chatId")));
    }
    String key = chatId + "/" + caller.userId();
    long now = System.currentTimeMillis();
    if (start && now - lastStart.getOrDefault(key, 0L) < MIN_START_INTERVAL_MS) {
      return Single.just(new JsonObject().put("accepted", false));
    }
    return isMember(caller, chatId).flatMap(member -> {
      if (!member) {
        return Single.error(new OcommsException(ErrorCode.NOT_FOUND, "no such chat"));
      }
      if (start) {
        lastStart.put(key, now);
        boolean wasActive = active.containsKey(key);
        restartExpiry(key, chatId, caller.userId());
        if (wasActive) {
          // Still typing: the indicator is already on; only its expiry moved.
          return Single.just(new JsonObject().put("accepted", true));
        }
        return displayName(caller).map(name -> {
          announce(chatId, caller.userId(), name, true);
          return new JsonObject().put("accepted", true);
        });
      }
      stop(chatId, caller.userId());
      return Single.just(new JsonObject().put("accepted", true));
    });
  }

  /** The user sent a message in the chat: their typing there ends now. */
  void messageSent(String chatId, String userId) {
    stop(chatId, userId);
  }

  private void stop(String chatId, String userId) {
    String key = chatId + "/" + userId;
    Long timer = active.remove(key);
    if (timer != null) {
      vertx.cancelTimer(timer);
      lastStart.remove(key);
      announce(chatId, userId, cachedName(userId), false);
    }
  }

  private void restartExpiry(String key, String chatId, String userId) {
    Long previous = active.get(key);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
    active.put(key, vertx.setTimer(EXPIRY_MS, id -> {
      if (active.remove(key) != null) {
        announce(chatId, userId, cachedName(userId), false);
      }
    }));
  }

  private void announce(String chatId, String userId, String displayName, boolean typing) {
    Events.toChat(vertx.eventBus(), chatId, Events.event(EventType.TYPING_INDICATOR)
        .put("chatId", chatId).put("userId", userId).put("displayName", displayName).put("active", typing));
  }

  /** Membership as messaging says, remembered for a few seconds (typing starts come every second). */
  private Single<Boolean> isMember(Caller caller, String chatId) {
    String key = chatId + "/" + caller.userId();
    long now = System.currentTimeMillis();
    if (memberUntil.getOrDefault(key, 0L) > now) {
      return Single.just(true);
    }
    return vertx.eventBus().<JsonObject>rxRequest(Addresses.CHAT_ACCESS, new JsonObject().put("chatId", chatId),
            caller.deliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(reply -> reply.body().getBoolean("member", false))
        .doOnSuccess(member -> {
          if (member) {
            memberUntil.put(key, now + MEMBERSHIP_CACHE_MS);
          }
        })
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  private Single<String> displayName(Caller caller) {
    Cached cached = names.get(caller.userId());
    if (cached != null && cached.until() > System.currentTimeMillis()) {
      return Single.just(cached.displayName());
    }
    return vertx.eventBus().<JsonObject>rxRequest(Addresses.USERS_PROFILES,
            new JsonObject().put("userIds", new JsonArray(List.of(caller.userId()))),
            new DeliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(reply -> {
          JsonArray users = reply.body().getJsonArray("users", new JsonArray());
          String name = users.isEmpty() ? null : users.getJsonObject(0).getString("displayName");
          names.put(caller.userId(), new Cached(name, System.currentTimeMillis() + PROFILE_CACHE_MS));
          return name == null ? "" : name;
        })
        // Without the user directory the indicator still goes out, nameless; clients fall back to the user id.
        .onErrorReturnItem("");
  }

  private String cachedName(String userId) {
    Cached cached = names.get(userId);
    return cached == null || cached.displayName() == null ? "" : cached.displayName();
  }

  /** Forgets old rate-limit and membership entries. */
  void forgetOld() {
    long now = System.currentTimeMillis();
    lastStart.values().removeIf(at -> now - at > EXPIRY_MS);
    memberUntil.values().removeIf(until -> until < now);
    names.values().removeIf(cached -> cached.until() < now);
  }
}
