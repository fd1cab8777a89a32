package dev.ocomms.search;

import dev.ocomms.shared.config.OcommsConfig;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.shared.embedded.FreePorts;
import dev.ocomms.shared.testing.TestCluster;
import io.vertx.core.DeploymentOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The search verticle")
class SearchVerticleTest {
  private TestCluster cluster;

  @BeforeEach
  void startNode() {
    cluster = TestCluster.start(1);
  }

  @AfterEach
  void stopNode() {
    cluster.close();
  }

  @Test
  @DisplayName("starts on a node whose PostgreSQL can be reached, and undeploys cleanly")
  void startsAndStops() {
    String id = cluster.deploy(0, SearchVerticle::new);
    assertThat(cluster.node(0).deploymentIDs()).contains(id);
    cluster.node(0).rxUndeploy(id).blockingAwait();
    assertThat(cluster.node(0).deploymentIDs()).doesNotContain(id);
  }

  @Test
  @DisplayName("refuses to start, naming PostgreSQL, when PostgreSQL cannot be reached")
  void failsFastWithoutItsStore() {
    OcommsConfig unreachable = cluster.config(0).with(Setting.PG_URL, "postgresql://postgres@127.0.0.1:" + FreePorts.next() + "/ocomms");
    Throwable failure = cluster.node(0)
        .rxDeployVerticle(new SearchVerticle(), new DeploymentOptions().setConfig(unreachable.toJson()))
        .ignoreElement()
        .materialize()
        .blockingGet()
        .getError();
    assertThat(failure).hasMessageContaining("PostgreSQL at 127.0.0.1:").hasMessageContaining("not reachable");
    assertThat(cluster.node(0).deploymentIDs()).isEmpty();
  }
}
