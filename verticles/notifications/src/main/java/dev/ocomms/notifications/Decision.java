package dev.ocomms.notifications;

import java.time.Instant;

/**
 * Who is told what of one message: a pure function of the recipient's settings and situation, so that every rule is
 * tested in one table ({@code DecisionTest}). The unread badge is messaging's and updates for every member but the
 * sender whatever is decided here.
 */
final class Decision {
  private Decision() {
  }

  /** How a recipient hears of a message: a toast on their live connections, a push to their browsers, or not. */
  enum Delivery { TOAST, PUSH, NOTHING }

  /** What the recipient gets: whether their badge moves (messaging's), and the notification. */
  record Outcome(boolean badge, Delivery delivery) {
  }

  /**
   * One recipient of one message. {@code mentioned}: by name, @channel or @here; {@code focused}: the recipient shows
   * the chat on some device; {@code online}: the recipient has a live connection.
   */
  record Recipient(boolean sender, boolean dm, boolean mentioned, boolean urgent, boolean focused, boolean online) {
  }

  static Outcome decide(Recipient recipient, UserSettings user, ChatSettings chat, Instant now) {
    if (recipient.sender()) {
      return new Outcome(false, Delivery.NOTHING);
    }
    // Urgent breaks through the chat's level, mute and DND, and stays shown until acknowledged: a focused chat
    // shows the message, but not that it waits for an acknowledgement.
    if (recipient.urgent()) {
      return new Outcome(true, recipient.online() ? Delivery.TOAST : Delivery.PUSH);
    }
    if (!wanted(recipient.dm(), recipient.mentioned(), chat) || user.dndActive(now)) {
      return new Outcome(true, Delivery.NOTHING);
    }
    if (!recipient.online()) {
      return new Outcome(true, Delivery.PUSH);
    }
    return new Outcome(true, recipient.focused() ? Delivery.NOTHING : Delivery.TOAST);
  }

  /**
   * Whether the chat's settings let a (not urgent) message reach the recipient at all. The follower asks this first,
   * so that members who could not be told are never looked up (presence, focus, their settings).
   */
  static boolean wanted(boolean dm, boolean mentioned, ChatSettings chat) {
    return !chat.muted() && switch (chat.level()) {
      case ALL -> true;
      case MENTIONS -> mentioned || dm;
      case NOTHING -> false;
    };
  }
}
