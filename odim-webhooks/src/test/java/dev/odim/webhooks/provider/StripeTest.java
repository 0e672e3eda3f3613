package dev.odim.webhooks.provider;

import static dev.odim.webhooks.provider.Deliveries.delivery;
import static dev.odim.webhooks.provider.Deliveries.event;
import static dev.odim.webhooks.provider.Deliveries.hmacHex;
import static dev.odim.webhooks.provider.Deliveries.sha256Key;
import static dev.odim.webhooks.provider.Deliveries.unparseable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.webhooks.ParsedEvent;
import dev.odim.webhooks.SigningSecrets;
import dev.odim.webhooks.Verification;
import dev.odim.webhooks.WebhookDelivery;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StripeTest {

  private static final String SECRET = "whsec_odim_stripe_vector";
  private static final String HEADER = "Stripe-Signature";
  private static final long T = 1_700_000_000L;
  private static final Instant SIGNED_AT = Instant.ofEpochSecond(T);

  private static final String BODY =
      """
      {"id":"evt_1OdimVector","object":"event","type":"payment_intent.succeeded",\
      "data":{"object":{"id":"pi_3OdimVector","object":"payment_intent","amount":2000}}}""";

  /**
   * HMAC-SHA256 of {@code "1700000000." + BODY} under the whole secret string (prefix included, as
   * Stripe does), computed outside Java with Python's hmac module and with {@code printf '%s'
   * "1700000000.$body" | openssl dgst -sha256 -hmac whsec_odim_stripe_vector}.
   */
  private static final String BODY_V1 =
      "96594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010f1";

  private final Stripe stripe = Stripe.withSecrets(SigningSecrets.of(SECRET));

  private static String v1(String secret, long t, String body) {
    return hmacHex("HmacSHA256", secret, t + "." + body);
  }

  private static String reason(Verification verification) {
    assertThat(verification).isInstanceOf(Verification.Rejected.class);
    return ((Verification.Rejected) verification).reason();
  }

  private Verification verify(String header, Instant now) {
    return stripe.verify(delivery(BODY, HEADER, header), now);
  }

  @Nested
  class Signatures {

    @Test
    void independentlyComputedVectorVerifies() {
      assertThat(v1(SECRET, T, BODY)).isEqualTo(BODY_V1);
      assertThat(verify("t=" + T + ",v1=" + BODY_V1, SIGNED_AT)).isEqualTo(Verification.VERIFIED);
    }

    @Test
    void anyOfSeveralV1SignaturesMayMatch() {
      String other = v1("whsec_other", T, BODY);
      assertThat(verify("t=" + T + ",v1=" + other + ",v1=" + BODY_V1, SIGNED_AT))
          .isEqualTo(Verification.VERIFIED);
      assertThat(verify("v1=" + BODY_V1 + ", t=" + T + ", v1=" + other, SIGNED_AT))
          .isEqualTo(Verification.VERIFIED);
    }

    @Test
    void otherSchemesAreIgnored() {
      String v0 = v1(SECRET, T, BODY);
      assertThat(verify("t=" + T + ",v0=" + v0 + ",v1=" + BODY_V1 + ",v9=x", SIGNED_AT))
          .isEqualTo(Verification.VERIFIED);
      assertThat(reason(verify("t=" + T + ",v0=" + v0, SIGNED_AT))).contains("no v1= signature");
    }

    @Test
    void theTimestampIsPartOfTheSignedPayload() {
      // The right signature with another timestamp, still within the tolerance, is refused.
      assertThat(reason(verify("t=" + (T + 1) + ",v1=" + BODY_V1, SIGNED_AT)))
          .contains("no v1 signature matching an active secret");
    }

    @Test
    void aChangedBodyIsRejected() {
      WebhookDelivery d =
          delivery(BODY.replace("2000", "2001"), HEADER, "t=" + T + ",v1=" + BODY_V1);
      assertThat(stripe.verify(d, SIGNED_AT)).isInstanceOf(Verification.Rejected.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 15, 31})
    void aSignatureWrongInOneByteIsRejected(int index) {
      char[] hex = BODY_V1.toCharArray();
      hex[index * 2 + 1] = hex[index * 2 + 1] == 'f' ? 'e' : 'f';
      assertThat(verify("t=" + T + ",v1=" + new String(hex), SIGNED_AT))
          .isInstanceOf(Verification.Rejected.class);
    }
  }

  @Nested
  class Tolerance {

    private final String header = "t=" + T + ",v1=" + BODY_V1;

    @Test
    void defaultIsFiveMinutesInEitherDirection() {
      assertThat(verify(header, SIGNED_AT.plusSeconds(300))).isEqualTo(Verification.VERIFIED);
      assertThat(verify(header, SIGNED_AT.plusSeconds(300).plusMillis(999)))
          .isEqualTo(Verification.VERIFIED);
      assertThat(reason(verify(header, SIGNED_AT.plusSeconds(301))))
          .isEqualTo("Stripe-Signature t= is 301 s old, more than the 300 s tolerance");

      assertThat(verify(header, SIGNED_AT.minusSeconds(300))).isEqualTo(Verification.VERIFIED);
      assertThat(reason(verify(header, SIGNED_AT.minusSeconds(301))))
          .isEqualTo("Stripe-Signature t= is 301 s in the future, more than the 300 s tolerance");
    }

    @Test
    void toleranceIsConfigurable() {
      Stripe strict =
          Stripe.builder(SigningSecrets.of(SECRET)).tolerance(Duration.ofSeconds(10)).build();
      WebhookDelivery d = delivery(BODY, HEADER, header);

      assertThat(strict.verify(d, SIGNED_AT.plusSeconds(10))).isEqualTo(Verification.VERIFIED);
      assertThat(strict.verify(d, SIGNED_AT.plusSeconds(11)))
          .isInstanceOf(Verification.Rejected.class);
      assertThat(strict.verify(d, SIGNED_AT.minusSeconds(10))).isEqualTo(Verification.VERIFIED);
      assertThat(strict.verify(d, SIGNED_AT.minusSeconds(11)))
          .isInstanceOf(Verification.Rejected.class);
    }

    @Test
    void anAncientOrFarFutureTimestampIsRejectedEvenWithAValidSignature() {
      assertThat(verify("t=0,v1=" + v1(SECRET, 0, BODY), SIGNED_AT))
          .isInstanceOf(Verification.Rejected.class);
      long future = 99_999_999_999L;
      assertThat(verify("t=" + future + ",v1=" + v1(SECRET, future, BODY), SIGNED_AT))
          .isInstanceOf(Verification.Rejected.class);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0, 86_401_000})
    void outOfRangeTolerancesAreRefusedAtBuildTime(long millis) {
      assertThatThrownBy(
              () -> Stripe.builder(SigningSecrets.of(SECRET)).tolerance(Duration.ofMillis(millis)))
          .isInstanceOfSatisfying(
              OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo("tolerance"));
    }
  }

  @Nested
  class Rotation {

    private final Instant until = SIGNED_AT.plusSeconds(60);
    private final Stripe rotating =
        Stripe.withSecrets(SigningSecrets.of("whsec_new").withPrevious("whsec_old", until));

    private Verification verifySignedWith(String secret, Instant now) {
      return rotating.verify(delivery(BODY, HEADER, "t=" + T + ",v1=" + v1(secret, T, BODY)), now);
    }

    @Test
    void newKeyIsAcceptedThroughout() {
      assertThat(verifySignedWith("whsec_new", SIGNED_AT)).isEqualTo(Verification.VERIFIED);
      assertThat(verifySignedWith("whsec_new", until.plusSeconds(30)))
          .isEqualTo(Verification.VERIFIED);
    }

    @Test
    void oldKeyIsAcceptedUntilTheEndOfTheWindow() {
      assertThat(verifySignedWith("whsec_old", until.minusSeconds(1)))
          .isEqualTo(Verification.VERIFIED);
      assertThat(verifySignedWith("whsec_old", until)).isInstanceOf(Verification.Rejected.class);
    }

    @Test
    void duringRotationStripeSendsBothSignatures() {
      String header =
          "t=" + T + ",v1=" + v1("whsec_new", T, BODY) + ",v1=" + v1("whsec_old", T, BODY);
      assertThat(rotating.verify(delivery(BODY, HEADER, header), until.plusSeconds(30)))
          .isEqualTo(Verification.VERIFIED);
    }
  }

  @Nested
  class MalformedHeaders {

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '\'',
        textBlock =
            """
            ''                                   | has an element that is not key=value
            ','                                  | has an element that is not key=value
            't=1700000000'                       | has no v1= signature
            'v1=96594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010f1' | has no t= timestamp
            't=1700000000,v1'                    | has an element that is not key=value
            't=1700000000,=abc'                  | has an element that is not key=value
            't=1700000000;v1=abc'                | t= is not a Unix time
            't=,v1=96594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010f1' | t= is not a Unix time
            't=-5,v1=96594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010f1' | t= is not a Unix time
            't=1.7e9,v1=96594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010f1' | t= is not a Unix time
            't=999999999999999999999,v1=96594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010f1' | t= is not a Unix time
            't=1700000000,t=1700000000,v1=96594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010f1' | more than one t=
            't=1700000000,v1=zz594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010f1' | has no v1= signature
            't=1700000000,v1=96594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010' | has no v1= signature
            't=1700000000,v1=96594f130c7a09847c728c62aa90b362da9d58ade942f5ce192324e72af010f100' | has no v1= signature
            't=1700000000,v1=' | has no v1= signature
            """)
    void malformedHeadersAreRejectedWithAReason(String header, String reason) {
      assertThat(reason(verify(header, SIGNED_AT))).contains(reason).doesNotContain(SECRET);
    }

    @Test
    void aMalformedV1NextToAValidOneDoesNotSpoilIt() {
      assertThat(verify("t=" + T + ",v1=nothex,v1=" + BODY_V1, SIGNED_AT))
          .isEqualTo(Verification.VERIFIED);
    }

    @Test
    void missingAndRepeatedHeaders() {
      assertThat(reason(stripe.verify(delivery(BODY), SIGNED_AT)))
          .isEqualTo("missing Stripe-Signature header");
      String good = "t=" + T + ",v1=" + BODY_V1;
      assertThat(reason(stripe.verify(delivery(BODY, HEADER, good, HEADER, good), SIGNED_AT)))
          .isEqualTo("more than one Stripe-Signature header");
    }

    @Test
    void hugeHeadersAreRejectedBeforeParsing() {
      String huge = "t=" + T + ",v1=" + BODY_V1 + ",v0=" + "a".repeat(8192);
      assertThat(reason(verify(huge, SIGNED_AT)))
          .isEqualTo("Stripe-Signature is longer than 4096 characters");

      String many = "t=" + T + "," + String.join(",", Collections.nCopies(40, "v1=" + BODY_V1));
      assertThat(reason(verify(many, SIGNED_AT))).contains("too many elements");
    }

    @Test
    void reasonsNeverContainTheBodyOrASecret() {
      for (String header :
          List.of("", "t=1", "t=" + T + ",v1=" + v1("whsec_wrong", T, BODY), "junk")) {
        assertThat(reason(verify(header, SIGNED_AT)))
            .doesNotContain("evt_1OdimVector")
            .doesNotContain(SECRET)
            .doesNotContain("whsec_wrong");
      }
    }
  }

  @Nested
  class Parsing {

    private ParsedEvent parse(String body) {
      return stripe.parse(delivery(body));
    }

    @Test
    void keyIsTheEventIdAndTypeIsItsType() {
      ParsedEvent.Event event = event(parse(BODY));

      assertThat(event.key()).isEqualTo("evt_1OdimVector");
      assertThat(event.type()).isEqualTo("payment_intent.succeeded");
      assertThat(event.orderingKey()).isEqualTo("pi_3OdimVector");
    }

    @Test
    void aChargeAndItsRefundAreOrderedWithTheirPaymentIntent() {
      String charge =
          """
          {"id":"evt_a","type":"charge.succeeded","data":{"object":{"id":"ch_1","object":"charge",\
          "payment_intent":"pi_1"}}}""";
      String refund =
          """
          {"id":"evt_b","type":"charge.refund.updated","data":{"object":{"id":"re_1",\
          "object":"refund","payment_intent":"pi_1"}}}""";
      String expanded =
          """
          {"id":"evt_c","type":"charge.dispute.created","data":{"object":{"id":"dp_1",\
          "object":"dispute","payment_intent":{"id":"pi_1","object":"payment_intent"}}}}""";

      assertThat(List.of(charge, refund, expanded))
          .extracting(body -> event(parse(body)).orderingKey())
          .containsOnly("pi_1");
    }

    @Test
    void objectsWithoutAPaymentIntentAreOrderedByTheirOwnId() {
      String customer =
          """
          {"id":"evt_d","type":"customer.updated","data":{"object":{"id":"cus_1",\
          "object":"customer"}}}""";
      String setupOnly =
          """
          {"id":"evt_e","type":"invoice.paid","data":{"object":{"id":"in_1","object":"invoice",\
          "payment_intent":null}}}""";

      assertThat(event(parse(customer)).orderingKey()).isEqualTo("cus_1");
      assertThat(event(parse(setupOnly)).orderingKey()).isEqualTo("in_1");
      assertThat(
              event(parse("{\"id\":\"evt_f\",\"type\":\"balance.available\",\"data\":{}}"))
                  .orderingKey())
          .isNull();
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '\'',
        textBlock =
            """
            ''                                        | the body is empty
            'evt_1'                                   | not valid JSON
            '{"type":"charge.succeeded"}'             | no "id" string
            '{"id":42,"type":"charge.succeeded"}'     | no "id" string
            '{"id":"","type":"charge.succeeded"}'     | no "id" string
            '{"id":"evt_1"}'                          | no "type" string
            '{"id":"evt_1","type":["x"]}'             | no "type" string
            '[]'                                      | no "id" string
            """)
    void badBodiesAreUnparseableKeyedByTheirDigest(String body, String reason) {
      ParsedEvent.Unparseable unparseable = unparseable(parse(body));

      assertThat(unparseable.key()).isEqualTo(sha256Key(body));
      assertThat(unparseable.reason()).contains(reason);
    }
  }

  @Test
  void nameAndToString() {
    assertThat(stripe.name()).isEqualTo("stripe");
    assertThat(stripe.toString()).doesNotContain(SECRET).contains("PT5M");
  }
}
