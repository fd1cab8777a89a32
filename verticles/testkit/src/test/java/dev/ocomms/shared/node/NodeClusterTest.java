package dev.ocomms.shared.node;

import dev.ocomms.testkit.TestCluster;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
@DisplayName("A cluster of two nodes in one JVM")
class NodeClusterTest {
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = TestCluster.start(2);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  @DisplayName("both nodes see two members")
  void twoMembers() {
    assertThat(Node.clusterMembers(cluster.node(0))).isEqualTo(2);
    assertThat(Node.clusterMembers(cluster.node(1))).isEqualTo(2);
  }

  @Test
  @DisplayName("a publish on node A reaches a consumer on node B")
  void publishCrossesNodes(VertxTestContext test) throws Exception {
    var consumer = cluster.node(1).eventBus().<String>consumer("test.cross-node");
    consumer.handler(message -> test.verify(() -> {
      assertThat(message.body()).isEqualTo("hello from A");
      test.completeNow();
    }));
    consumer.rxCompletion()
        .andThen(io.reactivex.rxjava3.core.Completable.fromAction(
            () -> cluster.node(0).eventBus().publish("test.cross-node", "hello from A")))
        .subscribe(() -> { }, test::failNow);
    assertThat(test.awaitCompletion(10, TimeUnit.SECONDS)).isTrue();
    consumer.rxUnregister().blockingAwait();
  }

  @Test
  @DisplayName("each node has its own metrics registry with JVM meters")
  void ownMetrics() {
    assertThat(Node.prometheus(cluster.node(0))).isNotSameAs(Node.prometheus(cluster.node(1)));
    assertThat(Node.prometheus(cluster.node(0)).scrape()).contains("jvm_memory_used_bytes");
  }
}
