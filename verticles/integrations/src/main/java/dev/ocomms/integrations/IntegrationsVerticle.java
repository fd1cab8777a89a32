package dev.ocomms.integrations;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusRequest;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.limits.RateLimiter;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Integrations (schema {@code integrations}): incoming webhooks, slash commands ({@code chat.command}, built-in and
 * custom, with their response URLs) and outgoing webhooks (one follower of the event stream per node). Every outbound
 * call goes through {@link Outbound} (SSRF checks, signing). Incoming webhooks: A webhook's post (Slack's payload, at
 * {@code /hooks/<secret>} on the gateway) becomes an ordinary message of its creator, asked of messaging on
 * {@code messaging.webhook.post}; its rate is limited per webhook in Redis (docs/protocol.md, "Incoming webhooks").
 */
public class IntegrationsVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(IntegrationsVerticle.class);

  private static final String ROLES = "ocomms.integrations.roles";
  private static final String FOLLOWER = "follower";
  private static final long CLEANUP_MS = 10 * 60_000;

  private final String instanceId = java.util.UUID.randomUUID().toString();
  private Pool pg;
  private Redis redis;
  private Outbound outbound;
  private OutgoingWebhooks outgoing;
  private long cleanupTimer = -1;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "integrations")
        .doOnSuccess(pool -> pg = pool)
        .ignoreElement()
        .andThen(Completable.defer(() -> Migrations.migrate(vertx, settings.pgUrl().orElseThrow(), "integrations")))
        .andThen(Completable.defer(() -> {
          redis = RedisClients.client(vertx, settings);
          RateLimiter limiter = RateLimiter.create(vertx, redis);
          Webhooks webhooks = new Webhooks(vertx, new WebhookStore(pg), limiter);
          CommandStore store = new CommandStore(pg, settings.secretsMasterKey());
          Lookups lookups = new Lookups(vertx);
          outbound = new Outbound(vertx, settings.outboundAllowedHosts());
          Deliveries deliveries = new Deliveries(vertx, outbound, store);
          Commands commands = new Commands(vertx, store, lookups, outbound, deliveries, limiter, settings.publicUrl());
          OutgoingWebhooks outgoing = new OutgoingWebhooks(vertx, store, lookups, outbound, deliveries);
          Map<String, Function<BusRequest, Single<JsonObject>>> actions = new LinkedHashMap<>();
          actions.put(Addresses.WEBHOOKS_CREATE, webhooks::create);
          actions.put(Addresses.WEBHOOKS_LIST, webhooks::list);
          actions.put(Addresses.WEBHOOKS_UPDATE, webhooks::update);
          actions.put(Addresses.WEBHOOKS_DELETE, webhooks::delete);
          actions.put(Addresses.CHAT_COMMAND, commands::run);
          actions.put(Addresses.COMMANDS_CREATE, commands::create);
          actions.put(Addresses.COMMANDS_LIST, commands::list);
          actions.put(Addresses.COMMANDS_DELETE, commands::delete);
          actions.put(Addresses.COMMANDS_DELIVERIES, commands::deliveries);
          actions.put(Addresses.OUTGOING_WEBHOOKS_CREATE, outgoing::create);
          actions.put(Addresses.OUTGOING_WEBHOOKS_LIST, outgoing::list);
          actions.put(Addresses.OUTGOING_WEBHOOKS_DELETE, outgoing::delete);
          actions.put(Addresses.OUTGOING_WEBHOOKS_DELIVERIES, outgoing::deliveries);
          // One follower of the event stream per node (the first instance); nodes share the work through the cursor.
          boolean following = vertx.sharedData().<String, String>getLocalMap(ROLES)
              .putIfAbsent(FOLLOWER, instanceId) == null;
          if (following) {
            this.outgoing = outgoing;
            cleanupTimer = vertx.setPeriodic(CLEANUP_MS, id -> store.forgetOldResponseUrls()
                .subscribe(() -> { }, e -> LOG.warn("old response URLs not removed: reason={}", e.toString())));
          }
          return BusService.serve(vertx, actions)
              .andThen(BusService.serveInternal(vertx, Map.of(Addresses.WEBHOOKS_INCOMING, webhooks::incoming,
                  Addresses.COMMANDS_RESPONSE, commands::respond)))
              .andThen(following ? outgoing.start() : Completable.complete());
        }))
        .doOnComplete(() -> LOG.info("integrations ready"));
  }

  @Override
  public Completable rxStop() {
    Duration grace = Duration.ofSeconds(OcommsConfig.fromJson(config()).shutdownGraceSeconds());
    return BusService.drain(vertx, grace)
        .andThen(Completable.defer(() -> {
          vertx.cancelTimer(cleanupTimer);
          boolean wasFollowing = vertx.sharedData().<String, String>getLocalMap(ROLES)
              .removeIfPresent(FOLLOWER, instanceId);
          return outgoing != null && wasFollowing ? outgoing.stop() : Completable.complete();
        }))
        .andThen(Completable.defer(() -> pg == null ? Completable.complete() : pg.rxClose()))
        .doFinally(() -> {
          if (redis != null) {
            redis.close();
          }
          if (outbound != null) {
            outbound.close();
          }
        });
  }
}
