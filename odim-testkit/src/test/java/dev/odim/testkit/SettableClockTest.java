package dev.odim.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class SettableClockTest {

  @Test
  void standsStillUntilMoved() {
    SettableClock clock = SettableClock.at(Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(clock.instant()).isEqualTo(clock.instant());
    clock.advance(Duration.ofHours(24));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-03-02T10:00:00Z"));
    clock.set(Instant.parse("2020-01-01T00:00:00Z"));
    assertThat(clock.millis()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z").toEpochMilli());
  }

  @Test
  void zonedViewSharesTheTime() {
    SettableClock clock = SettableClock.standard();
    var lagos = clock.withZone(ZoneId.of("Africa/Lagos"));
    clock.advance(Duration.ofMinutes(5));
    assertThat(lagos.instant()).isEqualTo(clock.instant());
    assertThat(lagos.getZone()).isEqualTo(ZoneId.of("Africa/Lagos"));
  }
}
