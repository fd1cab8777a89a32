package dev.ocomms.system.bridge;

import dev.ocomms.accounts.AccountsVerticle;
import dev.ocomms.gateway.GatewayVerticle;
import dev.ocomms.messaging.MessagingVerticle;
import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import dev.ocomms.testkit.Account;
import dev.ocomms.testkit.TestSystem;
import dev.ocomms.testkit.bridge.BridgeClient;
import dev.ocomms.testkit.bridge.Frames;
import dev.ocomms.testkit.bridge.Transport;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.EventBus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import static dev.ocomms.testkit.bridge.Frames.about;
import static dev.ocomms.testkit.bridge.Frames.eventOfType;
import static dev.ocomms.testkit.bridge.Frames.rec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bridge orders a chat's <em>sequenced</em> events (message.new/updated/deleted/reaction) by seq, holding an early
 * one until the ones before it arrive (at most {@code ReorderBuffer.HOLD_MS}, 500 ms; everything here happens on
 * one node within milliseconds). Events are published as messaging publishes them, with {@link Events#publish}.
 */
@DisplayName("Ordering of a chat's events on the bridge")
class SequencedOrderTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static TestSystem server;

  @BeforeAll
  static void start() {
    server = TestSystem.builder().deploy(AccountsVerticle::new).deploy(MessagingVerticle::new).deploy(GatewayVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Predicate<JsonObject> message(String chat, long seq) {
    return eventOfType(chat, "message.new").and(frame -> frame.getJsonObject("body").getLong("seq") == seq);
  }

  private static String describe(JsonObject frame) {
    JsonObject body = frame.getJsonObject("body");
    return body.getString("type") + " " + body.getLong("seq");
  }

  @Test
  @DisplayName("A read receipt whose seq equals that of a held message.new is neither held nor put in its place: once "
      + "the missing message arrives, the client has the receipt, then both messages in seq order")
  void readReceiptIsNotOrdered() {
    Account alice = server.register();
    String chatId = server.channel(alice, server.workspace(alice, List.of()),
        "order-" + UUID.randomUUID().toString().substring(0, 8));
    String chat = Addresses.chat(chatId);
    BridgeClient client = server.connect(Transport.RAW_WEBSOCKET);
    JsonObject register = Frames.register(chat, alice.token());
    client.send(register);
    client.await(about(register.getString("replyAddress")), WAIT);
    EventBus bus = server.cluster().node(0).eventBus();

    Events.publish(bus, new Event.MessageNew(chatId, 1, new JsonObject().put("text", "one")));
    client.await(message(chat, 1), WAIT);
    // Message 3 comes before 2 and is held; the receipt carries the same number (a watermark, not a position).
    Events.publish(bus, new Event.MessageNew(chatId, 3, new JsonObject().put("text", "three")));
    Events.publish(bus, new Event.ReadReceipt(chatId, alice.id(), 3));
    client.await(eventOfType(chat, "read.receipt"), WAIT);
    Events.publish(bus, new Event.MessageNew(chatId, 2, new JsonObject().put("text", "two")));
    client.await(message(chat, 2), WAIT);
    client.await(message(chat, 3), WAIT);

    assertThat(client.received().stream().filter(rec(chat)).map(SequencedOrderTest::describe))
        .as("the chat's events, in arrival order")
        .containsExactly("message.new 1", "read.receipt 3", "message.new 2", "message.new 3");
  }
}
