package dev.ocomms.gateway.bridge;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.events.EventType;
import dev.ocomms.shared.events.Events;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.Message;

/**
 * An event on its way to the sockets of one address: its bridge frame, built once for all of them, its wire type and,
 * when it is sequenced, its chat seq. Events published through {@link Events#publish} arrive as JSON text with their
 * type and seq in headers, and are wrapped as they are; a JSON object body (published by other code) is encoded once.
 * Only sequenced events are ordered: another event's {@code seq} (a read receipt's watermark) is not a position.
 * {@code acceptedMillis}: a new message's acceptance time ({@link Events#ACCEPTED_HEADER}), else -1.
 */
record Outbound(String frame, String type, long seq, Object body, long acceptedMillis) {

  static Outbound of(String address, Message<Object> message) {
    Object body = message.body();
    if (body instanceof String text) {
      String type = message.headers().get(Events.TYPE_HEADER);
      String seq = message.headers().get(Events.SEQ_HEADER);
      boolean ordered = seq != null && address.startsWith(Addresses.CHAT_PREFIX);
      return new Outbound(BridgeFrames.recText(address, text), type, ordered ? parseSeq(seq) : -1, body,
          parseLong(message.headers().get(Events.ACCEPTED_HEADER)));
    }
    String type = body instanceof JsonObject event ? event.getString("type") : null;
    long seq = address.startsWith(Addresses.CHAT_PREFIX) && EventType.isSequenced(type)
        && ((JsonObject) body).getValue("seq") instanceof Number number ? number.longValue() : -1;
    return new Outbound(BridgeFrames.rec(address, body), type, seq, body, -1);
  }

  private static long parseSeq(String seq) {
    return parseLong(seq);
  }

  private static long parseLong(String value) {
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
