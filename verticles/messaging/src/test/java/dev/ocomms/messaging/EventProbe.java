package dev.ocomms.messaging;

import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;
import io.vertx.rxjava3.core.eventbus.MessageConsumer;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What one audience address ({@code chat.<id>} or {@code user.<id>}) received, as a browser registered there would.
 * Registered on a node other than the one publishing, so events really cross the cluster.
 */
final class EventProbe implements AutoCloseable {
  /** How long to wait before concluding that an event did not come. */
  static final Duration QUIET = Duration.ofMillis(300);
  private static final Duration PATIENCE = Duration.ofSeconds(5);

  private final String address;
  private final MessageConsumer<Object> consumer;
  private final List<JsonObject> received = new CopyOnWriteArrayList<>();

  EventProbe(Vertx node, String address) {
    this.address = address;
    this.consumer = node.eventBus().consumer(address);
    consumer.handler(message -> received.add(dev.ocomms.shared.events.Events.json(message.body())));
    consumer.rxCompletion().blockingAwait();
  }

  /** The first event of this type, waiting for it if need be; fails when none arrives. */
  JsonObject awaitOne(String type) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      List<JsonObject> matching = ofType(type);
      if (!matching.isEmpty()) {
        return matching.get(0);
      }
      pause(Duration.ofMillis(10));
    }
    throw new AssertionError("no " + type + " event on " + address + " within " + PATIENCE + "; got " + received);
  }

  /** The first event of this type that satisfies {@code condition}, waiting for it if need be. */
  JsonObject awaitMatching(String type, Predicate<JsonObject> condition) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<JsonObject> match = ofType(type).stream().filter(condition).findFirst();
      if (match.isPresent()) {
        return match.get();
      }
      pause(Duration.ofMillis(10));
    }
    throw new AssertionError("no matching " + type + " event on " + address + " within " + PATIENCE + "; got "
        + received);
  }

  /**
   * The chat of the {@code chat.added} about {@code chatId}: a user may still hear of an earlier chat (their
   * workspace's #general) after the listening began.
   */
  JsonObject awaitChatAdded(String chatId) {
    return awaitMatching("chat.added", event -> chatId.equals(event.getJsonObject("chat").getString("id")))
        .getJsonObject("chat");
  }

  /** Every event of this type received so far. */
  List<JsonObject> ofType(String type) {
    return received.stream().filter(event -> type.equals(event.getString("type"))).toList();
  }

  /** Everything received once the bus has been quiet for a moment: for asserting that something did not come. */
  List<JsonObject> settled() {
    pause(QUIET);
    return List.copyOf(received);
  }

  /** The {@code notification.badge} events received, in order, once the bus has been quiet. */
  List<JsonObject> settledBadges() {
    return settled().stream().filter(event -> "notification.badge".equals(event.getString("type"))).toList();
  }

  /**
   * Everything received about one chat once the bus has been quiet. Publishing and replying race across the
   * cluster, so a probe opened just after a step may still catch that step's events: assertions filter on what
   * they are about rather than counting everything.
   */
  List<JsonObject> settledAbout(String chatId) {
    return settled().stream().filter(event -> chatId.equals(event.getString("chatId"))
        || (event.getJsonObject("chat") != null && chatId.equals(event.getJsonObject("chat").getString("id"))))
        .toList();
  }

  @Override
  public void close() {
    consumer.rxUnregister().blockingAwait();
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
