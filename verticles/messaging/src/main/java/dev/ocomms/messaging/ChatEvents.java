package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.Events;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

import java.util.UUID;

/**
 * What workspace and chat actions announce, called once their change has committed and only when something changed.
 * A change of a chat's members or flags is also announced to every messaging instance, which forgets what it
 * remembered of that chat (see {@link Memberships}).
 */
final class ChatEvents {
  private final Vertx vertx;

  ChatEvents(Vertx vertx) {
    this.vertx = vertx;
  }

  /** {@code userId} joined the chat (or {@code by} added them): the chat's members hear it, and the user gets it. */
  void memberJoined(Chat chat, UUID userId, UUID by) {
    membershipChanged(chat.id());
    Events.publish(vertx.eventBus(), new Event.MemberJoined(chat.id().toString(), userId.toString(), by.toString()));
    chatAdded(userId, chat);
  }

  /** {@code userId} left the chat or {@code by} removed them ({@code reason}); the user's sessions drop it. */
  void memberLeft(UUID chatId, UUID userId, UUID by, String reason) {
    membershipChanged(chatId);
    Events.publish(vertx.eventBus(),
        new Event.MemberLeft(chatId.toString(), userId.toString(), by.toString(), reason));
    Events.publish(vertx.eventBus(), new Event.ChatRemoved(userId.toString(), chatId.toString(), reason));
  }

  /** The user is now in the chat (a new workspace's #general, a new DM, a join). */
  void chatAdded(UUID userId, Chat chat) {
    Events.publish(vertx.eventBus(), new Event.ChatAdded(userId.toString(), chat.toJson()));
  }

  /** The chat's name, topic or archived flag changed. */
  void chatUpdated(Chat chat) {
    membershipChanged(chat.id());
    Events.publish(vertx.eventBus(), new Event.ChatUpdated(chat.id().toString(), chat.toJson()));
  }

  private void membershipChanged(UUID chatId) {
    vertx.eventBus().publish(Addresses.MESSAGING_CHAT_CHANGED, new JsonObject().put("chatId", chatId.toString()));
  }
}
