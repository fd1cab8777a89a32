package dev.ocomms.notifications;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Decision: who of a message's recipients gets a toast, a push or nothing (the badge always moves)")
class DecisionTest {
  /** Friday 2026-12-04 23:30 in Tokyo (14:30 UTC): past midnight nowhere else that matters here. */
  private static final Instant FRIDAY_2330_TOKYO = Instant.parse("2026-12-04T14:30:00Z");
  /** Saturday 2026-12-05 06:30 in Tokyo: still in Friday's 22:00 to 07:00 quiet hours, across midnight. */
  private static final Instant SATURDAY_0630_TOKYO = Instant.parse("2026-12-04T21:30:00Z");
  /** Saturday 2026-12-05 07:30 in Tokyo: Friday's quiet hours are over. */
  private static final Instant SATURDAY_0730_TOKYO = Instant.parse("2026-12-04T22:30:00Z");
  /** Sunday 2026-12-06 06:30 in Tokyo: after Saturday 22:00, but Saturday has no quiet hours. */
  private static final Instant SUNDAY_0630_TOKYO = Instant.parse("2026-12-05T21:30:00Z");

  private static final DndSchedule FRIDAY_NIGHTS = new DndSchedule(EnumSet.of(DayOfWeek.FRIDAY),
      LocalTime.of(22, 0), LocalTime.of(7, 0), ZoneId.of("Asia/Tokyo"));

  @ParameterizedTest(name = "[{index}] {0} level={1} muted={2} dm={3} mentioned={4} dnd={5} urgent={6} "
      + "focused={7} online={8} → badge={9} {10}")
  @CsvSource(delimiter = '|', textBlock = """
      # who  | level    | muted | dm    | mentioned | dnd                | urgent | focused | online | badge | delivery
      sender | all      | false | false | true      | off                | true   | false   | true   | false | NOTHING
      member | all      | false | false | false     | off                | false  | false   | true   | true  | TOAST
      member | all      | false | false | false     | off                | false  | false   | false  | true  | PUSH
      member | all      | false | false | false     | off                | false  | true    | true   | true  | NOTHING
      member | all      | false | false | false     | off                | false  | true    | false  | true  | PUSH
      member | mentions | false | false | false     | off                | false  | false   | true   | true  | NOTHING
      member | mentions | false | false | true      | off                | false  | false   | true   | true  | TOAST
      member | mentions | false | false | true      | off                | false  | false   | false  | true  | PUSH
      member | mentions | false | true  | false     | off                | false  | false   | true   | true  | TOAST
      member | mentions | false | true  | false     | off                | false  | false   | false  | true  | PUSH
      member | nothing  | false | false | true      | off                | false  | false   | true   | true  | NOTHING
      member | nothing  | false | true  | false     | off                | false  | false   | false  | true  | NOTHING
      member | all      | true  | false | true      | off                | false  | false   | true   | true  | NOTHING
      member | all      | true  | true  | true      | off                | false  | false   | false  | true  | NOTHING
      member | all      | false | false | true      | manual             | false  | false   | true   | true  | NOTHING
      member | all      | false | false | true      | manual             | false  | false   | false  | true  | NOTHING
      member | all      | false | true  | true      | manual-expired     | false  | false   | true   | true  | TOAST
      member | all      | false | false | true      | manual-until-later | false  | false   | false  | true  | NOTHING
      member | all      | false | false | true      | friday-2330        | false  | false   | true   | true  | NOTHING
      member | all      | false | false | true      | saturday-0630      | false  | false   | true   | true  | NOTHING
      member | all      | false | false | true      | saturday-0630      | false  | false   | false  | true  | NOTHING
      member | all      | false | false | true      | saturday-0730      | false  | false   | true   | true  | TOAST
      member | all      | false | false | true      | sunday-0630        | false  | false   | false  | true  | PUSH
      member | all      | false | false | false     | manual             | true   | false   | true   | true  | TOAST
      member | all      | false | false | false     | saturday-0630      | true   | false   | false  | true  | PUSH
      member | nothing  | true  | false | false     | manual             | true   | false   | true   | true  | TOAST
      member | nothing  | true  | false | false     | off                | true   | true    | true   | true  | TOAST
      member | mentions | false | false | false     | off                | true   | false   | false  | true  | PUSH
      """)
  void decides(String who, String level, boolean muted, boolean dm, boolean mentioned, String dnd, boolean urgent,
               boolean focused, boolean online, boolean badge, Decision.Delivery delivery) {
    Instant now = switch (dnd) {
      case "friday-2330" -> FRIDAY_2330_TOKYO;
      case "saturday-0630" -> SATURDAY_0630_TOKYO;
      case "saturday-0730" -> SATURDAY_0730_TOKYO;
      case "sunday-0630" -> SUNDAY_0630_TOKYO;
      default -> FRIDAY_2330_TOKYO.minusSeconds(12 * 3600);
    };
    UserSettings user = switch (dnd) {
      case "off" -> UserSettings.DEFAULTS;
      case "manual" -> new UserSettings(true, true, true, null, null);
      case "manual-expired" -> new UserSettings(true, true, true, now.minusSeconds(1), null);
      case "manual-until-later" -> new UserSettings(true, true, true, now.plusSeconds(3600), null);
      default -> new UserSettings(true, true, false, null, FRIDAY_NIGHTS);
    };
    ChatSettings chat = new ChatSettings(ChatSettings.Level.find(level).orElseThrow(), muted);
    Decision.Recipient recipient = new Decision.Recipient(who.equals("sender"), dm, mentioned, urgent, focused,
        online);

    Decision.Outcome outcome = Decision.decide(recipient, user, chat, now);

    assertThat(outcome).isEqualTo(new Decision.Outcome(badge, delivery));
  }
}
