package dev.odim.testkit.paystack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.testkit.paystack.internal.RetrySchedule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  @Test
  void fourTriesThreeMinutesApartThenHourlyForSeventyTwoHours() {
    List<Duration> waits = new ArrayList<>();
    int attempts = 1;
    for (Optional<Duration> next = RetrySchedule.delayAfter(attempts);
        next.isPresent();
        next = RetrySchedule.delayAfter(++attempts)) {
      waits.add(next.get());
    }
    assertThat(attempts).isEqualTo(76);
    assertThat(waits.subList(0, 3)).containsOnly(Duration.ofMinutes(3));
    assertThat(waits.subList(3, waits.size())).hasSize(72).containsOnly(Duration.ofHours(1));
  }

  @Test
  void compressionShrinksPaystackTime() {
    assertThat(RetrySchedule.compress(Duration.ofMinutes(3), Duration.ofMillis(10)))
        .isEqualTo(Duration.ofMillis(30));
    assertThat(RetrySchedule.compress(Duration.ofHours(1), Duration.ofMillis(10)))
        .isEqualTo(Duration.ofMillis(600));
    assertThat(RetrySchedule.compress(Duration.ofHours(1), Duration.ofMinutes(1)))
        .isEqualTo(Duration.ofHours(1));
  }
}
