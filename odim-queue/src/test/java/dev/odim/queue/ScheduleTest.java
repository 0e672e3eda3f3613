package dev.odim.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private final NewJob job = NewJob.of("reconcile", "{}");

  @Test
  void theLatestSlotIsTheSlotItselfOrTheOneBefore() {
    Schedule hourly = Schedule.cron("h", "0 * * * *", ZoneOffset.UTC, job);

    assertThat(hourly.latestSlotAtOrBefore(Instant.parse("2026-03-01T10:00:00Z")))
        .contains(Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(hourly.latestSlotAtOrBefore(Instant.parse("2026-03-01T10:59:59Z")))
        .contains(Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(hourly.nextSlotAfter(Instant.parse("2026-03-01T10:00:00Z")))
        .contains(Instant.parse("2026-03-01T11:00:00Z"));
  }

  @Test
  void aDailyScheduleFollowsItsTimeZoneAcrossDaylightSaving() {
    // 09:30 every day in New York; on 2026-03-08 the clocks go forward an hour
    Schedule daily = Schedule.cron("d", "30 9 * * *", ZoneId.of("America/New_York"), job);

    assertThat(daily.latestSlotAtOrBefore(Instant.parse("2026-03-07T15:00:00Z")))
        .contains(Instant.parse("2026-03-07T14:30:00Z")); // EST, UTC-5
    assertThat(daily.latestSlotAtOrBefore(Instant.parse("2026-03-09T15:00:00Z")))
        .contains(Instant.parse("2026-03-09T13:30:00Z")); // EDT, UTC-4
  }

  @Test
  void eachSlotHasItsOwnStableJobId() {
    Schedule hourly = Schedule.cron("h", "0 * * * *", ZoneOffset.UTC, job);
    Instant ten = Instant.parse("2026-03-01T10:00:00Z");

    assertThat(hourly.jobFor(ten).id()).isEqualTo(hourly.jobFor(ten).id());
    assertThat(hourly.jobFor(ten).id()).isNotEqualTo(hourly.jobFor(ten.plusSeconds(3600)).id());
  }

  @Test
  void aBadExpressionIsRefusedWithItsText() {
    assertThatThrownBy(() -> Schedule.cron("x", "every hour", ZoneOffset.UTC, job))
        .isInstanceOf(InvalidJobException.class)
        .hasMessageContaining("every hour");
  }
}
