package dev.odim.uploads.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(8, Duration.ofMillis(250), Duration.ofSeconds(30));

  @Test
  void ceilingDoublesFromTheBaseUpToTheCap() {
    assertThat(policy.ceiling(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(policy.ceiling(2)).isEqualTo(Duration.ofMillis(500));
    assertThat(policy.ceiling(3)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.ceiling(7)).isEqualTo(Duration.ofSeconds(16));
    assertThat(policy.ceiling(8)).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.ceiling(9)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void ceilingNeverOverflows() {
    assertThat(policy.ceiling(63)).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(30));
    RetryPolicy huge = new RetryPolicy(3, Duration.ofDays(1), Duration.ofDays(365));
    assertThat(huge.ceiling(40)).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void delayIsAFractionOfTheCeiling() {
    assertThat(policy.delay(3, 0.0)).isEqualTo(Duration.ZERO);
    assertThat(policy.delay(3, 0.5)).isEqualTo(Duration.ofMillis(500));
    assertThat(policy.delay(3, 0.999)).isLessThan(Duration.ofSeconds(1));
    assertThatThrownBy(() -> policy.delay(3, 1.0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> policy.delay(0, 0.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void noneMeansOneAttemptWithoutWaiting() {
    assertThat(RetryPolicy.NONE.maxAttempts()).isEqualTo(1);
    assertThat(RetryPolicy.NONE.ceiling(5)).isEqualTo(Duration.ZERO);
  }
}
