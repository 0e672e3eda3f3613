package dev.odim.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.queue.Backoff;
import dev.odim.queue.NewJob;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A job passes through the outbox as JSON and comes out the same job. */
class RelayedJobTest {

  @Test
  void everyFieldSurvivesTheTrip() {
    NewJob job =
        NewJob.of("payout", "{\"amount\": 1.50, \"note\": \"caf\\u00e9 \u20a6\"}")
            .id(UUID.randomUUID())
            .queue("payouts")
            .deduplicationKey("payout:9")
            .orderingKey("creator:4")
            .priority(-7)
            .runAt(Instant.parse("2026-01-01T10:00:00.123456Z"))
            .maxAttempts(3)
            .backoff(Backoff.spread(3, Duration.ofHours(24)))
            .timeout(Duration.ofMillis(1500));

    assertThat(RelayedJob.fromJson(RelayedJob.toJson(job))).isEqualTo(job);
  }

  @Test
  void absentOptionsStayAbsent() {
    NewJob job = NewJob.of("t", "[]").id(UUID.randomUUID());

    assertThat(RelayedJob.fromJson(RelayedJob.toJson(job))).isEqualTo(job);
  }

  @Test
  void aPayloadThatIsNotARelayedJobIsRefused() {
    assertThatThrownBy(() -> RelayedJob.fromJson("{\"id\":\"x\"}"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
