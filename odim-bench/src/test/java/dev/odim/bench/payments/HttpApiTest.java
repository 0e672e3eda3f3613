package dev.odim.bench.payments;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpApiTest {

  private static HttpApi.Answer answer(int status, String retryAfter) {
    return new HttpApi.Answer(
        status, MissingNode.getInstance(), Optional.empty(), Optional.ofNullable(retryAfter));
  }

  @Test
  void onlyRefusalsThatAskForALaterTryAreRetried() {
    assertThat(answer(503, "30").retryable()).isTrue();
    assertThat(answer(409, null).retryable()).isTrue();
    assertThat(answer(429, "1").retryable()).isTrue();
    // a 500 is a bug or a broken dependency: counted as an error, never waited out
    assertThat(answer(500, null).retryable()).isFalse();
    assertThat(answer(422, null).retryable()).isFalse();
  }

  @Test
  void backoffFollowsRetryAfterButAsksAgainWithinASecond() {
    assertThat(answer(503, "30").backoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(answer(503, null).backoff()).isEqualTo(Duration.ofMillis(50));
    assertThat(answer(503, "soon").backoff()).isEqualTo(Duration.ofSeconds(1));
  }
}
