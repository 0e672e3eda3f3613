package dev.odim.webhooks.provider;

import static dev.odim.webhooks.provider.Deliveries.delivery;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.webhooks.SigningSecrets;
import dev.odim.webhooks.SourceIpAllowList;
import dev.odim.webhooks.Verification;
import dev.odim.webhooks.WebhookProvider;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random and hostile header values: every provider answers with a value, never an exception. */
class HostileInputTest {

  private static final String ALPHABET =
      "tv01=,; :.[]%/-+_abcdefABCDEF0123456789whsec\u00e9\u0000\t";

  private static String randomHeader(Random random) {
    StringBuilder s = new StringBuilder();
    int length = random.nextInt(120);
    for (int i = 0; i < length; i++) {
      s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  @Test
  void randomSignatureHeadersAreRejectedNeverThrown() {
    List<WebhookProvider> providers =
        List.of(
            Paystack.withSecrets(SigningSecrets.of("sk_test")),
            Stripe.withSecrets(SigningSecrets.of("whsec_test")),
            StandardWebhooks.withSecrets(SigningSecrets.of("whsec_dGVzdC1rZXk=")));
    List<String> names =
        List.of(
            "x-paystack-signature",
            "Stripe-Signature",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature");
    Random random = new Random(42);
    Instant now = Instant.ofEpochSecond(1_700_000_000L);
    for (int i = 0; i < 3_000; i++) {
      String[] headers = new String[names.size() * 2];
      for (int h = 0; h < names.size(); h++) {
        headers[h * 2] = names.get(h);
        headers[h * 2 + 1] = randomHeader(random);
      }
      var delivery = delivery("{\"event\":\"x\",\"type\":\"x\",\"id\":\"x\",\"data\":{}}", headers);
      for (WebhookProvider provider : providers) {
        assertThat(provider.verify(delivery, now)).isInstanceOf(Verification.Rejected.class);
        assertThat(provider.parse(delivery)).isNotNull();
      }
    }
  }

  @Test
  void randomAddressesAreRefusedNeverThrown() {
    SourceIpAllowList list =
        SourceIpAllowList.of(List.of("52.31.139.75", "2001:db8::/32"))
            .trustingProxies(List.of("10.0.0.0/8", "::1"));
    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      String remote = i % 2 == 0 ? "10.0.0.1" : randomHeader(random);
      List<String> forwarded = List.of(randomHeader(random), randomHeader(random));
      // Random text could only be allowed by spelling an allowed address exactly, which this
      // alphabet and seed never do; what matters is that nothing throws.
      list.allows(remote, forwarded);
      list.clientAddress(remote, forwarded);
    }
    assertThat(list.allows("10.0.0.1", List.of("2001:db8::9"))).isTrue();
  }
}
