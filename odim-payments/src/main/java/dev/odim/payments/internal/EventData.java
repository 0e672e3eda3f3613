package dev.odim.payments.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Money;
import java.util.Currency;
import org.jspecify.annotations.Nullable;

/** The fields of Paystack's webhook {@code data} objects that payouts, refunds and disputes use. */
public final class EventData {
  private static final ObjectMapper JSON = new ObjectMapper();

  private EventData() {}

  /**
   * A {@code transfer.*} event.
   *
   * @param amount null when the event carries none
   */
  public record Transfer(String reference, @Nullable String transferCode, @Nullable Money amount) {}

  /** A {@code refund.*} event. */
  public record Refund(long id, String transactionReference, Money amount) {}

  /** A {@code charge.dispute.*} event. */
  public record Dispute(String id, String transactionReference, Money amount) {}

  /**
   * @throws IllegalArgumentException when the reference is missing or the amount malformed
   */
  public static Transfer transfer(JsonNode data) {
    String reference = text(data, "reference");
    String code =
        data.path("transfer_code").isTextual() ? data.path("transfer_code").asText() : null;
    Money amount = null;
    if (!data.path("amount").isMissingNode() && !data.path("amount").isNull()) {
      amount = money(data, "amount");
    }
    return new Transfer(reference, code, amount);
  }

  /**
   * @throws IllegalArgumentException when a field is missing or malformed
   */
  public static Refund refund(JsonNode data) {
    JsonNode id = data.path("id");
    long refundId;
    if (id.canConvertToExactIntegral()) {
      refundId = id.longValue();
    } else if (id.isTextual() && id.asText().matches("[0-9]{1,18}")) {
      refundId = Long.parseLong(id.asText());
    } else {
      throw new IllegalArgumentException("data.id is not a refund id");
    }
    String reference =
        data.path("transaction_reference").isTextual()
            ? data.path("transaction_reference").asText()
            : text(data.path("transaction"), "reference");
    return new Refund(refundId, reference, money(data, "amount"));
  }

  /**
   * @throws IllegalArgumentException when a field is missing or malformed
   */
  public static Dispute dispute(JsonNode data) {
    JsonNode id = data.path("id");
    if (!(id.canConvertToExactIntegral() || id.isTextual()) || id.asText().isBlank()) {
      throw new IllegalArgumentException("data.id is not a dispute id");
    }
    String reference =
        data.path("transaction_reference").isTextual()
            ? data.path("transaction_reference").asText()
            : text(data.path("transaction"), "reference");
    Money amount =
        data.path("refund_amount").canConvertToExactIntegral()
            ? money(data, "refund_amount")
            : money(data.path("transaction"), "amount");
    return new Dispute(id.asText(), reference, amount);
  }

  /** A job payload naming one reference. */
  public static String referencePayload(String reference) {
    return JSON.createObjectNode().put("reference", reference).toString();
  }

  /**
   * The reference a job payload names.
   *
   * @throws IllegalArgumentException when the payload is not such an object
   */
  public static String reference(String payload) {
    try {
      return text(JSON.readTree(payload), "reference");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the job payload is not JSON", e);
    }
  }

  private static Money money(JsonNode data, String field) {
    JsonNode amount = data.path(field);
    if (!amount.canConvertToExactIntegral()) {
      throw new IllegalArgumentException("data." + field + " is not an integer of minor units");
    }
    String currency = data.path("currency").asText("");
    if (!currency.matches("[A-Z]{3}")) {
      throw new IllegalArgumentException("data.currency is missing");
    }
    return Money.of(amount.longValue(), Currency.getInstance(currency));
  }

  private static String text(JsonNode data, String field) {
    JsonNode node = data.path(field);
    if (!node.isTextual() || node.asText().isBlank()) {
      throw new IllegalArgumentException("data." + field + " is missing");
    }
    return node.asText();
  }
}
