package dev.ocomms.notifications;

import dev.ocomms.shared.bus.Input;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Quiet hours that repeat: on each of {@code days}, from {@code start} to {@code end} in the user's IANA time zone. A
 * period whose end is not after its start runs past midnight into the next day, and belongs to the day it starts on
 * (Friday 22:00 to 07:00 covers Saturday 06:00).
 */
record DndSchedule(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) {
  private static final Pattern TIME = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d");
  private static final List<String> DAY_NAMES = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  /** Whether the quiet hours cover {@code now}. */
  boolean covers(Instant now) {
    ZonedDateTime local = now.atZone(zone);
    LocalTime time = local.toLocalTime();
    DayOfWeek today = local.getDayOfWeek();
    if (start.isBefore(end)) {
      return days.contains(today) && !time.isBefore(start) && time.isBefore(end);
    }
    return days.contains(today) && !time.isBefore(start) || days.contains(today.minus(1)) && time.isBefore(end);
  }

  JsonObject toJson() {
    JsonArray names = new JsonArray();
    for (DayOfWeek day : DayOfWeek.values()) {
      if (days.contains(day)) {
        names.add(DAY_NAMES.get(day.getValue() - 1));
      }
    }
    return new JsonObject().put("days", names).put("start", start.toString()).put("end", end.toString())
        .put("timeZone", zone.getId());
  }

  /** From its JSON as a client sends it; validation_failed (field schedule) naming what is wrong. */
  static DndSchedule parse(JsonObject json) {
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    if (!(json.getValue("days") instanceof JsonArray names) || names.isEmpty()) {
      throw invalid("schedule.days must be a non-empty array of mon, tue, wed, thu, fri, sat, sun");
    }
    for (Object name : names) {
      int index = name instanceof String text ? DAY_NAMES.indexOf(text.toLowerCase(Locale.ROOT)) : -1;
      if (index < 0) {
        throw invalid("schedule.days must be a non-empty array of mon, tue, wed, thu, fri, sat, sun");
      }
      days.add(DayOfWeek.of(index + 1));
    }
    LocalTime start = time(json, "start");
    LocalTime end = time(json, "end");
    if (start.equals(end)) {
      throw invalid("schedule.start and schedule.end must differ");
    }
    String zone = json.getValue("timeZone") instanceof String text ? text : "";
    // Region ids only (Europe/Berlin): a fixed offset would not follow daylight saving time.
    if (!ZoneId.getAvailableZoneIds().contains(zone)) {
      throw invalid("schedule.timeZone must be an IANA time zone such as Europe/Berlin");
    }
    return new DndSchedule(days, start, end, ZoneId.of(zone));
  }

  private static LocalTime time(JsonObject json, String field) {
    String text = json.getValue(field) instanceof String value ? value : "";
    if (!TIME.matcher(text).matches()) {
      throw invalid("schedule." + field + " must be a time of day as HH:MM (00:00 to 23:59)");
    }
    try {
      return LocalTime.parse(text);
    } catch (DateTimeParseException e) {
      throw invalid("schedule." + field + " must be a time of day as HH:MM (00:00 to 23:59)");
    }
  }

  private static RuntimeException invalid(String detail) {
    return Input.invalid("schedule", detail);
  }
}
