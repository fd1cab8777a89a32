package dev.ocomms.system.outages;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.config.Setting;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.Message;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ocomms.testkit.TestSystem.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping a node's gateway while a browser's request is on its way through it: the gateway (node 0) stops intake,
 * but the request it already forwarded is answered on the connection before the connection closes. The service is a
 * stand-in on node 1 that answers only when the test says, so the stop surely begins while the request is out.
 */
@DisplayName("Stopping a gateway with a bridge request in flight")
class BridgeShutdownTest {
  private static final int GATEWAY = 0;
  private static final int SERVICE = 1;

  private TestSystem system;
  private MessageConsumer<JsonObject> notes;
  private final AtomicReference<Message<JsonObject>> first = new AtomicReference<>();
  private final BlockingQueue<Message<JsonObject>> held = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() {
    system = TestSystem.builder().nodes(2).deployOn(SERVICE, AccountsVerticle::new)
        .deployOn(GATEWAY, GatewayVerticle::new)
        // Longer than the test takes to answer the request it holds (the test kit's default is 1 s).
        .configure(config -> config.with(Setting.SHUTDOWN_GRACE_SECONDS, 20))
        .start();
    // Holds the first request until the test answers it; answers every later one at once.
    notes = system.cluster().node(SERVICE).eventBus().<JsonObject>consumer(Addresses.NOTES_GET, message -> {
      if (first.compareAndSet(null, message)) {
        held.add(message);
      } else {
        message.reply(new JsonObject().put("content", "at once"));
      }
    });
    notes.rxCompletion().blockingAwait();
  }

  @AfterEach
  void stop() {
    held.forEach(message -> message.reply(new JsonObject()));
    held.clear();
    notes.rxUnregister().onErrorComplete().blockingAwait();
    system.close();
  }

  @Test
  @DisplayName("a request forwarded before the stop gets its answer before its connection closes; a later one is "
      + "refused unavailable with retryAfter")
  void forwardedRequestIsAnswered() throws Exception {
    Account alice = system.register("Alice");
    BridgeClient client = system.connect(GATEWAY, Transport.RAW_WEBSOCKET).signedInAs(alice.token());
    JsonObject request = Frames.request(Addresses.NOTES_GET, new JsonObject(), alice.token());
    client.send(request);
    Message<JsonObject> forwarded = held.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(forwarded).as("the request reached the service").isNotNull();

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> system.cluster().shutDown(GATEWAY));
    // Intake has stopped once a new request is refused; the first is still out.
    JsonObject late = Frames.request(Addresses.NOTES_GET, new JsonObject(), alice.token());
    JsonObject refusal = awaitRefusal(client, late);
    assertThat(refusal.getJsonObject("body").getString("code")).as("refusal: %s", refusal).isEqualTo("unavailable");
    assertThat(refusal.getJsonObject("body").getInteger("retryAfter")).as("retryAfter: %s", refusal).isPositive();
    assertThat(client.closedByServer()).as("closed while a forwarded request was out").isFalse();

    forwarded.reply(new JsonObject().put("content", "the answer"));
    JsonObject answer = client.await(Frames.about(request.getString("replyAddress")), WAIT);
    assertThat(answer.getString("type")).isEqualTo("rec");
    assertThat(answer.getJsonObject("body").getString("content")).isEqualTo("the answer");
    client.awaitClosedByServer(WAIT);
    stopping.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Sends {@code request} until one is refused (the stop may not have begun at the first try); the refusal. */
  private static JsonObject awaitRefusal(BridgeClient client, JsonObject request) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject attempt = request.copy().put("replyAddress", Frames.replyAddress());
      client.send(attempt);
      JsonObject reply = client.await(Frames.about(attempt.getString("replyAddress")), WAIT);
      if ("err".equals(reply.getString("type"))) {
        return reply;
      }
    }
    throw new AssertionError("no request was refused while the gateway stopped");
  }
}
