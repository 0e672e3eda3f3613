package dev.odim.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditEventTest {

  @Test
  void actionIsRequiredDottedAndShort() {
    assertThatThrownBy(() -> AuditEvent.builder(nullString()).summary("s").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("action is required");
    assertThatThrownBy(() -> AuditEvent.of("  ", "s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("action must not be blank");
    assertThatThrownBy(() -> AuditEvent.of("a".repeat(101), "s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("action must be at most 100 characters, was 101");
    assertThatThrownBy(() -> AuditEvent.of("Payment Succeeded", "s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lowercase dotted words");
    assertThat(AuditEvent.of("a".repeat(100), "s").action()).hasSize(100);
    assertThat(AuditEvent.of("admin.discrepancy.resolved", "s").outcome())
        .isEqualTo(Outcome.SUCCESS);
  }

  @Test
  void summaryIsRequiredAndAtMostAThousandCharacters() {
    assertThatThrownBy(() -> AuditEvent.builder("auth.login").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("summary is required");
    assertThatThrownBy(() -> AuditEvent.of("auth.login", "x".repeat(1001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("summary must be at most 1000 characters, was 1001");
    assertThat(AuditEvent.of("auth.login", "x".repeat(1000)).summary()).hasSize(1000);
  }

  @Test
  void detailsAreFewWithPlainKeys() {
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 21; i++) {
      many.put("k" + i, "v");
    }
    assertThatThrownBy(() -> AuditEvent.builder("a.b").summary("s").details(many).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("details must hold at most 20 entries, had 21");
    assertThatThrownBy(() -> AuditEvent.builder("a.b").summary("s").detail("bad key", "v").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("detail keys");
    assertThatThrownBy(
            () -> AuditEvent.builder("a.b").summary("s").detail("k", "v".repeat(501)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("detail k must be at most 500 characters, was 501");
  }

  @Test
  void emailAddressesInClearAreRefusedWherePersonalDataCouldHide() {
    assertThatThrownBy(() -> AuditEvent.of("auth.login", "Signed in as ada@example.com"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("summary contains an email address in clear; mask it with Mask.email(...)");
    assertThatThrownBy(
            () ->
                AuditEvent.builder("auth.login")
                    .summary("s")
                    .detail("to", "ada@example.com")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("detail to contains an email address in clear");
    assertThatThrownBy(
            () ->
                AuditEvent.builder("auth.login")
                    .summary("s")
                    .target("user:ada@example.com")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("target contains an email address in clear");
    assertThat(AuditEvent.of("auth.login", "Signed in @ 10:00 as a**@e******.com").summary())
        .contains("a**@e******.com");
  }

  @Test
  void textPostgresqlCannotStoreExactlyIsRefused() {
    assertThatThrownBy(() -> AuditEvent.of("a.b", "nul\0here"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("summary must not contain NUL characters");
    assertThatThrownBy(() -> AuditEvent.of("a.b", "half \uD83D surrogate"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("summary contains an unpaired surrogate character");
    assertThat(AuditEvent.of("a.b", "emoji 😀 ok").summary()).contains("😀");
  }

  @Test
  void optionalFieldsAreNullOrNotBlank() {
    assertThatThrownBy(() -> AuditEvent.builder("a.b").summary("s").actor(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("actor must be null or not blank");
    assertThatThrownBy(() -> AuditEvent.builder("a.b").summary("s").actorIp("1".repeat(65)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("actorIp must be at most 64 characters, was 65");
  }

  private static String nullString() {
    return null;
  }
}
