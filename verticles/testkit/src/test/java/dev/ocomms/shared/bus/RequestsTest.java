package dev.ocomms.shared.bus;

import dev.ocomms.testkit.TestCluster;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Requests between verticles")
class RequestsTest {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(5_000);
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** A consumer on a node that answers with the node's index; registered cluster-wide before it returns. */
  private static MessageConsumer<JsonObject> answering(int node, String address) {
    MessageConsumer<JsonObject> consumer = cluster.node(node).eventBus()
        .consumer(address, message -> message.reply(new JsonObject().put("node", node)));
    consumer.rxCompletion().blockingAwait();
    return consumer;
  }

  private static int answeredBy(int from, String address) {
    return Requests.<JsonObject>request(cluster.node(from), address, new JsonObject(), OPTIONS)
        .blockingGet().body().getInteger("node");
  }

  @Test
  @DisplayName("are answered on the asking node when it has a consumer, never by another node's")
  void answeredOnTheSameNode() {
    String address = "test.requests." + UUID.randomUUID();
    answering(0, address);
    answering(1, address);

    Set<Integer> answerers = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      answerers.add(answeredBy(0, address));
    }
    assertThat(answerers).containsExactly(0);
  }

  @Test
  @DisplayName("go to another node when the asking node has no consumer")
  void otherNodeWhenNoneHere() {
    String address = "test.requests." + UUID.randomUUID();
    answering(1, address);

    assertThat(answeredBy(0, address)).isEqualTo(1);
  }

  @Test
  @DisplayName("fail as the local consumer failed them, without asking another node")
  void localFailureIsFinal() {
    String address = "test.requests." + UUID.randomUUID();
    cluster.node(0).eventBus().<JsonObject>consumer(address, message -> message.fail(409, "conflict"))
        .rxCompletion().blockingAwait();
    answering(1, address);

    assertThatThrownBy(() -> answeredBy(0, address))
        .isInstanceOfSatisfying(ReplyException.class, failure -> {
          assertThat(failure.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
          assertThat(failure.failureCode()).isEqualTo(409);
        });
  }

  @Test
  @DisplayName("fail with no_handlers when no node has a consumer")
  void noConsumerAnywhere() {
    assertThatThrownBy(() -> answeredBy(0, "test.requests." + UUID.randomUUID()))
        .isInstanceOfSatisfying(ReplyException.class,
            failure -> assertThat(failure.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
  }
}
