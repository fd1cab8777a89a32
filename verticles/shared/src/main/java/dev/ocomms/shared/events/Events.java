package dev.ocomms.shared.events;

import dev.ocomms.shared.bus.Addresses;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.EventBus;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;

/**
 * Publishes events to their audience, serialized once: the body on the bus is the event's JSON text, so that neither
 * the event bus (no codec copy, no re-encoding per node) nor the bridge (which wraps the text in its frame as it is)
 * encodes it again. Headers carry what the bridge needs without parsing: {@link #TYPE_HEADER} always,
 * {@link #SEQ_HEADER} on sequenced events only, and {@link #ACCEPTED_HEADER} on new messages.
 */
public final class Events {
  /** The event's wire type. */
  public static final String TYPE_HEADER = "ocomms-event";
  /** A sequenced event's chat seq (absent on every other event). */
  public static final String SEQ_HEADER = "ocomms-seq";
  /**
   * A new message's acceptance time ({@code createdAt}), in epoch milliseconds: what the bridges measure delivery
   * latency from without parsing the body. Only on {@code message.new}.
   */
  public static final String ACCEPTED_HEADER = "ocomms-accepted";

  private Events() {
  }

  /** Publishes the event on its audience's address. */
  public static void publish(EventBus bus, Event event) {
    bus.publish(address(event.type().audience(), event.audienceId()), event.toJson().encode(), headers(event));
  }

  /** Publishes one event to several audiences of its kind (a presence change to each subscriber), encoded once. */
  public static void publish(EventBus bus, Event event, Collection<String> audienceIds) {
    String body = event.toJson().encode();
    DeliveryOptions options = headers(event);
    audienceIds.forEach(id -> bus.publish(address(event.type().audience(), id), body, options));
  }

  /** An event body as received from the bus (JSON text, or a JSON object from a test) as a JSON object. */
  public static JsonObject json(Object body) {
    if (body instanceof JsonObject json) {
      return json;
    }
    if (body instanceof String text) {
      return new JsonObject(text);
    }
    throw new IllegalArgumentException("not an event body: " + (body == null ? "null" : body.getClass().getName()));
  }

  private static DeliveryOptions headers(Event event) {
    DeliveryOptions options = new DeliveryOptions().addHeader(TYPE_HEADER, event.type().wireName());
    if (event.type().sequenced()) {
      options.addHeader(SEQ_HEADER, Long.toString(event.seq()));
    }
    if (event instanceof Event.MessageNew created && created.message().getValue("createdAt") instanceof String at) {
      try {
        options.addHeader(ACCEPTED_HEADER, Long.toString(Instant.parse(at).toEpochMilli()));
      } catch (DateTimeParseException notAnInstant) {
        // Not measured.
      }
    }
    return options;
  }

  private static String address(EventType.Audience audience, String id) {
    return audience == EventType.Audience.CHAT ? Addresses.chat(id) : Addresses.user(id);
  }
}
