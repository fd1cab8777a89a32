package dev.ocomms.integrations;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.Migrations;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.limits.RateLimiter;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

/**
 * Integrations (schema {@code integrations}): incoming webhooks. A webhook's post (Slack's payload, at
 * {@code /hooks/<secret>} on the gateway) becomes an ordinary message of its creator, asked of messaging on
 * {@code messaging.webhook.post}; its rate is limited per webhook in Redis (docs/protocol.md, "Incoming webhooks").
 */
public class IntegrationsVerticle extends AbstractVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(IntegrationsVerticle.class);

  private Pool pg;
  private Redis redis;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "integrations")
        .doOnSuccess(pool -> pg = pool)
        .ignoreElement()
        .andThen(Completable.defer(() -> Migrations.migrate(vertx, settings.pgUrl().orElseThrow(), "integrations")))
        .andThen(Completable.defer(() -> {
          redis = RedisClients.client(vertx, settings);
          Webhooks webhooks = new Webhooks(vertx, new WebhookStore(pg), RateLimiter.create(vertx, redis));
          return BusService.serve(vertx, Map.of(
                  Addresses.WEBHOOKS_CREATE, webhooks::create,
                  Addresses.WEBHOOKS_LIST, webhooks::list,
                  Addresses.WEBHOOKS_UPDATE, webhooks::update,
                  Addresses.WEBHOOKS_DELETE, webhooks::delete))
              .andThen(BusService.serveInternal(vertx, Map.of(Addresses.WEBHOOKS_INCOMING, webhooks::incoming)));
        }))
        .doOnComplete(() -> LOG.info("integrations ready"));
  }

  @Override
  public Completable rxStop() {
    Duration grace = Duration.ofSeconds(OcommsConfig.fromJson(config()).shutdownGraceSeconds());
    return BusService.drain(vertx, grace)
        .andThen(Completable.defer(() -> pg == null ? Completable.complete() : pg.rxClose()))
        .doFinally(() -> {
          if (redis != null) {
            redis.close();
          }
        });
  }
}
