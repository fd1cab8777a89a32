package dev.ocomms.shared.events;

import dev.ocomms.shared.bus.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.eventbus.EventBus;

/** Publishes events: one JSON object per event, {@code type} first, to exactly one audience address. */
public final class Events {
  private Events() {
  }

  public static JsonObject event(EventType type) {
    return new JsonObject().put("type", type.wireName());
  }

  public static void toChat(EventBus bus, String chatId, JsonObject event) {
    bus.publish(Addresses.chat(chatId), event);
  }

  public static void toUser(EventBus bus, String userId, JsonObject event) {
    bus.publish(Addresses.user(userId), event);
  }
}
