package dev.ocomms.messaging;

import dev.ocomms.shared.bus.Addresses;
import io.vertx.core.json.JsonObject;
import io.vertx.rxjava3.core.Vertx;

/**
 * Tells the event stream's followers that something was appended ({@code messaging.events.appended}): at once after
 * a quiet spell, then at most once per {@link #WINDOW_MS} while commits keep coming (a follower reads everything new
 * with each wake-up, so one per window is enough, and a busy chat costs no cluster-wide publish per batch). Used only
 * from its instance's event loop.
 */
final class StreamWakeUps {
  static final long WINDOW_MS = 50;

  private final Vertx vertx;
  private long timer = -1;
  private boolean pending;

  StreamWakeUps(Vertx vertx) {
    this.vertx = vertx;
  }

  void appended() {
    if (timer >= 0) {
      pending = true;
      return;
    }
    publish();
  }

  void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void publish() {
    pending = false;
    vertx.eventBus().publish(Addresses.EVENTS_APPENDED, new JsonObject());
    timer = vertx.setTimer(WINDOW_MS, id -> {
      timer = -1;
      if (pending) {
        publish();
      }
    });
  }
}
