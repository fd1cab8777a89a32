package dev.ocomms.presence;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusErrors;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.bus.Caller;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.shared.bus.Requests;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.errors.ErrorCode;
import dev.ocomms.shared.errors.OcommsException;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import io.vertx.rxjava3.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Presence and typing. Presence lives in Redis ({@link PresenceStore}): the gateways report connections opening,
 * closing and still alive (every third of {@code OCOMMS_PRESENCE_SESSION_TTL_SECONDS}), and a connection not heard of
 * for that long lapses on its own, so the users of a crashed node go offline without anyone cleaning up; a sweep every
 * few seconds takes them offline. Changes go only to subscribers, on their own {@code user.<id>} address: each user's
 * changes are batched over 2 seconds and status updates announced at most once per 10 seconds, cluster-wide, because
 * the batches are kept in Redis and whichever node's tick comes first announces them. When Redis is down, presence
 * answers {@code unknown}; messaging is unaffected.
 */
public class PresenceVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceVerticle.class);
  static final long BATCH_WINDOW_MS = 2_000;
  static final long UPDATE_INTERVAL_MS = 10_000;
  static final long SWEEP_INTERVAL_MS = 3_000;
  /** How often each node looks for due announcements and expired typing. */
  static final long TICK_MS = 250;
  static final int MAX_SUBSCRIBE = 500;
  private static final int MAX_PER_TICK = 1_000;
  private static final long REQUEST_TIMEOUT_MS = 5_000;
  private static final long REDIS_DOWN_LOG_INTERVAL_MS = 60_000;

  private Redis redis;
  private PresenceStore store;
  private Typing typing;
  private final List<Long> timers = new ArrayList<>();
  private boolean ticking;
  private long redisDownSince;
  private long redisDownLoggedAt;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    // Presence starts without Redis: it answers "unknown" until Redis is back.
    redis = RedisClients.client(vertx, settings);
    store = new PresenceStore(redis, settings.presenceSessionTtlSeconds() * 1000L, BATCH_WINDOW_MS,
        UPDATE_INTERVAL_MS);
    typing = new Typing(vertx, store, this::redisDown);

    Map<String, Function<BusRequest, Single<JsonObject>>> requests = new LinkedHashMap<>();
    requests.put(Addresses.PRESENCE_UPDATE, this::update);
    requests.put(Addresses.PRESENCE_SUBSCRIBE, this::subscribe);
    requests.put(Addresses.PRESENCE_UNSUBSCRIBE, this::unsubscribe);
    requests.put(Addresses.CHAT_TYPING, typing::typing);

    // Reports, not requests: the gateways and messaging send or publish them and expect no answer.
    List<MessageConsumer<JsonObject>> reports = List.of(
        vertx.eventBus().consumer(Addresses.PRESENCE_SESSION_OPENED, this::sessionOpened),
        vertx.eventBus().consumer(Addresses.PRESENCE_SESSION_CLOSED, this::sessionClosed),
        vertx.eventBus().consumer(Addresses.PRESENCE_HEARTBEAT, this::heartbeat),
        vertx.eventBus().consumer(Addresses.PRESENCE_MESSAGE_SENT, message ->
            typing.messagesSent(message.body().getString("chatId"), message.body().getJsonArray("userIds"))));

    timers.add(vertx.setPeriodic(TICK_MS, id -> tick()));
    timers.add(vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> sweep()));
    timers.add(vertx.setPeriodic(60_000, id -> typing.forgetOld()));
    return BusService.serve(vertx, requests)
        .andThen(BusService.serveInternal(vertx, Map.of(Addresses.PRESENCE_READ, this::read)))
        .andThen(Completable.merge(reports.stream().map(MessageConsumer::rxCompletion).toList()));
  }

  @Override
  public Completable rxStop() {
    timers.forEach(vertx::cancelTimer);
    // The requests begun are answered before the client they use closes.
    return BusService.drain(vertx, Duration.ofSeconds(OcommsConfig.fromJson(config()).shutdownGraceSeconds()))
        .doFinally(redis::close);
  }

  // Requests from clients

  /** presence.update {status?, idle?}: the chosen status, and whether the client has been idle for 5 minutes. */
  private Single<JsonObject> update(BusRequest request) {
    Input body = request.body();
    if (!body.has("status") && !body.has("idle")) {
      throw Input.invalid("status", "give status and/or idle");
    }
    Optional<String> status = body.has("status") ? Optional.of(body.string("status")) : Optional.empty();
    if (status.isPresent() && !PresenceState.CHOSEN.contains(status.get())) {
      throw Input.invalid("status", "status must be one of " + PresenceState.CHOSEN);
    }
    Optional<Boolean> idle = body.optionalBool("idle");
    return store.update(request.caller().toString(), status.orElse(null), idle.orElse(null))
        .map(PresenceState::toJson)
        .doOnSuccess(state -> redisUp())
        .onErrorResumeNext(failure -> Single.error(unavailable(failure)));
  }

  /** presence.subscribe {userIds}: only people who share a workspace with the caller; answers their current state. */
  private Single<JsonObject> subscribe(BusRequest request) {
    List<String> userIds = userIds(request.body());
    return visible(request, userIds).flatMap(visible -> store.subscribe(request.caller().toString(), visible)
        .flatMap(ok -> store.read(visible))
        .doOnSuccess(states -> redisUp())
        .onErrorReturn(failure -> {
          redisDown(failure);
          return visible.stream().map(PresenceState::unknown).toList();
        })
        .map(states -> new JsonObject().put("users", new JsonArray(states.stream().map(PresenceState::toJson)
            .toList()))));
  }

  private Single<JsonObject> unsubscribe(BusRequest request) {
    return store.unsubscribe(request.caller().toString(), userIds(request.body()))
        .map(ok -> new JsonObject())
        .onErrorResumeNext(failure -> Single.error(unavailable(failure)));
  }

  // Requests from other verticles

  /** presence.read {userIds}: each user's state (notifications asks who is online); unknown while Redis is down. */
  private Single<JsonObject> read(Input body) {
    List<String> userIds = userIds(body);
    return store.read(userIds)
        .doOnSuccess(states -> redisUp())
        .onErrorReturn(failure -> {
          redisDown(failure);
          return userIds.stream().map(PresenceState::unknown).toList();
        })
        .map(states -> new JsonObject().put("users", new JsonArray(states.stream().map(PresenceState::toJson)
            .toList())));
  }

  // Reports from the gateways

  private void sessionOpened(Message<JsonObject> message) {
    String userId = message.body().getString("userId");
    store.refreshSessions(List.<String[]>of(new String[] {userId, message.body().getString("connectionId")}))
        .subscribe(came -> redisUp(), this::redisDown);
  }

  private void sessionClosed(Message<JsonObject> message) {
    store.closeSession(message.body().getString("userId"), message.body().getString("connectionId"))
        .subscribe(lastSeen -> redisUp(), this::redisDown);
  }

  private void heartbeat(Message<JsonObject> message) {
    List<String[]> pairs = new ArrayList<>();
    message.body().getJsonArray("sessions", new JsonArray()).forEach(session -> {
      JsonObject s = (JsonObject) session;
      pairs.add(new String[] {s.getString("userId"), s.getString("connectionId")});
    });
    store.refreshSessions(pairs).subscribe(came -> redisUp(), this::redisDown);
  }

  private void sweep() {
    store.sweep(MAX_PER_TICK).subscribe(gone -> redisUp(), this::redisDown);
  }

  // Announcing changes

  /**
   * Announces the changes that are due (each user's batch, read at the moment it goes out, so the latest state) and
   * ends expired typing. One tick at a time per node; every node ticks, and Redis hands each change to one of them.
   */
  private void tick() {
    if (ticking) {
      return;
    }
    ticking = true;
    store.takeDue(MAX_PER_TICK)
        .doOnSuccess(changes -> changes.forEach(change -> {
          JsonObject state = change.state().toJson();
          Events.publish(vertx.eventBus(), new Event.PresenceChanged(null, state.getString("userId"),
              state.getString("status"), state.getString("lastSeen")), change.subscribers());
        }))
        .ignoreElement()
        .andThen(typing.endExpired(MAX_PER_TICK))
        .doFinally(() -> ticking = false)
        .subscribe(this::redisUp, this::redisDown);
  }

  // Helpers

  private Single<List<String>> visible(BusRequest request, List<String> userIds) {
    if (userIds.isEmpty()) {
      return Single.just(List.of());
    }
    return Requests.<JsonObject>request(vertx, Addresses.USERS_VISIBLE,
            new JsonObject().put("userIds", new JsonArray(userIds)),
            onBehalfOf(request).setSendTimeout(REQUEST_TIMEOUT_MS))
        .map(reply -> reply.body().getJsonArray("userIds", new JsonArray()).stream().map(String::valueOf).toList())
        .onErrorResumeNext(failure -> Single.error(BusErrors.fromFailure(failure)));
  }

  /** The distinct user ids of a subscribe or unsubscribe, in the order given. */
  private static List<String> userIds(Input body) {
    return new ArrayList<>(new LinkedHashSet<>(body.strings("userIds", MAX_SUBSCRIBE)));
  }

  /** Options for a request to another verticle on the caller's behalf: the caller's identity goes with it. */
  static DeliveryOptions onBehalfOf(BusRequest request) {
    return new Caller(request.caller().toString(), request.sessionId()).deliveryOptions();
  }

  static OcommsException unavailable(Throwable failure) {
    return failure instanceof OcommsException known ? known
        : new OcommsException(ErrorCode.UNAVAILABLE, "presence is unavailable right now");
  }

  /** Redis failed: logged when it starts failing and then once a minute, not at every tick. */
  private void redisDown(Throwable failure) {
    long now = System.currentTimeMillis();
    if (redisDownSince == 0) {
      redisDownSince = now;
    }
    if (now - redisDownLoggedAt >= REDIS_DOWN_LOG_INTERVAL_MS) {
      redisDownLoggedAt = now;
      LOG.warn("presence unavailable, Redis failing: {}", failure.toString());
    }
  }

  private void redisUp() {
    if (redisDownSince != 0) {
      LOG.info("presence available again, Redis answering: downForMs={}", System.currentTimeMillis() - redisDownSince);
      redisDownSince = 0;
      redisDownLoggedAt = 0;
    }
  }
}
