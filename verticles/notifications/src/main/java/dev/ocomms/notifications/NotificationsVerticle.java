package dev.ocomms.notifications;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.node.Node;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.shareddata.LocalMap;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Notifications (schema {@code notifications}): the users' notification settings (global, with DND by hand and by
 * schedule, and per chat), the focus each device reports, and the follower of messaging's event stream that decides
 * who of a new message's recipients gets a toast (on {@code user.<id>}), a push (recorded as due for the Web Push
 * sender) or nothing, and keeps urgent messages until acknowledged. One follower per node (the first instance);
 * several nodes share the work through the stored cursor. It never sits on messaging's send path. The browsers' push
 * subscriptions, the VAPID key pair (shared by all nodes) and the Web Push sender of the pushes due (one per node,
 * sharing the work through claims) are here as well.
 */
public class NotificationsVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationsVerticle.class);
  private static final String ROLES = "ocomms.notifications.roles";
  private static final String FOLLOWER = "follower";
  private static final String PUSHER = "pusher";

  private final String instanceId = UUID.randomUUID().toString();
  private Pool pg;
  private Redis redis;
  private Notifier notifier;
  private PushSender pushSender;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "notifications")
        .doOnSuccess(pool -> pg = pool)
        .ignoreElement()
        .andThen(Completable.defer(() -> Migrations.migrate(vertx, settings.pgUrl().orElseThrow(), "notifications")))
        .andThen(Single.defer(() -> VapidKeys.load(vertx, pg, settings)))
        .flatMapCompletable(vapid -> Completable.defer(() -> {
          // Focus lives in Redis; without it no chat counts as focused, and the rest works on.
          redis = RedisClients.client(vertx, settings);
          Settings preferences = new Settings(vertx, pg);
          Focus focus = new Focus(redis);
          Acknowledgements acknowledgements = new Acknowledgements(vertx, pg);
          Map<String, Function<BusRequest, Single<JsonObject>>> actions = new LinkedHashMap<>();
          actions.put(Addresses.CHAT_FOCUS, focus::report);
          actions.put(Addresses.NOTIFICATION_ACK, acknowledgements::acknowledge);
          actions.put(Addresses.NOTIFICATION_URGENT_PENDING, acknowledgements::pending);
          actions.put(Addresses.NOTIFICATION_SETTINGS_GET, preferences::getUser);
          actions.put(Addresses.NOTIFICATION_SETTINGS_SAVE, preferences::saveUser);
          actions.put(Addresses.NOTIFICATION_CHAT_SETTINGS_GET, preferences::getChat);
          actions.put(Addresses.NOTIFICATION_CHAT_SETTINGS_SAVE, preferences::saveChat);
          PushSubscriptions subscriptions = new PushSubscriptions(pg, vapid, settings.webPushAllowHttpLoopback());
          actions.put(Addresses.NOTIFICATION_PUSH_KEY, subscriptions::publicKey);
          actions.put(Addresses.NOTIFICATION_PUSH_SUBSCRIBE, subscriptions::subscribe);
          actions.put(Addresses.NOTIFICATION_PUSH_UNSUBSCRIBE, subscriptions::unsubscribe);
          actions.put(Addresses.NOTIFICATION_PUSH_LIST, subscriptions::list);
          LocalMap<String, String> roles = vertx.sharedData().getLocalMap(ROLES);
          boolean following = roles.putIfAbsent(FOLLOWER, instanceId) == null;
          if (following) {
            notifier = new Notifier(vertx, pg, focus);
          }
          // One Web Push sender per node too; several nodes share the pushes due through their claims.
          if (roles.putIfAbsent(PUSHER, instanceId) == null) {
            pushSender = new PushSender(vertx, pg, vapid, settings.vapidSubject(), Node.meters(vertx));
            vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_REVOKED, revoked ->
                subscriptions.sessionRevoked(revoked.body()).subscribe(() -> { }, failure ->
                    LOG.warn("push subscriptions of a revoked session not removed: reason={}", failure.toString())));
          }
          return BusService.serve(vertx, actions)
              .andThen(following ? notifier.start() : Completable.complete())
              .doOnComplete(() -> {
                if (pushSender != null) {
                  pushSender.start();
                }
              });
        }))
        .doOnComplete(() -> LOG.info("notifications ready"));
  }

  @Override
  public Completable rxStop() {
    Duration grace = Duration.ofSeconds(OcommsConfig.fromJson(config()).shutdownGraceSeconds());
    return BusService.drain(vertx, grace)
        .andThen(Completable.defer(() -> {
          boolean wasFollowing = vertx.sharedData().<String, String>getLocalMap(ROLES)
              .removeIfPresent(FOLLOWER, instanceId);
          return notifier != null && wasFollowing ? notifier.stop() : Completable.complete();
        }))
        .andThen(Completable.defer(() -> {
          boolean wasPushing = vertx.sharedData().<String, String>getLocalMap(ROLES)
              .removeIfPresent(PUSHER, instanceId);
          return pushSender != null && wasPushing ? pushSender.stop() : Completable.complete();
        }))
        .andThen(Completable.defer(() -> pg == null ? Completable.complete() : pg.rxClose()))
        .doFinally(() -> {
          if (redis != null) {
            redis.close();
          }
        });
  }
}
