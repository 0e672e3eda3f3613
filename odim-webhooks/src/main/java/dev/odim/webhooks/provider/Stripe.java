package dev.odim.webhooks.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.core.OdimConfigException;
import dev.odim.webhooks.ParsedEvent;
import dev.odim.webhooks.SigningSecrets;
import dev.odim.webhooks.Verification;
import dev.odim.webhooks.WebhookDelivery;
import dev.odim.webhooks.WebhookProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Stripe's webhooks. Stripe signs {@code <t>.<raw body>} with HMAC-SHA256 under the endpoint's
 * signing secret ({@code whsec_...}, used as it is, prefix included) and sends {@code
 * Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]}; there is one {@code v1} per secret
 * Stripe holds during a rotation, and other schemes ({@code v0}) are ignored. The timestamp is
 * signed, so a captured delivery cannot be replayed later than the tolerance (default 300 s, as in
 * Stripe's libraries); a timestamp that far in the future is refused too, since no honest clock is
 * that far ahead.
 *
 * <p>Keys. The de-duplication key is the event's {@code id} ({@code evt_...}), which Stripe keeps
 * across retries. The ordering key is {@code data.object.payment_intent} (its {@code id} when
 * expanded) when the object has one, so that a charge, its refunds and disputes are processed in
 * order with the payment intent's own events; otherwise {@code data.object.id}, so that the events
 * of one customer, subscription or invoice are processed in order; otherwise none.
 */
public final class Stripe implements WebhookProvider {

  /** The provider name stored with every event. */
  public static final String NAME = "stripe";

  /** The header that carries the timestamp and signatures. */
  public static final String SIGNATURE_HEADER = "Stripe-Signature";

  /** Stripe's own libraries' default. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);

  private static final int SIGNATURE_HEX_CHARS = 64;

  private static final Hmac HMAC_SHA256 = new Hmac("HmacSHA256");

  private final SigningSecrets secrets;
  private final Duration tolerance;

  private Stripe(SigningSecrets secrets, Duration tolerance) {
    this.secrets = secrets;
    this.tolerance = tolerance;
  }

  /** With the default tolerance. */
  public static Stripe withSecrets(SigningSecrets secrets) {
    return builder(secrets).build();
  }

  public static Builder builder(SigningSecrets secrets) {
    return new Builder(Objects.requireNonNull(secrets, "secrets"));
  }

  /** Settings for {@link Stripe}; {@link #build()} freezes them. */
  public static final class Builder {
    private final SigningSecrets secrets;
    private Duration tolerance = DEFAULT_TOLERANCE;

    private Builder(SigningSecrets secrets) {
      this.secrets = secrets;
    }

    /**
     * How far the signed timestamp may be from now, in either direction.
     *
     * <p>Whole seconds: the timestamp is signed in seconds.
     *
     * @throws OdimConfigException when under a second or longer than a day (which would make replay
     *     protection meaningless)
     */
    public Builder tolerance(Duration tolerance) {
      Tolerance.validate(tolerance);
      this.tolerance = tolerance;
      return this;
    }

    public Stripe build() {
      return new Stripe(secrets, tolerance);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Verification verify(WebhookDelivery delivery, Instant now) {
    String header = Headers.single(delivery, SIGNATURE_HEADER);
    if (header == null) {
      return Headers.missingOrRepeated(delivery, SIGNATURE_HEADER);
    }
    if (header.length() > Hmac.MAX_HEADER_CHARS) {
      return Verification.rejected(
          SIGNATURE_HEADER + " is longer than " + Hmac.MAX_HEADER_CHARS + " characters");
    }
    String timestamp = null;
    List<byte[]> signatures = new ArrayList<>();
    int elements = 0;
    for (String element : header.split(",", -1)) {
      if (++elements > 2 * Hmac.MAX_SIGNATURES) {
        return Verification.rejected(SIGNATURE_HEADER + " has too many elements");
      }
      String item = element.strip();
      int eq = item.indexOf('=');
      if (eq <= 0) {
        return Verification.rejected(SIGNATURE_HEADER + " has an element that is not key=value");
      }
      String name = item.substring(0, eq);
      String value = item.substring(eq + 1);
      if (name.equals("t")) {
        if (timestamp != null) {
          return Verification.rejected(SIGNATURE_HEADER + " has more than one t=");
        }
        timestamp = value;
      } else if (name.equals("v1")) {
        byte[] signature = hex(value);
        if (signature != null && signatures.size() < Hmac.MAX_SIGNATURES) {
          signatures.add(signature);
        }
      }
      // Other schemes (v0 is Stripe's test-mode scheme) are ignored, as Stripe's libraries do.
    }
    if (timestamp == null) {
      return Verification.rejected(SIGNATURE_HEADER + " has no t= timestamp");
    }
    Long seconds = Tolerance.unixSeconds(timestamp);
    if (seconds == null) {
      return Verification.rejected(SIGNATURE_HEADER + " t= is not a Unix time in seconds");
    }
    if (signatures.isEmpty()) {
      return Verification.rejected(
          SIGNATURE_HEADER + " has no v1= signature of " + SIGNATURE_HEX_CHARS + " hex characters");
    }
    String outside = Tolerance.check(seconds, now, tolerance);
    if (outside != null) {
      return Verification.rejected(SIGNATURE_HEADER + " t= " + outside);
    }
    byte[] signedPrefix = (timestamp + ".").getBytes(StandardCharsets.US_ASCII);
    boolean match = false;
    for (String secret : secrets.active(now)) {
      byte[] expected =
          HMAC_SHA256.sign(secret.getBytes(StandardCharsets.UTF_8), signedPrefix, delivery.body());
      match |= Hmac.matchesAny(expected, signatures);
    }
    return match
        ? Verification.VERIFIED
        : Verification.rejected(
            SIGNATURE_HEADER + " has no v1 signature matching an active secret");
  }

  private static byte @Nullable [] hex(String value) {
    if (value.length() != SIGNATURE_HEX_CHARS) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public ParsedEvent parse(WebhookDelivery delivery) {
    byte[] body = delivery.body();
    JsonNode root;
    switch (Json.read(body)) {
      case Json.Invalid invalid -> {
        return new ParsedEvent.Unparseable(Json.bodyKey(body), invalid.reason());
      }
      case Json.Parsed parsed -> root = parsed.root();
    }
    String id = root.path("id").isTextual() ? Json.text(root, "id") : null;
    if (id == null) {
      return new ParsedEvent.Unparseable(Json.bodyKey(body), "no \"id\" string in the body");
    }
    String type = root.path("type").isTextual() ? Json.text(root, "type") : null;
    if (type == null) {
      return new ParsedEvent.Unparseable(Json.bodyKey(body), "no \"type\" string in the body");
    }
    JsonNode object = root.path("data").path("object");
    String orderingKey =
        Json.firstOf(
            Json.text(object, "payment_intent"),
            Json.text(object, "payment_intent", "id"),
            Json.text(object, "id"));
    return new ParsedEvent.Event(type, Json.bounded(NAME, id), orderingKey, root);
  }

  @Override
  public String toString() {
    return "Stripe[" + secrets + ", tolerance=" + tolerance + "]";
  }
}
