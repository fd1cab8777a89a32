package dev.ocomms.testkit;

import dev.ocomms.runtime.FreePorts;
import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Verticle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every verticle that owns a store promises about its start: it starts on a node whose store can be reached and
 * undeploys cleanly, and it refuses to start, naming the store, when the store cannot be reached. A module's test
 * extends this and says which verticle and which store.
 */
public abstract class VerticleStartContract {
  private TestCluster cluster;

  /** A new instance of the verticle under test. */
  protected abstract Supplier<Verticle> verticle();

  /** The store it cannot start without: {@link Setting#PG_URL} or {@link Setting#REDIS_URL}. */
  protected abstract Setting store();

  @BeforeEach
  void startNode() {
    cluster = TestCluster.start(1);
  }

  @AfterEach
  void stopNode() {
    cluster.close();
  }

  @Test
  @DisplayName("starts on a node whose stores can be reached, and undeploys cleanly")
  void startsAndStops() {
    String id = cluster.deploy(0, verticle());
    assertThat(cluster.node(0).deploymentIDs()).contains(id);
    cluster.node(0).rxUndeploy(id).blockingAwait();
    assertThat(cluster.node(0).deploymentIDs()).doesNotContain(id);
  }

  @Test
  @DisplayName("refuses to start, naming its store, when the store cannot be reached")
  void failsFastWithoutItsStore() {
    boolean postgres = store() == Setting.PG_URL;
    // Nothing listens on a fresh free port: the store is "down".
    String unreachable = postgres ? "postgresql://postgres@127.0.0.1:" + FreePorts.next() + "/ocomms"
        : "redis://127.0.0.1:" + FreePorts.next();
    OcommsConfig config = cluster.config(0).with(store(), unreachable);
    Throwable failure = cluster.node(0)
        .rxDeployVerticle(verticle().get(), new DeploymentOptions().setConfig(config.toJson()))
        .ignoreElement()
        .materialize()
        .blockingGet()
        .getError();
    assertThat(failure).hasMessageContaining(postgres ? "PostgreSQL at 127.0.0.1:" : "Redis at redis://127.0.0.1:")
        .hasMessageContaining("not reachable");
    assertThat(cluster.node(0).deploymentIDs()).isEmpty();
  }
}
