package dev.ocomms.shared.db;

import dev.ocomms.shared.config.ConfigException;
import dev.ocomms.shared.config.OcommsConfig;
import io.reactivex.rxjava3.core.Single;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.Map;

/**
 * The one way verticles reach PostgreSQL: a reactive pool on the event loops, on the primary, or on the read replica
 * for the reads that may lag.
 */
public final class PgClients {
  private PgClients() {
  }

  /**
   * A pool whose first connection has succeeded, so that a verticle fails its start with a clear message when
   * PostgreSQL cannot be reached, instead of failing its first request.
   */
  public static Single<Pool> connectedPool(Vertx vertx, OcommsConfig config, String poolName) {
    return connectedPool(vertx, config, poolName, Map.of());
  }

  /**
   * A connected pool whose sessions run with these settings over ours (for example {@code statement_timeout}, or
   * {@code plan_cache_mode} for statements whose best plan depends on their arguments, as a search's does).
   */
  public static Single<Pool> connectedPool(Vertx vertx, OcommsConfig config, String poolName,
                                           Map<String, String> sessionSettings) {
    String url = config.pgUrl().orElseThrow(() -> new ConfigException("no PostgreSQL URL: set OCOMMS_PG_URL"));
    return connected(pool(vertx, config, url, poolName, sessionSettings), url);
  }

  /**
   * A connected pool on the read replica ({@code OCOMMS_PG_REPLICA_URL}) for reads that may lag the primary by a
   * moment, or on the primary when there is none. Never for a read that must see the caller's own last write.
   */
  public static Single<Pool> connectedReplicaPool(Vertx vertx, OcommsConfig config, String poolName,
                                                  Map<String, String> sessionSettings) {
    if (config.pgReplicaUrl().isEmpty()) {
      return connectedPool(vertx, config, poolName, sessionSettings);
    }
    String url = config.pgReplicaUrl().get();
    return connected(pool(vertx, config, url, poolName + "-replica", sessionSettings), url);
  }

  private static Single<Pool> connected(Pool pool, String url) {
    PgConnectOptions target = PgConnectOptions.fromUri(url);
    return pool.query("SELECT 1").rxExecute()
        .map(rows -> pool)
        .onErrorResumeNext(failure -> pool.rxClose().onErrorComplete().andThen(Single.error(new IllegalStateException(
            "PostgreSQL at " + target.getHost() + ":" + target.getPort() + "/" + target.getDatabase()
                + " is not reachable: " + failure.getMessage()))));
  }

  public static Pool pool(Vertx vertx, OcommsConfig config, String poolName) {
    return pool(vertx, config, config.pgUrl().orElseThrow(() -> new ConfigException(
        "no PostgreSQL URL: set OCOMMS_PG_URL")), poolName, Map.of());
  }

  private static Pool pool(Vertx vertx, OcommsConfig config, String url, String poolName,
                           Map<String, String> sessionSettings) {
    PgConnectOptions connect = PgConnectOptions.fromUri(url)
        .setCachePreparedStatements(true)
        // The client caches only statements under 2,048 characters by default; the send batch is longer, and parsing
        // and planning it on every call cost PostgreSQL more than running it. Our SQL is all constant text.
        .setPreparedStatementCacheSqlLimit(16_384)
        .setPipeliningLimit(64);
    // Every statement is prepared once per connection and runs with one generic plan: our statements filter on keys,
    // so custom plans are no better, and re-planning each execution cost more than executing (0.5 ms against 0.3 ms
    // for a send batch).
    connect.addProperty("plan_cache_mode", "force_generic_plan");
    sessionSettings.forEach(connect::addProperty);
    PoolOptions pool = new PoolOptions()
        .setMaxSize(config.pgPoolSize())
        .setName(poolName)
        .setShared(true)
        .setMaxWaitQueueSize(10_000);
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }
}
