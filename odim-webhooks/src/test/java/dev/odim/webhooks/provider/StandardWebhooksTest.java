package dev.odim.webhooks.provider;

import static dev.odim.webhooks.provider.Deliveries.delivery;
import static dev.odim.webhooks.provider.Deliveries.event;
import static dev.odim.webhooks.provider.Deliveries.hmac;
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
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StandardWebhooksTest {

  // The Standard Webhooks specification's published example (also in its reference libraries'
  // tests); the signature was checked again outside Java with Python's hmac module.
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long T = 1_614_265_330L;
  private static final String BODY = "{\"test\": 2432232314}";
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  private static final Instant SIGNED_AT = Instant.ofEpochSecond(T);

  private final StandardWebhooks provider = StandardWebhooks.withSecrets(SigningSecrets.of(SECRET));

  private static WebhookDelivery signed(
      String id, String timestamp, String signature, String body) {
    return delivery(
        body, "webhook-id", id, "webhook-timestamp", timestamp, "webhook-signature", signature);
  }

  private static String sign(String secret, String id, long t, String body) {
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    return "v1,"
        + Base64.getEncoder().encodeToString(hmac("HmacSHA256", key, id + "." + t + "." + body));
  }

  private static String reason(Verification verification) {
    assertThat(verification).isInstanceOf(Verification.Rejected.class);
    return ((Verification.Rejected) verification).reason();
  }

  private Verification verify(String signature, Instant now) {
    return provider.verify(signed(ID, Long.toString(T), signature, BODY), now);
  }

  @Nested
  class Signatures {

    @Test
    void theSpecificationsExampleVerifies() {
      assertThat(sign(SECRET, ID, T, BODY)).isEqualTo(SIGNATURE);
      assertThat(verify(SIGNATURE, SIGNED_AT)).isEqualTo(Verification.VERIFIED);
    }

    @Test
    void aSecretWithoutThePrefixIsTheSameKey() {
      StandardWebhooks bare =
          StandardWebhooks.withSecrets(SigningSecrets.of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
      assertThat(bare.verify(signed(ID, Long.toString(T), SIGNATURE, BODY), SIGNED_AT))
          .isEqualTo(Verification.VERIFIED);
    }

    @Test
    void oneMatchingSignatureAmongSeveralIsEnough() {
      String other = sign("whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==", ID, T, BODY);
      assertThat(verify(other + " " + SIGNATURE, SIGNED_AT)).isEqualTo(Verification.VERIFIED);
      assertThat(verify(SIGNATURE + "  " + other, SIGNED_AT)).isEqualTo(Verification.VERIFIED);
    }

    @Test
    void otherVersionsAreIgnored() {
      String asBase64 = SIGNATURE.substring(3);
      assertThat(verify("v1a," + asBase64 + " " + SIGNATURE, SIGNED_AT))
          .isEqualTo(Verification.VERIFIED);
      assertThat(reason(verify("v1a," + asBase64 + " v2," + asBase64, SIGNED_AT)))
          .isEqualTo("webhook-signature has no well-formed v1 signature");
    }

    @Test
    void theIdAndTimestampArePartOfTheSignedContent() {
      assertThat(provider.verify(signed("msg_other", Long.toString(T), SIGNATURE, BODY), SIGNED_AT))
          .isInstanceOf(Verification.Rejected.class);
      assertThat(provider.verify(signed(ID, Long.toString(T + 1), SIGNATURE, BODY), SIGNED_AT))
          .isInstanceOf(Verification.Rejected.class);
      assertThat(
              provider.verify(
                  signed(ID, Long.toString(T), SIGNATURE, "{\"test\": 2432232315}"), SIGNED_AT))
          .isInstanceOf(Verification.Rejected.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 20, 42})
    void aSignatureWrongInOneCharacterIsRejected(int index) {
      char[] chars = SIGNATURE.substring(3).toCharArray();
      chars[index] = chars[index] == 'A' ? 'B' : 'A';
      assertThat(verify("v1," + new String(chars), SIGNED_AT))
          .isInstanceOf(Verification.Rejected.class);
    }
  }

  @Nested
  class Tolerance {

    @Test
    void fiveMinutesInEitherDirection() {
      assertThat(verify(SIGNATURE, SIGNED_AT.plusSeconds(300))).isEqualTo(Verification.VERIFIED);
      assertThat(reason(verify(SIGNATURE, SIGNED_AT.plusSeconds(301))))
          .isEqualTo("webhook-timestamp is 301 s old, more than the 300 s tolerance");
      assertThat(verify(SIGNATURE, SIGNED_AT.minusSeconds(300))).isEqualTo(Verification.VERIFIED);
      assertThat(reason(verify(SIGNATURE, SIGNED_AT.minusSeconds(301))))
          .isEqualTo("webhook-timestamp is 301 s in the future, more than the 300 s tolerance");
    }

    @Test
    void toleranceIsConfigurable() {
      StandardWebhooks tight =
          StandardWebhooks.builder(SigningSecrets.of(SECRET))
              .tolerance(Duration.ofSeconds(30))
              .build();
      WebhookDelivery d = signed(ID, Long.toString(T), SIGNATURE, BODY);
      assertThat(tight.verify(d, SIGNED_AT.plusSeconds(30))).isEqualTo(Verification.VERIFIED);
      assertThat(tight.verify(d, SIGNED_AT.plusSeconds(31)))
          .isInstanceOf(Verification.Rejected.class);
      assertThat(tight.verify(d, SIGNED_AT.minusSeconds(31)))
          .isInstanceOf(Verification.Rejected.class);
    }
  }

  @Nested
  class Rotation {

    private static final String NEW = "whsec_bmV3LXNlY3JldC1mb3Itb2RpbS10ZXN0cy0zMmJ5dGU=";
    private final Instant until = SIGNED_AT.plusSeconds(120);
    private final StandardWebhooks rotating =
        StandardWebhooks.withSecrets(SigningSecrets.of(NEW).withPrevious(SECRET, until));

    private Verification verifyAt(String signature, Instant now) {
      long t = now.getEpochSecond();
      String body = "{\"type\":\"invoice.paid\"}";
      return rotating.verify(signed(ID, Long.toString(t), signature, body), now);
    }

    private String signedAt(String secret, Instant now) {
      return sign(secret, ID, now.getEpochSecond(), "{\"type\":\"invoice.paid\"}");
    }

    @Test
    void oldKeyIsAcceptedWithinTheWindowAndRefusedFromItsEnd() {
      Instant before = until.minusSeconds(1);
      assertThat(verifyAt(signedAt(SECRET, before), before)).isEqualTo(Verification.VERIFIED);
      assertThat(verifyAt(signedAt(SECRET, until), until))
          .isInstanceOf(Verification.Rejected.class);
    }

    @Test
    void newKeyIsAcceptedBeforeAndAfterTheWindowEnds() {
      assertThat(verifyAt(signedAt(NEW, SIGNED_AT), SIGNED_AT)).isEqualTo(Verification.VERIFIED);
      Instant after = until.plusSeconds(3600);
      assertThat(verifyAt(signedAt(NEW, after), after)).isEqualTo(Verification.VERIFIED);
    }

    @Test
    void aSenderRotatingSendsBothSignatures() {
      Instant after = until.plusSeconds(10);
      String both = signedAt(SECRET, after) + " " + signedAt(NEW, after);
      assertThat(verifyAt(both, after)).isEqualTo(Verification.VERIFIED);
    }
  }

  @Nested
  class MalformedHeaders {

    @Test
    void missingHeaders() {
      assertThat(
              reason(
                  provider.verify(
                      delivery(BODY, "webhook-timestamp", "1", "webhook-signature", SIGNATURE),
                      SIGNED_AT)))
          .isEqualTo("missing webhook-id header");
      assertThat(
              reason(
                  provider.verify(
                      delivery(BODY, "webhook-id", ID, "webhook-signature", SIGNATURE), SIGNED_AT)))
          .isEqualTo("missing webhook-timestamp header");
      assertThat(
              reason(
                  provider.verify(
                      delivery(BODY, "webhook-id", ID, "webhook-timestamp", Long.toString(T)),
                      SIGNED_AT)))
          .isEqualTo("missing webhook-signature header");
    }

    @Test
    void repeatedHeaders() {
      WebhookDelivery d =
          delivery(
              BODY,
              "webhook-id",
              ID,
              "webhook-id",
              "msg_2",
              "webhook-timestamp",
              Long.toString(T),
              "webhook-signature",
              SIGNATURE);
      assertThat(reason(provider.verify(d, SIGNED_AT)))
          .isEqualTo("more than one webhook-id header");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "-1614265330", "1614265330.5", "1e9", " ", "16142653300000"})
    void badTimestamps(String timestamp) {
      assertThat(reason(provider.verify(signed(ID, timestamp, SIGNATURE, BODY), SIGNED_AT)))
          .isEqualTo("webhook-timestamp is not a Unix time in seconds");
    }

    @Test
    void badIds() {
      assertThat(
              reason(provider.verify(signed("  ", Long.toString(T), SIGNATURE, BODY), SIGNED_AT)))
          .contains("webhook-id is blank");
      assertThat(
              reason(
                  provider.verify(
                      signed("m".repeat(201), Long.toString(T), SIGNATURE, BODY), SIGNED_AT)))
          .contains("longer than 200");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "",
          "v1",
          "v1,",
          "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
          "v1:g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE==",
          "v1,g0hM9SsE*OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
          "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
          "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        })
    void malformedSignatures(String signature) {
      assertThat(reason(verify(signature, SIGNED_AT)))
          .isEqualTo("webhook-signature has no well-formed v1 signature");
    }

    @Test
    void hugeSignatureHeaderIsRejectedBeforeParsing() {
      String huge = String.join(" ", Collections.nCopies(200, SIGNATURE));
      assertThat(reason(verify(huge, SIGNED_AT)))
          .isEqualTo("webhook-signature is longer than 4096 characters");
    }

    @Test
    void onlyTheFirstSixteenSignaturesAreTried() {
      String wrong = sign("whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA==", ID, T, BODY);
      String many = String.join(" ", Collections.nCopies(16, wrong)) + " " + SIGNATURE;
      assertThat(verify(many, SIGNED_AT)).isInstanceOf(Verification.Rejected.class);
    }

    @Test
    void reasonsNeverContainTheBodyOrASecret() {
      for (String signature : List.of("", "v1,xx", sign("whsec_c2VjcmV0", ID, T, BODY))) {
        assertThat(reason(verify(signature, SIGNED_AT)))
            .doesNotContain("2432232314")
            .doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
      }
    }
  }

  @Nested
  class Building {

    @ParameterizedTest
    @ValueSource(strings = {"whsec_not base64!", "whsec_=====", "%%%"})
    void aSecretThatIsNotBase64IsRefusedWithoutShowingIt(String secret) {
      assertThatThrownBy(() -> StandardWebhooks.withSecrets(SigningSecrets.of(secret)))
          .isInstanceOfSatisfying(
              OdimConfigException.class,
              e -> {
                assertThat(e.setting()).isEqualTo("secrets");
                assertThat(e.getMessage()).contains("the current secret").doesNotContain(secret);
              });
    }

    @Test
    void anEmptyKeyIsRefused() {
      assertThatThrownBy(() -> StandardWebhooks.withSecrets(SigningSecrets.of("whsec_")))
          .isInstanceOf(OdimConfigException.class)
          .hasMessageContaining("the current secret is not whsec_ followed by base64");
    }

    @Test
    void aBadPreviousSecretIsNamedByPosition() {
      SigningSecrets secrets = SigningSecrets.of(SECRET).withPrevious("whsec_!!", Instant.EPOCH);
      assertThatThrownBy(() -> StandardWebhooks.withSecrets(secrets))
          .isInstanceOf(OdimConfigException.class)
          .hasMessageContaining("previous secret #1")
          .hasMessageNotContaining("whsec_!!");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Resend", "-svix", "has space", "a/b"})
    void badNamesAreRefused(String name) {
      assertThatThrownBy(() -> StandardWebhooks.builder(SigningSecrets.of(SECRET)).name(name))
          .isInstanceOfSatisfying(
              OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo("name"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "data/order_id"})
    void badOrderingKeyPointersAreRefused(String pointer) {
      assertThatThrownBy(
              () -> StandardWebhooks.builder(SigningSecrets.of(SECRET)).orderingKey(pointer))
          .isInstanceOfSatisfying(
              OdimConfigException.class, e -> assertThat(e.setting()).isEqualTo("orderingKey"));
    }

    @Test
    void nameAndToString() {
      StandardWebhooks resend =
          StandardWebhooks.builder(SigningSecrets.of(SECRET)).name("resend").build();
      assertThat(provider.name()).isEqualTo("standard-webhooks");
      assertThat(resend.name()).isEqualTo("resend");
      assertThat(resend.toString())
          .contains("resend")
          .doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }
  }

  @Nested
  class Parsing {

    private static final String ORDER_PAID =
        """
        {"type":"order.paid","timestamp":"2026-11-25T12:00:00Z",\
        "data":{"order_id":"ord_42","amount":1500}}""";

    @Test
    void keyIsTheWebhookIdAndTypeIsTheBodysType() {
      ParsedEvent.Event event =
          event(provider.parse(signed("msg_1", Long.toString(T), SIGNATURE, ORDER_PAID)));

      assertThat(event.key()).isEqualTo("msg_1");
      assertThat(event.type()).isEqualTo("order.paid");
      assertThat(event.orderingKey()).isNull();
      assertThat(event.payload().path("data").path("amount").asInt()).isEqualTo(1500);
    }

    @Test
    void theHostMayNameAnOrderingKey() {
      StandardWebhooks ordered =
          StandardWebhooks.builder(SigningSecrets.of(SECRET)).orderingKey("/data/order_id").build();
      StandardWebhooks byAmount =
          StandardWebhooks.builder(SigningSecrets.of(SECRET)).orderingKey("/data/amount").build();
      StandardWebhooks byObject =
          StandardWebhooks.builder(SigningSecrets.of(SECRET)).orderingKey("/data").build();
      WebhookDelivery d = signed("msg_1", Long.toString(T), SIGNATURE, ORDER_PAID);

      assertThat(event(ordered.parse(d)).orderingKey()).isEqualTo("ord_42");
      assertThat(event(byAmount.parse(d)).orderingKey()).isEqualTo("1500");
      assertThat(event(byObject.parse(d)).orderingKey()).isNull();
      assertThat(
              event(ordered.parse(signed("msg_2", "1", "v1,x", "{\"type\":\"ping\"}")))
                  .orderingKey())
          .isNull();
    }

    @Test
    void aBodyWithoutATypeIsUnparseableKeyedByTheId() {
      ParsedEvent.Unparseable u =
          unparseable(provider.parse(signed("msg_3", Long.toString(T), SIGNATURE, BODY)));
      assertThat(u.key()).isEqualTo("msg_3");
      assertThat(u.reason()).contains("no \"type\" string");
    }

    @Test
    void aBodyThatIsNotJsonIsUnparseableKeyedByTheId() {
      ParsedEvent.Unparseable u =
          unparseable(provider.parse(signed("msg_4", Long.toString(T), SIGNATURE, "<xml/>")));
      assertThat(u.key()).isEqualTo("msg_4");
      assertThat(u.reason()).contains("not valid JSON");
    }

    @Test
    void withoutAnIdTheBodyDigestIsTheKey() {
      ParsedEvent.Unparseable u = unparseable(provider.parse(delivery(ORDER_PAID)));
      assertThat(u.key()).isEqualTo(sha256Key(ORDER_PAID));
    }
  }
}
