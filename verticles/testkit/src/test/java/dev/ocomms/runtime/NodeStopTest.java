package dev.ocomms.runtime;

import dev.ocomms.shared.bus.BusService;
import dev.ocomms.shared.bus.Input;
import dev.ocomms.testkit.TestConfigs;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.subjects.CompletableSubject;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.AbstractVerticle;
import io.vertx.rxjava3.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Stopping a node")
class NodeStopTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private Vertx node;

  @BeforeEach
  void start() {
    node = NodeStarter.start(TestConfigs.node()).blockingGet();
  }

  @AfterEach
  void stop() {
    node.rxClose().onErrorComplete().blockingAwait();
  }

  /** Records when it begins and ends stopping; optionally serves one address whose answers the test releases. */
  private static final class Recording extends AbstractVerticle {
    final String name;
    final List<String> record;
    final String address;
    final CompletableSubject release = CompletableSubject.create();
    final CountDownLatch begun = new CountDownLatch(1);
    volatile boolean closed;

    Recording(String name, List<String> record, String address) {
      this.name = name;
      this.record = record;
      this.address = address;
    }

    @Override
    public Completable rxStart() {
      if (address == null) {
        return Completable.complete();
      }
      Function<Input, Single<JsonObject>> answer = input -> {
        begun.countDown();
        // Answers once released, saying whether what it uses (a pool, say) was closed by then.
        return release.andThen(Single.fromCallable(() -> new JsonObject().put("closedBeforeAnswer", closed)));
      };
      return BusService.serveInternal(vertx, Map.of(address, answer));
    }

    @Override
    public Completable rxStop() {
      record.add(name + " stopping");
      return BusService.drain(vertx, WAIT).andThen(Completable.fromAction(() -> {
        closed = true;
        record.add(name + " stopped");
      }));
    }
  }

  @Test
  @DisplayName("undeploys the last deployed verticle (the gateway) first, and the next only once it has stopped")
  void lastDeployedStopsFirst() {
    List<String> record = new CopyOnWriteArrayList<>();
    String owner = node.rxDeployVerticle(new Recording("owner", record, null)).blockingGet();
    String intake = node.rxDeployVerticle(new Recording("intake", record, null)).blockingGet();

    NodeStarter.stop(node, List.of(owner, intake)).blockingAwait(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(record).containsExactly("intake stopping", "intake stopped", "owner stopping", "owner stopped");
  }

  @Test
  @DisplayName("a stopping verticle answers the requests it has begun before it closes what they use")
  void begunRequestsAreAnsweredFirst() throws InterruptedException {
    String address = "test.drain." + UUID.randomUUID();
    List<String> record = new CopyOnWriteArrayList<>();
    Recording owner = new Recording("owner", record, address);
    String id = node.rxDeployVerticle(owner).blockingGet();
    Single<JsonObject> reply = node.eventBus().<JsonObject>rxRequest(address, new JsonObject(),
            new DeliveryOptions().setSendTimeout(WAIT.toMillis()))
        .map(message -> message.body())
        .cache();
    reply.subscribe((answer, failure) -> { });
    assertThat(owner.begun.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the request has begun").isTrue();

    Completable stopped = node.rxUndeploy(id).cache();
    stopped.subscribe(() -> { }, failure -> { });
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!record.contains("owner stopping") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(record).as("the owner has begun stopping").contains("owner stopping");
    owner.release.onComplete();

    assertThat(reply.blockingGet().getBoolean("closedBeforeAnswer")).isFalse();
    stopped.blockingAwait(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(owner.closed).isTrue();
  }
}
