package dev.ocomms.shared.db;

import io.reactivex.rxjava3.core.Completable;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.core.Vertx;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema migrations with Flyway. Each verticle owns one PostgreSQL schema, named after it, with its scripts under
 * {@code db/migration/<schema>} in its own module. Flyway holds a PostgreSQL advisory lock while it migrates, so
 * nodes starting at the same moment apply each script once. JDBC is blocking: this runs on a worker thread.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static Completable migrate(Vertx vertx, String pgUrl, String schema) {
    return vertx.<Integer>rxExecuteBlocking(() -> migrateBlocking(pgUrl, schema), false).ignoreElement();
  }

  /** As {@link #migrate}, on the calling thread: for start-up code that runs before any event loop (the runtime). */
  public static int migrateBlocking(String pgUrl, String schema) {
    PgConnectOptions options = PgConnectOptions.fromUri(pgUrl);
    String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    Flyway flyway = Flyway.configure()
        .dataSource(jdbcUrl, options.getUser(), options.getPassword())
        .schemas(schema)
        .createSchemas(true)
        .locations("classpath:db/migration/" + schema)
        .failOnMissingLocations(true)
        // A rolling upgrade: a node of the previous version starts on a schema the next one has already expanded
        // (docs/operations.md, "Rolling upgrades"). Flyway's default, kept explicit.
        .ignoreMigrationPatterns("*:future")
        .load();
    int applied = flyway.migrate().migrationsExecuted;
    LOG.info("migrations done: schema={} applied={}", schema, applied);
    return applied;
  }
}
