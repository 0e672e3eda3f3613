package dev.odim.webhooks.provider;

import static dev.odim.webhooks.provider.Deliveries.delivery;
import static dev.odim.webhooks.provider.Deliveries.event;
import static dev.odim.webhooks.provider.Deliveries.hmacHex;
import static dev.odim.webhooks.provider.Deliveries.sha256Key;
import static dev.odim.webhooks.provider.Deliveries.unparseable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.webhooks.ParsedEvent;
import dev.odim.webhooks.SigningSecrets;
import dev.odim.webhooks.Verification;
import dev.odim.webhooks.WebhookDelivery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PaystackTest {

  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final String SECRET = "sk_test_odim_vector_key";
  private static final String HEADER = "x-paystack-signature";

  private static final String CHARGE_SUCCESS =
      """
      {"event":"charge.success","data":{"id":302961,"domain":"live","status":"success",\
      "reference":"qTPrJoy9Bx","amount":10000,"currency":"NGN"}}""";

  /**
   * HMAC-SHA512 of CHARGE_SUCCESS under SECRET, computed outside Java, with both Python's hmac
   * module and {@code printf '%s' "$body" | openssl dgst -sha512 -hmac sk_test_odim_vector_key}.
   */
  private static final String CHARGE_SUCCESS_SIGNATURE =
      "7c39cdb700d0a1a93959e7b2ebaeedc81d2eef1270155e75b6c3390002e8de01"
          + "32290f13c23d0ce3f3efeb5c0e0521ec2ef45f4aa57617b42ddbf9b146fc7425";

  private final Paystack paystack = Paystack.withSecrets(SigningSecrets.of(SECRET));

  private static String sign(String secret, String body) {
    return hmacHex("HmacSHA512", secret, body);
  }

  private static String reason(Verification verification) {
    assertThat(verification).isInstanceOf(Verification.Rejected.class);
    return ((Verification.Rejected) verification).reason();
  }

  @Nested
  class Signatures {

    @Test
    void independentlyComputedVectorVerifies() {
      assertThat(sign(SECRET, CHARGE_SUCCESS)).isEqualTo(CHARGE_SUCCESS_SIGNATURE);
      assertThat(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, CHARGE_SUCCESS_SIGNATURE), NOW))
          .isEqualTo(Verification.VERIFIED);
    }

    @Test
    void headerNameIsMatchedWithoutRegardToCase() {
      assertThat(
              paystack.verify(
                  delivery(CHARGE_SUCCESS, "X-Paystack-Signature", CHARGE_SUCCESS_SIGNATURE), NOW))
          .isEqualTo(Verification.VERIFIED);
    }

    @Test
    void uppercaseHexAndSurroundingSpaceAreAccepted() {
      String upper = " " + CHARGE_SUCCESS_SIGNATURE.toUpperCase(java.util.Locale.ROOT) + " ";
      assertThat(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, upper), NOW))
          .isEqualTo(Verification.VERIFIED);
    }

    @Test
    void aChangedBodyIsRejected() {
      String tampered = CHARGE_SUCCESS.replace("10000", "99999");
      assertThat(reason(paystack.verify(delivery(tampered, HEADER, CHARGE_SUCCESS_SIGNATURE), NOW)))
          .isEqualTo("x-paystack-signature does not match any active secret");
    }

    @Test
    void theSignatureIsOverTheRawBytesNotTheJson() {
      String reformatted = CHARGE_SUCCESS.replace(",", ", ");
      assertThat(paystack.verify(delivery(reformatted, HEADER, CHARGE_SUCCESS_SIGNATURE), NOW))
          .isInstanceOf(Verification.Rejected.class);
    }

    @Test
    void anotherSecretIsRejected() {
      String signature = sign("sk_test_someone_else", CHARGE_SUCCESS);
      assertThat(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, signature), NOW))
          .isInstanceOf(Verification.Rejected.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 31, 62, 63})
    void aSignatureWrongInOneByteIsRejected(int index) {
      char[] hex = CHARGE_SUCCESS_SIGNATURE.toCharArray();
      hex[index * 2] = hex[index * 2] == '0' ? '1' : '0';
      assertThat(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, new String(hex)), NOW))
          .isInstanceOf(Verification.Rejected.class);
    }

    @Test
    void anEmptyBodyIsSignedLikeAnyOther() {
      assertThat(paystack.verify(delivery("", HEADER, sign(SECRET, "")), NOW))
          .isEqualTo(Verification.VERIFIED);
    }
  }

  @Nested
  class Rotation {

    private final Instant until = NOW.plusSeconds(3600);
    private final Paystack rotating =
        Paystack.withSecrets(SigningSecrets.of("sk_new").withPrevious("sk_old", until));

    @Test
    void newKeyIsAcceptedBeforeDuringAndAfterTheWindow() {
      WebhookDelivery d = delivery(CHARGE_SUCCESS, HEADER, sign("sk_new", CHARGE_SUCCESS));
      assertThat(rotating.verify(d, NOW)).isEqualTo(Verification.VERIFIED);
      assertThat(rotating.verify(d, until)).isEqualTo(Verification.VERIFIED);
      assertThat(rotating.verify(d, until.plusSeconds(86_400))).isEqualTo(Verification.VERIFIED);
    }

    @Test
    void oldKeyIsAcceptedWithinTheWindowAndRefusedFromItsEnd() {
      WebhookDelivery d = delivery(CHARGE_SUCCESS, HEADER, sign("sk_old", CHARGE_SUCCESS));
      assertThat(rotating.verify(d, NOW)).isEqualTo(Verification.VERIFIED);
      assertThat(rotating.verify(d, until.minusMillis(1))).isEqualTo(Verification.VERIFIED);
      assertThat(rotating.verify(d, until)).isInstanceOf(Verification.Rejected.class);
      assertThat(rotating.verify(d, until.plusSeconds(1)))
          .isInstanceOf(Verification.Rejected.class);
    }
  }

  @Nested
  class MalformedHeaders {

    @Test
    void missingHeader() {
      assertThat(reason(paystack.verify(delivery(CHARGE_SUCCESS), NOW)))
          .isEqualTo("missing x-paystack-signature header");
    }

    @Test
    void twoHeaders() {
      WebhookDelivery d =
          delivery(
              CHARGE_SUCCESS, HEADER, CHARGE_SUCCESS_SIGNATURE, HEADER, CHARGE_SUCCESS_SIGNATURE);
      assertThat(reason(paystack.verify(d, NOW))).contains("more than one");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "",
          "   ",
          "abc",
          "sha512=7c39cdb700d0a1a93959e7b2ebaeedc81d2eef1270155e75b6c3390002e8de01",
        })
    void wrongLength(String value) {
      assertThat(reason(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, value), NOW)))
          .contains("not the 128 hex characters of an HMAC-SHA512");
    }

    @Test
    void oneCharacterShortOrLong() {
      String shorter = CHARGE_SUCCESS_SIGNATURE.substring(1);
      String longer = CHARGE_SUCCESS_SIGNATURE + "0";
      assertThat(reason(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, shorter), NOW)))
          .contains("is 127 characters");
      assertThat(reason(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, longer), NOW)))
          .contains("is 129 characters");
    }

    @Test
    void notHex() {
      String value = "z".repeat(128);
      assertThat(reason(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, value), NOW)))
          .isEqualTo("x-paystack-signature is not hexadecimal");
      String sha256Sized = sign(SECRET, CHARGE_SUCCESS).substring(0, 64) + "+".repeat(64);
      assertThat(reason(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, sha256Sized), NOW)))
          .isEqualTo("x-paystack-signature is not hexadecimal");
    }

    @Test
    void hugeHeaderIsRejectedWithoutEchoingIt() {
      String huge = "a".repeat(1 << 20);
      String reason = reason(paystack.verify(delivery(CHARGE_SUCCESS, HEADER, huge), NOW));
      assertThat(reason).contains("4096+ characters").hasSizeLessThan(200);
    }

    @Test
    void reasonsNeverContainTheBodyOrASecret() {
      String body = "{\"event\":\"charge.success\",\"data\":{\"reference\":\"BODY_MARKER\"}}";
      List<WebhookDelivery> bad =
          List.of(
              delivery(body),
              delivery(body, HEADER, ""),
              delivery(body, HEADER, "BODY_MARKER"),
              delivery(body, HEADER, sign("sk_wrong", body)),
              delivery(body, HEADER, "q".repeat(128)),
              delivery(body, HEADER, "x", HEADER, "y"));
      for (WebhookDelivery d : bad) {
        assertThat(reason(paystack.verify(d, NOW)))
            .doesNotContain("BODY_MARKER")
            .doesNotContain(SECRET)
            .doesNotContain("sk_wrong");
      }
    }
  }

  @Nested
  class Parsing {

    private ParsedEvent.Event parse(String body) {
      return event(paystack.parse(delivery(body)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        textBlock =
            """
            charge.success         | charge.success:qTPrJoy9Bx:success                                          | qTPrJoy9Bx
            transfer.success       | transfer.success:1jhbs3ozmen0k7y5efmw:success                              | 1jhbs3ozmen0k7y5efmw
            transfer.failed        | transfer.failed:1976435206:failed                                          | 1976435206
            transfer.reversed      | transfer.reversed:jvrjckwenm:reversed                                      | jvrjckwenm
            refund.processed       | refund.processed:T2154954_412829_3be32076_6lcg3/132013318360:processed     | T2154954_412829_3be32076_6lcg3
            refund.failed          | refund.failed:T9171231_412325_3be2736c_n6tml/TRF_9vgfawjnoz58uxy:failed    | T9171231_412325_3be2736c_n6tml
            charge.dispute.create  | charge.dispute.create:358950:awaiting-merchant-feedback                    | v3mjfgbnc19v97x
            charge.dispute.resolve | charge.dispute.resolve:358949:resolved                                     | 5qm4pv2mxs9rltp
            subscription.create    | subscription.create:SUB_vsyqdmlzble3uii:active                             | SUB_vsyqdmlzble3uii
            subscription.disable   | subscription.disable:SUB_vsyqdmlzble3uii:complete                          | SUB_vsyqdmlzble3uii
            invoice.payment_failed | invoice.payment_failed:INV_3kfmqw48ca7b48k:pending                         | SUB_f7ct8g01mtcjf78
            """)
    void eachDocumentedEventHasItsKeyAndOrderingKey(String type, String key, String orderingKey) {
      ParsedEvent.Event event = parse(PaystackPayloads.byType(type));

      assertThat(event.type()).isEqualTo(type);
      assertThat(event.key()).isEqualTo(key);
      assertThat(event.orderingKey()).isEqualTo(orderingKey);
      assertThat(event.payload().path("event").asText()).isEqualTo(type);
    }

    @Test
    void aPaymentAndItsRefundsAndDisputesShareOneOrderingKeyAndNotAKey() {
      String charge =
          """
          {"event":"charge.success","data":{"id":1,"status":"success","reference":"PAY_1"}}""";
      String refundByReference =
          """
          {"event":"refund.processed","data":{"status":"processed","transaction_reference":"PAY_1",\
          "refund_reference":"R1","amount":"500"}}""";
      String refundByTransaction =
          """
          {"event":"refund.failed","data":{"id":77,"status":"failed","amount":500,\
          "transaction":{"id":1,"reference":"PAY_1"}}}""";
      String dispute =
          """
          {"event":"charge.dispute.create","data":{"id":9,"status":"awaiting-merchant-feedback",\
          "transaction":{"id":1,"reference":"PAY_1"},"transaction_reference":null}}""";
      String disputeResolved =
          dispute.replace("create", "resolve").replace("awaiting-merchant-feedback", "resolved");

      List<ParsedEvent.Event> events =
          List.of(charge, refundByReference, refundByTransaction, dispute, disputeResolved).stream()
              .map(this::parse)
              .toList();

      assertThat(events).extracting(ParsedEvent.Event::orderingKey).containsOnly("PAY_1");
      assertThat(events).extracting(ParsedEvent.Event::key).doesNotHaveDuplicates();
      assertThat(events.get(2).key()).isEqualTo("refund.failed:PAY_1/77:failed");
    }

    @Test
    void theSameEventReformattedHasTheSameKey() {
      String compact = PaystackPayloads.byType("charge.success");
      String spaced = compact.replace(",", ",\n  ").replace(":", ": ");

      assertThat(parse(spaced).key()).isEqualTo(parse(compact).key());
    }

    @Test
    void statusChangesOfOneObjectAreSeparateFacts() {
      String pending =
          """
          {"event":"refund.pending","data":{"status":"pending","transaction_reference":"PAY_2",\
          "refund_reference":null,"amount":"10000"}}""";
      String processing = pending.replace("pending", "processing");

      assertThat(parse(pending).key()).isEqualTo("refund.pending:PAY_2/amount=10000:pending");
      assertThat(parse(processing).key())
          .isEqualTo("refund.processing:PAY_2/amount=10000:processing");
    }

    @Test
    void twoPartialRefundsOfOnePaymentAreTwoEvents() {
      String first =
          """
          {"event":"refund.processed","data":{"status":"processed","transaction_reference":"PAY_3",\
          "refund_reference":"R_A","amount":"100"}}""";
      String second = first.replace("R_A", "R_B");

      assertThat(parse(first).key()).isNotEqualTo(parse(second).key());
      assertThat(parse(first).orderingKey()).isEqualTo(parse(second).orderingKey());
    }

    @Test
    void aTransferWithoutAReferenceIsKeyedByItsTransferCode() {
      ParsedEvent.Event event =
          parse(
              """
              {"event":"transfer.success","data":{"id":5,"status":"success","reference":null,\
              "transfer_code":"TRF_x"}}""");

      assertThat(event.key()).isEqualTo("transfer.success:TRF_x:success");
      assertThat(event.orderingKey()).isEqualTo("TRF_x");
    }

    @Test
    void aChargeWithoutAReferenceIsKeyedByItsId() {
      ParsedEvent.Event event =
          parse("{\"event\":\"charge.success\",\"data\":{\"id\":42,\"status\":\"success\"}}");

      assertThat(event.key()).isEqualTo("charge.success:42:success");
      assertThat(event.orderingKey()).isNull();
    }

    @Test
    void unknownEventsAreKeyedByIdOrReferenceOrTheBody() {
      assertThat(
              parse(
                      """
                      {"event":"paymentrequest.success","data":{"id":1089700,"status":"success"}}""")
                  .key())
          .isEqualTo("paymentrequest.success:1089700:success");

      String noIdentity =
          """
          {"event":"customeridentification.success","data":{"customer_code":"CUS_1"}}""";
      ParsedEvent.Event event = parse(noIdentity);
      assertThat(event.key()).isEqualTo("customeridentification.success:" + sha256Key(noIdentity));
      assertThat(event.orderingKey()).isNull();
    }

    @Test
    void aBatchEventIsKeyedByItsBody() {
      String body =
          """
          {"event":"subscription.expiring_cards","data":[{"expiry_date":"12/2021",\
          "subscription":{"subscription_code":"SUB_lejj927x2kxciw1"}}]}""";

      ParsedEvent.Event event = parse(body);
      assertThat(event.key()).isEqualTo("subscription.expiring_cards:" + sha256Key(body));
      assertThat(event.orderingKey()).isNull();
    }

    @Test
    void anOverlongKeyIsReplacedByItsDigest() {
      String reference = "R".repeat(500);
      ParsedEvent.Event event =
          parse(
              "{\"event\":\"charge.success\",\"data\":{\"status\":\"success\",\"reference\":\""
                  + reference
                  + "\"}}");

      assertThat(event.key())
          .startsWith("charge.success:sha256:")
          .hasSize("charge.success:sha256:".length() + 64);
      assertThat(event.orderingKey()).isEqualTo(reference);
    }
  }

  @Nested
  class Unparseable {

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        quoteCharacter = '\'',
        textBlock =
            """
            ''                                                        | the body is empty
            'not json'                                                | the body is not valid JSON
            '{"event":"charge.success","data":{}'                     | the body is not valid JSON
            '{"event":"charge.success","data":{}} trailing'           | the body is not valid JSON
            '{"event":"a","event":"b","data":{}}'                     | the body is not valid JSON
            '[1,2,3]'                                                 | no "event" string
            '"charge.success"'                                        | no "event" string
            'null'                                                    | no "event" string
            '{"data":{"reference":"x"}}'                              | no "event" string
            '{"event":42,"data":{"reference":"x"}}'                   | no "event" string
            '{"event":"  ","data":{"reference":"x"}}'                 | no "event" string
            '{"event":"charge.success"}'                              | charge.success has no "data" object
            '{"event":"charge.success","data":null}'                  | charge.success has no "data" object
            '{"event":"charge.success","data":"x"}'                   | charge.success has no "data" object
            '{"event":"charge.success","data":{"status":"success"}}'  | (data.reference or data.id)
            '{"event":"charge.success","data":{"reference":{"a":1}}}' | (data.reference or data.id)
            '{"event":"charge.dispute.create","data":{"status":"x"}}' | (data.id)
            '{"event":"refund.processed","data":{"refund_reference":"r"}}' | data.transaction_reference
            '{"event":"refund.processed","data":{"transaction_reference":"t"}}' | data.transaction_reference
            '{"event":"transfer.success","data":{"id":1}}'            | (data.reference or data.transfer_code)
            '{"event":"subscription.create","data":{"id":1}}'         | (data.subscription_code)
            '{"event":"invoice.payment_failed","data":{"id":1}}'      | (data.invoice_code)
            """)
    void badBodiesAreUnparseableKeyedByTheirDigest(String body, String reason) {
      ParsedEvent.Unparseable unparseable = unparseable(paystack.parse(delivery(body)));

      assertThat(unparseable.key()).isEqualTo(sha256Key(body));
      assertThat(unparseable.reason()).contains(reason);
    }

    @Test
    void anInvalidUtf8BodyIsUnparseable() {
      byte[] body = {'{', '"', 'e', '"', ':', (byte) 0xC3, (byte) 0x28, '}'};
      assertThat(paystack.parse(delivery(body))).isInstanceOf(ParsedEvent.Unparseable.class);
    }

    @Test
    void parsingRandomBytesNeverThrows() {
      Random random = new Random(6);
      for (int i = 0; i < 2_000; i++) {
        byte[] body = new byte[random.nextInt(64)];
        random.nextBytes(body);
        if (i % 2 == 0) {
          byte[] prefix = "{\"event\":\"charge.".getBytes(StandardCharsets.UTF_8);
          System.arraycopy(prefix, 0, body, 0, Math.min(prefix.length, body.length));
        }
        assertThat(paystack.parse(delivery(body))).isNotNull();
      }
    }
  }

  @Test
  void nameIsPaystack() {
    assertThat(paystack.name()).isEqualTo("paystack");
  }

  @Test
  void theDocumentedSourceAddressesAreReadyToSwitchOn() {
    var list = Paystack.sourceIpAllowList();

    assertThat(Paystack.SOURCE_IPS)
        .containsExactly("52.31.139.75", "52.49.173.169", "52.214.14.220");
    assertThat(list.enabled()).isTrue();
    for (String address : Paystack.SOURCE_IPS) {
      assertThat(list.allows(address, List.of())).isTrue();
    }
    assertThat(list.allows("52.31.139.74", List.of())).isFalse();
  }

  @Test
  void toStringNeverShowsTheSecret() {
    assertThat(paystack.toString()).doesNotContain(SECRET).startsWith("Paystack[");
  }
}
