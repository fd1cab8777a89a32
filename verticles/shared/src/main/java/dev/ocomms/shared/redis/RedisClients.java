package dev.ocomms.shared.redis;

import dev.ocomms.shared.config.ConfigException;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Secrets;
import io.reactivex.rxjava3.core.Single;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.redis.client.Redis;

import java.util.ArrayList;

/**
 * The one way verticles reach Redis: a pooled reactive client on the event loops, whose connection attempts and
 * commands fail after {@link OcommsConfig#redisTimeoutMillis()}; one server, a master behind Redis Sentinel, or a
 * Redis Cluster ({@link OcommsConfig#redisMode()}). Every script and multi-key command keeps its keys in one hash
 * slot (a hash tag in the key), so each works the same in all three.
 */
public final class RedisClients {
  private RedisClients() {
  }

  /** A client that has answered a PING, so that a verticle fails its start clearly when Redis cannot be reached. */
  public static Single<Redis> connectedClient(Vertx vertx, OcommsConfig config) {
    Redis redis = client(vertx, config);
    return redis.rxSend(Request.cmd(Command.PING))
        .switchIfEmpty(Single.error(new IllegalStateException("no reply to PING")))
        .map(reply -> redis)
        .onErrorResumeNext(failure -> {
          redis.close();
          return Single.error(new IllegalStateException("Redis at " + Secrets.mask(config.redisUrl().orElseThrow())
              + " is not reachable: " + failure.getMessage()));
        });
  }

  public static Redis client(Vertx vertx, OcommsConfig config) {
    if (config.redisUrl().isEmpty()) {
      throw new ConfigException("no Redis URL: set OCOMMS_REDIS_URL");
    }
    RedisOptions options = new RedisOptions()
        .setEndpoints(new ArrayList<>(config.redisUrls()))
        .setMaxPoolSize(config.redisPoolSize())
        .setMaxPoolWaiting(10_000)
        .setMaxWaitingHandlers(10_000);
    switch (config.redisMode()) {
      // Writes and the scripts' reads go to masters only: presence and rate limits must read what was just written.
      // Failovers are followed by SentinelFollowingRedis (a new client per master), not by the client's own
      // auto-failover, which reconnects from a topology it may have cached before the switch.
      case "sentinel" -> options.setType(RedisClientType.SENTINEL).setMasterName(config.redisMasterName())
          .setRole(RedisRole.MASTER);
      case "cluster" -> options.setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER);
      default -> options.setType(RedisClientType.STANDALONE);
    }
    options.getNetClientOptions().setConnectTimeout(config.redisTimeoutMillis());
    io.vertx.redis.client.Redis client = "sentinel".equals(config.redisMode())
        ? new SentinelFollowingRedis(vertx.getDelegate(),
            () -> io.vertx.redis.client.Redis.createClient(vertx.getDelegate(), options),
            config.redisUrls(), config.redisMasterName())
        : io.vertx.redis.client.Redis.createClient(vertx.getDelegate(), options);
    return Redis.newInstance(new TimedRedis(client, config.redisTimeoutMillis()));
  }
}
