package dev.ocomms.notifications;

import dev.ocomms.shared.errors.OcommsException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("DND schedules: quiet hours by weekday in an IANA time zone")
class DndScheduleTest {
  private static JsonObject weeknights() {
    return new JsonObject().put("days", new JsonArray().add("mon").add("tue").add("wed").add("thu").add("fri"))
        .put("start", "22:00").put("end", "07:00").put("timeZone", "America/New_York");
  }

  @Test
  @DisplayName("a schedule reads back as it was given")
  void roundTrip() {
    assertThat(DndSchedule.parse(weeknights()).toJson()).isEqualTo(weeknights());
  }

  @Test
  @DisplayName("quiet hours follow the zone's daylight saving time (22:00 New York is 02:00 or 03:00 UTC)")
  void followsDaylightSaving() {
    DndSchedule schedule = DndSchedule.parse(weeknights());
    // Tuesday 2026-07-07 22:30 EDT = 02:30 UTC on the 8th; Tuesday 2026-12-08 22:30 EST = 03:30 UTC on the 9th.
    assertThat(schedule.covers(Instant.parse("2026-07-08T02:30:00Z"))).isTrue();
    assertThat(schedule.covers(Instant.parse("2026-12-09T03:30:00Z"))).isTrue();
    // 21:30 local in winter is 02:30 UTC: before the quiet hours.
    assertThat(schedule.covers(Instant.parse("2026-12-09T02:30:00Z"))).isFalse();
  }

  @Test
  @DisplayName("a period within one day covers only its hours")
  void sameDay() {
    DndSchedule lunch = DndSchedule.parse(new JsonObject().put("days", new JsonArray().add("wed"))
        .put("start", "12:00").put("end", "13:00").put("timeZone", "UTC"));
    assertThat(lunch.covers(Instant.parse("2026-12-09T12:30:00Z"))).isTrue();
    assertThat(lunch.covers(Instant.parse("2026-12-09T13:00:00Z"))).isFalse();
    assertThat(lunch.covers(Instant.parse("2026-12-10T12:30:00Z"))).isFalse();
  }

  @Test
  @DisplayName("an offset instead of a region, an unknown day, a bad time or start = end are refused")
  void refusesMalformed() {
    for (JsonObject bad : new JsonObject[] {
        weeknights().put("timeZone", "+02:00"), weeknights().put("timeZone", "Mars/Olympus"),
        weeknights().put("days", new JsonArray().add("someday")), weeknights().put("days", new JsonArray()),
        weeknights().put("start", "24:00"), weeknights().put("end", "7:00"), weeknights().put("end", "22:00")}) {
      assertThatThrownBy(() -> DndSchedule.parse(bad)).as("%s", bad).isInstanceOf(OcommsException.class)
          .hasMessageContaining("schedule");
    }
  }
}
