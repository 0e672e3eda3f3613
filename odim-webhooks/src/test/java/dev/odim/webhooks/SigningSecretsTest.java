package dev.odim.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SigningSecretsTest {

  private static final Instant ROTATION_ENDS = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void onlyTheCurrentSecretIsActiveWithoutRotation() {
    assertThat(SigningSecrets.of("sk_new").active(Instant.EPOCH)).containsExactly("sk_new");
  }

  @Test
  void previousSecretIsActiveUntilItsInstantAndNotFromIt() {
    SigningSecrets secrets = SigningSecrets.of("sk_new").withPrevious("sk_old", ROTATION_ENDS);

    assertThat(secrets.active(ROTATION_ENDS.minusNanos(1))).containsExactly("sk_new", "sk_old");
    assertThat(secrets.active(ROTATION_ENDS)).containsExactly("sk_new");
    assertThat(secrets.active(ROTATION_ENDS.plus(Duration.ofDays(1)))).containsExactly("sk_new");
  }

  @Test
  void overlappingRotationsEachExpireOnTheirOwn() {
    SigningSecrets secrets =
        SigningSecrets.of("k3")
            .withPrevious("k2", ROTATION_ENDS.plusSeconds(60))
            .withPrevious("k1", ROTATION_ENDS);

    assertThat(secrets.active(ROTATION_ENDS.minusSeconds(1))).containsExactly("k3", "k2", "k1");
    assertThat(secrets.active(ROTATION_ENDS)).containsExactly("k3", "k2");
    assertThat(secrets.all()).containsExactly("k3", "k2", "k1");
  }

  @Test
  void withPreviousLeavesTheOriginalUnchanged() {
    SigningSecrets original = SigningSecrets.of("sk_new");
    original.withPrevious("sk_old", ROTATION_ENDS);

    assertThat(original.active(Instant.EPOCH)).containsExactly("sk_new");
  }

  @Test
  void blankSecretsAreRefused() {
    assertThatThrownBy(() -> SigningSecrets.of(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("current secret is blank");
    assertThatThrownBy(() -> SigningSecrets.of(" \t")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SigningSecrets.of("sk").withPrevious("  ", ROTATION_ENDS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("previous secret is blank");
  }

  @Test
  void toStringNeverShowsASecret() {
    String text =
        SigningSecrets.of("sk_live_current_value")
            .withPrevious("sk_live_old_value", ROTATION_ENDS)
            .toString();

    assertThat(text)
        .doesNotContain("sk_live")
        .doesNotContain("value")
        .contains("2026-12-01T00:00:00Z");
  }
}
