package dev.ocomms.notifications;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A user's global notification settings: desktop notifications and sound on or off (the client heeds them), DND set
 * by hand ({@code dndOn}, until {@code dndUntil} when that is set) and a DND schedule.
 */
record UserSettings(boolean desktop, boolean sound, boolean dndOn, Instant dndUntil, DndSchedule schedule) {
  static final UserSettings DEFAULTS = new UserSettings(true, true, false, null, null);

  /** Whether DND holds at {@code now}: set by hand and not expired, or within the schedule's quiet hours. */
  boolean dndActive(Instant now) {
    boolean byHand = dndOn && (dndUntil == null || now.isBefore(dndUntil));
    return byHand || schedule != null && schedule.covers(now);
  }

  JsonObject toJson(Instant now) {
    JsonObject dnd = dndOn ? new JsonObject().put("until", dndUntil == null ? null : dndUntil.toString()) : null;
    return new JsonObject().put("desktop", desktop).put("sound", sound).put("dnd", dnd)
        .put("schedule", schedule == null ? null : schedule.toJson()).put("dndActive", dndActive(now));
  }
}
