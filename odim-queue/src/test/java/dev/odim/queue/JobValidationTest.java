package dev.odim.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.queue.internal.JobValidator;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Bad jobs are refused before a backend sees them, naming the field. */
class JobValidationTest {
  private final JobValidator validator = new JobValidator(1024);
  private final NewJob valid = NewJob.of("send-receipt", "{\"a\":1}").id(UUID.randomUUID());

  @Test
  void aValidJobPasses() {
    assertThat(validator.validated(valid)).isSameAs(valid);
    assertThat(validator.validated(valid.payload("[1,2]"))).isNotNull();
    assertThat(validator.validated(valid.payload("\"text\""))).isNotNull();
  }

  @Test
  void eachBadFieldIsNamed() {
    refused(valid.payload("x".repeat(2000)), "payload");
    refused(valid.payload("{\"a\":"), "payload");
    refused(valid.payload("{} {}"), "payload");
    refused(valid.payload("\"nul \\u0000\""), "payload");
    refused(valid.payload(""), "payload");
    refused(NewJob.of("has space", "{}").id(UUID.randomUUID()), "type");
    refused(valid.queue(""), "queue");
    refused(valid.priority(1001), "priority");
    refused(valid.maxAttempts(0), "maxAttempts");
    refused(valid.timeout(Duration.ZERO), "timeout");
    refused(valid.deduplicationKey(""), "deduplicationKey");
    refused(valid.orderingKey("k".repeat(513)), "orderingKey");
  }

  private void refused(NewJob job, String field) {
    assertThatThrownBy(() -> validator.validated(job))
        .isInstanceOf(InvalidJobException.class)
        .satisfies(e -> assertThat(((InvalidJobException) e).field()).isEqualTo(field));
  }
}
