package dev.odim.webhooks.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.webhooks.ParsedEvent;
import dev.odim.webhooks.SigningSecrets;
import dev.odim.webhooks.SourceIpAllowList;
import dev.odim.webhooks.Verification;
import dev.odim.webhooks.WebhookDelivery;
import dev.odim.webhooks.WebhookProvider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Paystack's webhooks. Paystack signs the raw body with HMAC-SHA512 under the account's secret key
 * ({@code x-paystack-signature}, lowercase hex) but sends no timestamp and no event id, so a
 * replayed body cannot be told from a retry by the signature, and the de-duplication key has to be
 * built from what the event is about.
 *
 * <h2>Keys</h2>
 *
 * The key is {@code <event>:<identity>:<status>} ({@code :<status>} only when {@code data.status}
 * is present), where the identity is what the event is about:
 *
 * <table>
 *   <caption>Identity and ordering key by event family</caption>
 *   <tr><th>events</th><th>identity</th><th>ordering key</th></tr>
 *   <tr><td>{@code charge.dispute.*}</td><td>{@code data.id} (the dispute)</td>
 *       <td>{@code data.transaction.reference}, else {@code data.transaction_reference}</td></tr>
 *   <tr><td>other {@code charge.*}</td><td>{@code data.reference}, else {@code data.id}</td>
 *       <td>{@code data.reference}</td></tr>
 *   <tr><td>{@code refund.*}</td>
 *       <td>the payment's reference ({@code data.transaction_reference}, else {@code
 *       data.transaction.reference}), then {@code /} and the refund's {@code data.id}, else its
 *       {@code data.refund_reference}, else {@code amount=} its amount</td>
 *       <td>the payment's reference</td></tr>
 *   <tr><td>{@code transfer.*}</td><td>{@code data.reference}, else {@code data.transfer_code}</td>
 *       <td>the same</td></tr>
 *   <tr><td>{@code subscription.*}</td><td>{@code data.subscription_code}</td>
 *       <td>the same</td></tr>
 *   <tr><td>{@code invoice.*}</td><td>{@code data.invoice_code}</td>
 *       <td>{@code data.subscription.subscription_code}, else the invoice code</td></tr>
 *   <tr><td>any event whose {@code data} is a list ({@code subscription.expiring_cards})</td>
 *       <td>the body's SHA-256</td><td>none</td></tr>
 *   <tr><td>anything else</td>
 *       <td>{@code data.id}, else {@code data.reference}, else the body's SHA-256</td>
 *       <td>{@code data.reference}, else none</td></tr>
 * </table>
 *
 * <p>Why this shape. The event name and the object say what happened; the status is there because
 * some objects go through several states under related names (a dispute is created, reminded,
 * resolved; a refund is pending, processing, processed or failed; a transfer can fail and be
 * retried), and each state is a separate fact to process once. A notification repeated with the
 * same event, object and status (a second dispute reminder, a transfer failing twice) gets the same
 * key and is processed once: it carries no state the handler has not already seen, and processing a
 * payment fact twice is the failure this module exists to prevent. Two partial refunds of one
 * payment are told apart by the refund's id or processor reference when Paystack sends one, and
 * otherwise by their amounts (two pending partial refunds of the same amount before either has a
 * reference would share a key: the handler then sees the second from the refund.processed event).
 * Numbers are keyed in their JSON spelling. A key longer than 200 characters is replaced by {@code
 * <event>:sha256:<hex>} of itself.
 *
 * <p>The ordering key is the payment's reference for the charge and for every refund and dispute of
 * that payment, so that a refund is never processed before the charge it refunds; a transfer's
 * events share the transfer's reference; a subscription's and its invoices' events share the
 * subscription code.
 *
 * <p>A body that is not JSON, has no {@code event} string or {@code data}, or is a known event
 * without its identity field, is {@link ParsedEvent.Unparseable} with the key {@code sha256:<hex of
 * the body>}.
 */
public final class Paystack implements WebhookProvider {

  /** The provider name stored with every event. */
  public static final String NAME = "paystack";

  /** The header that carries the signature. */
  public static final String SIGNATURE_HEADER = "x-paystack-signature";

  /**
   * The addresses Paystack documents that it sends webhooks from. They can change: check Paystack's
   * documentation before relying on them.
   */
  public static final List<String> SOURCE_IPS =
      List.of("52.31.139.75", "52.49.173.169", "52.214.14.220");

  private static final int SIGNATURE_HEX_CHARS = 128;

  private static final Hmac HMAC_SHA512 = new Hmac("HmacSHA512");

  private final SigningSecrets secrets;

  private Paystack(SigningSecrets secrets) {
    this.secrets = Objects.requireNonNull(secrets, "secrets");
  }

  /**
   * Checks signatures against these secrets (the account's secret key, sk_live_... or sk_test_...).
   */
  public static Paystack withSecrets(SigningSecrets secrets) {
    return new Paystack(secrets);
  }

  /**
   * An allow-list of {@link #SOURCE_IPS}, to switch on when the host wants it; add {@link
   * SourceIpAllowList#trustingProxies} when the service runs behind a reverse proxy.
   */
  public static SourceIpAllowList sourceIpAllowList() {
    return SourceIpAllowList.of(SOURCE_IPS);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Verification verify(WebhookDelivery delivery, Instant now) {
    String sent = Headers.single(delivery, SIGNATURE_HEADER);
    if (sent == null) {
      return Headers.missingOrRepeated(delivery, SIGNATURE_HEADER);
    }
    String value = sent.strip();
    if (value.length() != SIGNATURE_HEX_CHARS) {
      return Verification.rejected(
          SIGNATURE_HEADER
              + " is "
              + Math.min(value.length(), Hmac.MAX_HEADER_CHARS)
              + (value.length() > Hmac.MAX_HEADER_CHARS ? "+" : "")
              + " characters, not the "
              + SIGNATURE_HEX_CHARS
              + " hex characters of an HMAC-SHA512");
    }
    byte[] signature;
    try {
      signature = HexFormat.of().parseHex(value);
    } catch (IllegalArgumentException e) {
      return Verification.rejected(SIGNATURE_HEADER + " is not hexadecimal");
    }
    List<byte[]> candidates = List.of(signature);
    boolean match = false;
    for (String secret : secrets.active(now)) {
      byte[] expected = HMAC_SHA512.sign(secret.getBytes(StandardCharsets.UTF_8), delivery.body());
      match |= Hmac.matchesAny(expected, candidates);
    }
    return match
        ? Verification.VERIFIED
        : Verification.rejected(SIGNATURE_HEADER + " does not match any active secret");
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
    JsonNode eventNode = root.path("event");
    if (!eventNode.isTextual() || eventNode.asText().isBlank()) {
      return new ParsedEvent.Unparseable(Json.bodyKey(body), "no \"event\" string in the body");
    }
    String event = eventNode.asText();
    JsonNode data = root.path("data");
    if (!data.isContainerNode()) {
      return new ParsedEvent.Unparseable(
          Json.bodyKey(body), event + " has no \"data\" object in the body");
    }
    Subject subject = subject(event, data);
    if (subject == null) {
      return new ParsedEvent.Unparseable(
          Json.bodyKey(body),
          event + " without the field that identifies it (" + family(event) + ")");
    }
    String identity = subject.identity() == null ? Json.bodyKey(body) : subject.identity();
    String status = Json.text(data, "status");
    String key = event + ":" + identity + (status == null ? "" : ":" + status);
    return new ParsedEvent.Event(event, Json.bounded(event, key), subject.orderingKey(), root);
  }

  /** What an event is about; a null identity means "use the body's digest". */
  private record Subject(@Nullable String identity, @Nullable String orderingKey) {}

  private static @Nullable Subject subject(String event, JsonNode data) {
    if (data.isArray()) {
      return new Subject(null, null); // a batch, e.g. subscription.expiring_cards
    }
    if (event.startsWith("charge.dispute.")) {
      String dispute = Json.text(data, "id");
      String payment =
          Json.firstOf(
              Json.text(data, "transaction", "reference"),
              Json.text(data, "transaction_reference"));
      return dispute == null ? null : new Subject(dispute, payment);
    }
    if (event.startsWith("charge.")) {
      String reference = Json.text(data, "reference");
      String identity = Json.firstOf(reference, Json.text(data, "id"));
      return identity == null ? null : new Subject(identity, reference);
    }
    if (event.startsWith("refund.")) {
      String payment =
          Json.firstOf(
              Json.text(data, "transaction_reference"),
              Json.text(data, "transaction", "reference"));
      if (payment == null) {
        return null;
      }
      String refund = Json.firstOf(Json.text(data, "id"), Json.text(data, "refund_reference"));
      if (refund == null) {
        String amount = Json.text(data, "amount");
        refund = amount == null ? null : "amount=" + amount;
      }
      return refund == null ? null : new Subject(payment + "/" + refund, payment);
    }
    if (event.startsWith("transfer.")) {
      String transfer =
          Json.firstOf(Json.text(data, "reference"), Json.text(data, "transfer_code"));
      return transfer == null ? null : new Subject(transfer, transfer);
    }
    if (event.startsWith("subscription.")) {
      String subscription = Json.text(data, "subscription_code");
      return subscription == null ? null : new Subject(subscription, subscription);
    }
    if (event.startsWith("invoice.")) {
      String invoice = Json.text(data, "invoice_code");
      String subscription = Json.text(data, "subscription", "subscription_code");
      return invoice == null ? null : new Subject(invoice, Json.firstOf(subscription, invoice));
    }
    String reference = Json.text(data, "reference");
    return new Subject(Json.firstOf(Json.text(data, "id"), reference), reference);
  }

  private static String family(String event) {
    if (event.startsWith("charge.dispute.")) {
      return "data.id";
    } else if (event.startsWith("charge.")) {
      return "data.reference or data.id";
    } else if (event.startsWith("refund.")) {
      return "data.transaction_reference and data.id, data.refund_reference or data.amount";
    } else if (event.startsWith("transfer.")) {
      return "data.reference or data.transfer_code";
    } else if (event.startsWith("subscription.")) {
      return "data.subscription_code";
    } else {
      return "data.invoice_code";
    }
  }

  @Override
  public String toString() {
    return "Paystack[" + secrets + "]";
  }
}
