package dev.ocomms.messaging;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.db.PgClients;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.redis.client.Redis;
import io.vertx.rxjava3.sqlclient.Pool;

/** Chats, messages, delivery and read state. Its event-bus API arrives with the messaging issue. */
public class MessagingVerticle extends AbstractVerticle {
  private Pool pg;
  private Redis redis;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return PgClients.connectedPool(vertx, settings, "messaging")
        .doOnSuccess(pool -> pg = pool)
        .flatMap(pool -> RedisClients.connectedClient(vertx, settings))
        .doOnSuccess(client -> redis = client)
        .ignoreElement();
  }

  @Override
  public Completable rxStop() {
    return (pg == null ? Completable.complete() : pg.rxClose())
        .doFinally(() -> {
          if (redis != null) {
            redis.close();
          }
        });
  }
}
