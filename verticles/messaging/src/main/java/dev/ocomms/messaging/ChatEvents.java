package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import dev.ocomms.shared.events.Event;
import dev.ocomms.shared.events.EventType;
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
  private final StreamWakeUps wakeUps;

  ChatEvents(Vertx vertx) {
    this.vertx = vertx;
    this.wakeUps = new StreamWakeUps(vertx);
  }

  /** On verticle stop. */
  void close() {
    wakeUps.close();
  }

  /**
   * A committed system message (a join, a leave, a rename...): its {@code message.new} goes to the chat like any
   * message's, and the event stream's followers are woken. A join's and a chat change's come before their
   * member.joined or chat.updated; a leave's and a removal's after their member.left, so that the member who is gone
   * hears nothing of the chat after it.
   */
  void systemMessage(Message message) {
    Events.publish(vertx.eventBus(), message.asEvent(EventType.MESSAGE_NEW, message.seq(), null));
    wakeUps.appended();
  }

  /**
   * {@code userId} joined the chat (or {@code by} added them): the chat's members hear it with its new member count,
   * and the user gets the chat.
   */
  void memberJoined(Chat chat, UUID userId, UUID by) {
    membershipChanged(chat.id());
    Events.publish(vertx.eventBus(), new Event.MemberJoined(chat.id().toString(), userId.toString(), by.toString(),
        chat.memberCount()));
    chatAdded(userId, chat);
  }

  /**
   * {@code userId} left the chat or {@code by} removed them ({@code reason}); the members hear it with the chat's new
   * member count, and the user's sessions drop the chat.
   */
  void memberLeft(UUID chatId, UUID userId, UUID by, String reason, int memberCount) {
    membershipChanged(chatId);
    Events.publish(vertx.eventBus(),
        new Event.MemberLeft(chatId.toString(), userId.toString(), by.toString(), reason, memberCount));
    Events.publish(vertx.eventBus(), new Event.ChatRemoved(userId.toString(), chatId.toString(), reason));
  }

  /** The user is now in the chat (a new workspace's #general, a new DM, a join). */
  void chatAdded(UUID userId, Chat chat) {
    Events.publish(vertx.eventBus(), new Event.ChatAdded(userId.toString(), chat.toJson()));
  }

  /** The chat's name, topic, purpose or archived flag changed. */
  void chatUpdated(Chat chat) {
    membershipChanged(chat.id());
    Events.publish(vertx.eventBus(), new Event.ChatUpdated(chat.id().toString(), chat.toJson()));
  }

  private void membershipChanged(UUID chatId) {
    vertx.eventBus().publish(Addresses.MESSAGING_CHAT_CHANGED, new JsonObject().put("chatId", chatId.toString()));
  }
}
