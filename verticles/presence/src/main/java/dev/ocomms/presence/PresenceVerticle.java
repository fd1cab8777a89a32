package dev.ocomms.presence;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.redis.RedisClients;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.redis.client.Redis;

/** Presence and typing, kept in Redis with TTLs. */
public class PresenceVerticle extends AbstractVerticle {
  private Redis redis;

  @Override
  public Completable rxStart() {
    OcommsConfig settings = OcommsConfig.fromJson(config());
    return RedisClients.connectedClient(vertx, settings)
        .doOnSuccess(client -> redis = client)
        .ignoreElement();
  }

  @Override
  public Completable rxStop() {
    return Completable.fromAction(redis::close);
  }
}
