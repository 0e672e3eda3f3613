package dev.odim.webhooks.provider;

import static dev.odim.webhooks.provider.Deliveries.delivery;
import static dev.odim.webhooks.provider.Deliveries.hmacHex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.webhooks.SigningSecrets;
import dev.odim.webhooks.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class HmacTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/odim/webhooks/provider");

  @Test
  void matchesAnyIsTrueOnlyForAnExactCandidate() {
    byte[] expected = {1, 2, 3, 4};

    assertThat(Hmac.matchesAny(expected, List.of(new byte[] {1, 2, 3, 4}))).isTrue();
    assertThat(Hmac.matchesAny(expected, List.of(new byte[] {9}, new byte[] {1, 2, 3, 4})))
        .isTrue();
    assertThat(Hmac.matchesAny(expected, List.of(new byte[] {1, 2, 3}))).isFalse();
    assertThat(Hmac.matchesAny(expected, List.of(new byte[] {1, 2, 3, 4, 5}))).isFalse();
    assertThat(Hmac.matchesAny(expected, List.of(new byte[] {1, 2, 3, 5}))).isFalse();
    assertThat(Hmac.matchesAny(expected, List.of())).isFalse();
  }

  /**
   * Timing cannot be measured reliably in a unit test, so this guards the structure instead: the
   * one comparison is MessageDigest.isEqual, and every provider compares through it, never with
   * Arrays.equals, String.equals on hex or base64, or an early-exit loop of its own.
   */
  @Test
  void signaturesAreComparedOnlyInConstantTime() throws IOException {
    String hmac = Files.readString(SOURCES.resolve("Hmac.java"));
    assertThat(hmac).contains("MessageDigest.isEqual(expected, candidate)");

    for (String provider : List.of("Paystack.java", "Stripe.java", "StandardWebhooks.java")) {
      String source = Files.readString(SOURCES.resolve(provider));
      assertThat(source)
          .as(provider)
          .contains("Hmac.matchesAny(")
          .doesNotContain("Arrays.equals")
          .doesNotContain("Arrays.mismatch")
          .doesNotContain("equalsIgnoreCase")
          .doesNotContain("formatHex")
          .doesNotContain("getEncoder()");
    }
  }

  @Test
  void providersVerifyCorrectlyFromManyThreadsAtOnce() throws Exception {
    Paystack paystack = Paystack.withSecrets(SigningSecrets.of("sk_threads"));
    Instant now = Instant.parse("2026-11-25T12:00:00Z");
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        int n = i;
        results.add(
            pool.submit(
                () -> {
                  String body =
                      "{\"event\":\"charge.success\",\"data\":{\"reference\":\"" + n + "\"}}";
                  String secret = n % 3 == 0 ? "sk_wrong" : "sk_threads";
                  Verification v =
                      paystack.verify(
                          delivery(
                              body, "x-paystack-signature", hmacHex("HmacSHA512", secret, body)),
                          now);
                  return (v == Verification.VERIFIED) == (n % 3 != 0);
                }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    }
  }
}
