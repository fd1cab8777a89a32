package dev.ocomms.presence;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.Events;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Presence and typing. Presence lives in Redis ({@link PresenceStore}): the gateways report connections opening,
 * closing and still alive (every 30 s), and a connection not heard of for 90 s lapses on its own, so the users of a
 * crashed node go offline without anyone cleaning up. A sweep every few seconds announces those who went offline.
 * Changes go only to subscribers, on their own {@code user.<id>} address, batched in 2-second windows. When Redis is
 * down, presence answers {@code unknown}; messaging is unaffected.
 */
public class PresenceVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);
  static final long BATCH_WINDOW_MS = 2_000;
  static final long UPDATE_INTERVAL_MS = 10_000;
  static final long SWEEP_INTERVAL_MS = 3_000;
  static final int MAX_SUBSCRIBE = 500;
  private static final long REQUEST_TIMEOUT_MS = 5_000;

  private Redis redis;
  private PresenceStore store;
  private Typing typing;
  /** subscriber → (user → latest change) waiting for the next batch. */
  private final Map<String, Map<String, JsonObject>> pending = new HashMap<>();
  /** When each user's last update-driven change went out, and whether one is held back for the window's end. */
  private final Map<String, Long> lastAnnounced = new HashMap<>();
  private final Map<String, Long> heldBack = new HashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    // Presence starts without Redis: it answers "unknown" until Redis is back.
    redis = RedisClients.client(vertx, settings);
    store = new PresenceStore(redis, settings.presenceSessionTtlSeconds() * 1000L);
    typing = new Typing(vertx);

    Map<String, BiFunction<Caller, JsonObject, Single<JsonObject>>> requests = new LinkedHashMap<>();
    requests.put(Addresses.PRESENCE_UPDATE, this::update);
    requests.put(Addresses.PRESENCE_SUBSCRIBE, this::subscribe);
    requests.put(Addresses.PRESENCE_UNSUBSCRIBE, this::unsubscribe);
    requests.put(Addresses.CHAT_TYPING, typing::typing);
    requests.forEach((address, action) -> consumers.add(vertx.eventBus().<Object>consumer(address, message ->
        Single.defer(() -> action.apply(Caller.of(message), body(message)))
            .subscribe(message::reply, failure -> BusErrors.fail(message, failure)))));

    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_SESSION_OPENED, this::sessionOpened));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_SESSION_CLOSED, this::sessionClosed));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_HEARTBEAT, this::heartbeat));
    consumers.add(vertx.eventBus().<JsonObject>consumer(Addresses.PRESENCE_MESSAGE_SENT, message ->
        typing.messageSent(message.body().getString("chatId"), message.body().getString("userId"))));

    vertx.setPeriodic(BATCH_WINDOW_MS, id -> flush());
    vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> sweep());
    vertx.setPeriodic(60_000, id -> typing.forgetOld());
    return Completable.merge(consumers.stream().map(MessageConsumer::rxCompletion).toList());
  }

  @Override
  public Completable rxStop() {
    redis.close();
    return Completable.complete();
  }

  // Requests from clients

  /** presence.update {status?, idle?}: the chosen status, and whether the client has been idle for 5 minutes. */
  private Single<JsonObject> update(Caller caller, JsonObject body) {
    Object status = body.getValue("status");
    Object idle = body.getValue("idle");
    if (status == null && idle == null) {
      return invalid("status", "give status and/or idle");
    }
    if (status != null && !(status instanceof String s && PresenceState.CHOSEN.contains(s))) {
      return invalid("status", "status must be one of " + PresenceState.CHOSEN);
    }
    if (idle != null && !(idle instanceof Boolean)) {
      return invalid("idle", "idle must be true or false");
    }
    String userId = caller.userId();
    return store.setChosen(userId, (String) status, (Boolean) idle)
        .flatMap(ok -> store.read(List.of(userId)))
        .map(states -> {
          PresenceState state = states.get(0);
          announceUpdate(userId);
          return state.toJson();
        })
        .onErrorResumeNext(failure -> Single.error(unavailable(failure)));
  }

  /** presence.subscribe {userIds}: only people who share a workspace with the caller; answers their current state. */
  private Single<JsonObject> subscribe(Caller caller, JsonObject body) {
    List<String> userIds = userIds(body);
    return visible(caller, userIds).flatMap(visible -> store.subscribe(caller.userId(), visible)
        .flatMap(ok -> store.read(visible))
        .onErrorReturn(failure -> {
          LOG.warn("presence unknown, Redis unavailable: {}", failure.toString());
          return visible.stream().map(PresenceState::unknown).toList();
        })
        .map(states -> new JsonObject().put("users", new JsonArray(states.stream().map(PresenceState::toJson)
            .toList()))));
  }

  private Single<JsonObject> unsubscribe(Caller caller, JsonObject body) {
    return store.unsubscribe(caller.userId(), userIds(body))
        .map(ok -> new JsonObject())
        .onErrorResumeNext(failure -> Single.error(unavailable(failure)));
  }

  // Reports from the gateways

  private void sessionOpened(Message<JsonObject> message) {
    String userId = message.body().getString("userId");
    store.refreshSessions(List.<String[]>of(new String[] {userId, message.body().getString("connectionId")}))
        .subscribe(cameOnline -> cameOnline.forEach(this::announce), this::redisDown);
  }

  private void sessionClosed(Message<JsonObject> message) {
    String userId = message.body().getString("userId");
    store.closeSession(userId, message.body().getString("connectionId"))
        .subscribe(lastSeen -> {
          if (lastSeen > 0) {
            announce(userId);
          }
        }, this::redisDown);
  }

  private void heartbeat(Message<JsonObject> message) {
    List<String[]> pairs = new ArrayList<>();
    message.body().getJsonArray("sessions", new JsonArray()).forEach(session -> {
      JsonObject s = (JsonObject) session;
      pairs.add(new String[] {s.getString("userId"), s.getString("connectionId")});
    });
    store.refreshSessions(pairs).subscribe(cameOnline -> cameOnline.forEach(this::announce), this::redisDown);
  }

  private void sweep() {
    store.sweep(1000).subscribe(gone -> gone.forEach(state -> announce(state.userId())), this::redisDown);
  }

  // Announcing changes

  /** A change from presence.update: at most one announcement per user per 10 s; later ones coalesce into one. */
  private void announceUpdate(String userId) {
    long now = System.currentTimeMillis();
    long wait = lastAnnounced.getOrDefault(userId, 0L) + UPDATE_INTERVAL_MS - now;
    if (wait <= 0) {
      lastAnnounced.put(userId, now);
      announce(userId);
    } else if (!heldBack.containsKey(userId)) {
      heldBack.put(userId, vertx.setTimer(wait, id -> {
        heldBack.remove(userId);
        lastAnnounced.put(userId, System.currentTimeMillis());
        announce(userId);
      }));
    }
  }

  /** Queues the user's current state for each of their subscribers' next batch. */
  private void announce(String userId) {
    store.read(List.of(userId))
        .flatMap(states -> store.subscribers(userId).map(subscribers -> {
          JsonObject change = Events.event(EventType.PRESENCE_CHANGED).mergeIn(states.get(0).toJson());
          subscribers.forEach(subscriber -> pending.computeIfAbsent(subscriber, s -> new LinkedHashMap<>())
              .put(userId, change));
          return subscribers.size();
        }))
        .subscribe(count -> { }, this::redisDown);
  }

  private void flush() {
    if (pending.isEmpty()) {
      return;
    }
    pending.forEach((subscriber, changes) -> changes.values()
        .forEach(change -> Events.toUser(vertx.eventBus(), subscriber, change)));
    pending.clear();
    lastAnnounced.values().removeIf(at -> System.currentTimeMillis() - at > UPDATE_INTERVAL_MS);
  }

  // Helpers

  private Single<List<String>> visible(Caller caller, List<String> userIds) {
    if (userIds.isEmpty()) {
      return Single.just(List.of());
    }
    return vertx.eventBus().<JsonObject>rxRequest(Addresses.USERS_VISIBLE,
            new JsonObject().put("userIds", new JsonArray(userIds)),
            caller.deliveryOptions().setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(reply -> reply.body().getJsonArray("userIds", new JsonArray()).stream().map(String::valueOf).toList())
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  private static List<String> userIds(JsonObject body) {
    if (!(body.getValue("userIds") instanceof JsonArray ids) || ids.stream().anyMatch(id -> !(id instanceof String))) {
      throw new OcommsException(ErrorCode.VALIDATION_FAILED, "userIds must be an array of user ids",
          new JsonObject().put("field", "userIds"));
    }
    if (ids.size() > MAX_SUBSCRIBE) {
      throw new OcommsException(ErrorCode.VALIDATION_FAILED, "at most " + MAX_SUBSCRIBE + " users at once",
          new JsonObject().put("field", "userIds"));
    }
    return new ArrayList<>(new LinkedHashSet<>(ids.stream().map(String::valueOf).toList()));
  }

  private static JsonObject body(Message<Object> message) {
    if (message.body() instanceof JsonObject json) {
      return json;
    }
    throw new OcommsException(ErrorCode.VALIDATION_FAILED, "the request body must be a JSON object");
  }

  private static <T> Single<T> invalid(String field, String detail) {
    return Single.error(new OcommsException(ErrorCode.VALIDATION_FAILED, detail, new JsonObject().put("field", field)));
  }

  private static OcommsException unavailable(Throwable failure) {
    return failure instanceof OcommsException known ? known
        : new OcommsException(ErrorCode.UNAVAILABLE, "presence is unavailable right now");
  }

  private void redisDown(Throwable failure) {
    LOG.warn("presence not updated, Redis unavailable: {}", failure.toString());
  }
}
