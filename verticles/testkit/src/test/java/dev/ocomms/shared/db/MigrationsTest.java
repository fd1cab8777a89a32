package dev.ocomms.shared.db;

import dev.ocomms.testkit.TestInfra;
import io.reactivex.rxjava3.core.Completable;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.pgclient.PgBuilder;
import io.vertx.rxjava3.sqlclient.Pool;
import io.vertx.rxjava3.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Schema migrations")
class MigrationsTest {
  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stopVertx() {
    vertx.rxClose().blockingAwait();
  }

  @Test
  @DisplayName("nodes migrating the same database at the same moment apply each script exactly once")
  void concurrentMigrationsApplyOnce() {
    String url = TestInfra.get().newPgUrl();
    Completable.merge(IntStream.range(0, 4).mapToObj(i -> Migrations.migrate(vertx, url, "fixture")).toList())
        .blockingAwait();

    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
    try {
      Row applied = pool.query("SELECT count(*) AS n FROM fixture.fixture_applied").rxExecute()
          .blockingGet().iterator().next();
      Row history = pool.query("SELECT count(*) AS n FROM fixture.flyway_schema_history WHERE success")
          .rxExecute().blockingGet().iterator().next();
      assertThat(applied.getLong("n")).isEqualTo(1L);
      assertThat(history.getLong("n")).isGreaterThanOrEqualTo(1L);
    } finally {
      pool.rxClose().blockingAwait();
    }
  }

  @Test
  @DisplayName("migrating an up-to-date schema again changes nothing")
  void secondRunIsANoOp() {
    String url = TestInfra.get().newPgUrl();
    Migrations.migrate(vertx, url, "fixture").blockingAwait();
    int applied = vertx.rxExecuteBlocking(() -> Migrations.migrateBlocking(url, "fixture")).blockingGet();
    assertThat(applied).isZero();
  }
}
