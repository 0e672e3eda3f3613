package dev.odim.server.internal.payment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.core.Money;
import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.Outcome;
import dev.odim.payments.Payments;
import dev.odim.payments.ProviderFacts;
import dev.odim.payments.Settlement;
import dev.odim.payments.SettlementSource;
import dev.odim.payments.paystack.Transaction;
import dev.odim.webhooks.WebhookEvent;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Paystack's {@code charge.success} webhook, settled through odim-payments' batched settlement
 * (many settlements share a transaction), with its audit row and the card that paid written in the
 * settlement's own savepoint: the settlement, the fulfilment, the card and the audit row commit
 * together or not at all. It runs outside the inbox's transaction (an idempotent webhook handler):
 * a second run for one event finds the payment settled and writes no second settlement or {@code
 * payment.succeeded} row; only the failure rows (mismatch, unknown reference) may be written again
 * should a worker die between the settlement's commit and the event's.
 */
public final class PaystackSettlements {
  private final Payments payments;
  private final Subscriptions subscriptions;
  private final AuditLog audit;

  public PaystackSettlements(Payments payments, Subscriptions subscriptions, AuditLog audit) {
    this.payments = payments;
    this.subscriptions = subscriptions;
    this.audit = audit;
  }

  /** The {@code charge.success} handler. */
  public void onChargeSuccess(WebhookEvent event) {
    JsonNode data = event.payload().path("data");
    ProviderFacts facts = facts(data);
    Transaction.@Nullable Authorization card = authorization(data);
    payments.settle(
        facts,
        SettlementSource.WEBHOOK,
        (handle, settlement) -> {
          // The card that paid, saved with the settlement for the subscription's renewals.
          subscriptions.rememberCard(handle, settlement, card);
          audit(handle, settlement, facts);
        });
  }

  private void audit(Handle handle, Settlement settlement, ProviderFacts facts) {
    switch (settlement) {
      case Settlement.Settled settled ->
          record(handle, "payment.succeeded", Outcome.SUCCESS, facts, "Settled from the webhook");
      case Settlement.AlreadySettled already -> {}
      case Settlement.Mismatch mismatch ->
          record(
              handle,
              "payment.mismatch",
              Outcome.FAILURE,
              facts,
              "Paystack reported "
                  + mismatch.reported()
                  + ", the intent expects "
                  + mismatch.expected());
      case Settlement.NotPaid notPaid -> {}
      case Settlement.UnknownReference unknown ->
          record(
              handle,
              "payment.unknown_reference",
              Outcome.FAILURE,
              facts,
              "Paystack reported a payment this platform never created");
    }
  }

  private void record(
      Handle handle, String action, Outcome outcome, ProviderFacts facts, String summary) {
    audit.record(
        handle,
        AuditEvent.builder(action)
            .actor("paystack")
            .target("payment:" + facts.reference())
            .outcome(outcome)
            .summary(summary)
            .detail("amount", facts.amount().toString())
            .detail("providerId", facts.providerId())
            .build());
  }

  /**
   * The facts of a Paystack transaction object ({@code data} of {@code charge.success}).
   *
   * @throws IllegalArgumentException when a field the settlement needs is missing or malformed; the
   *     inbox records it as the event's failure
   */
  static ProviderFacts facts(JsonNode data) {
    String reference = text(data, "reference");
    String status = text(data, "status");
    String currency = text(data, "currency");
    if (!data.path("amount").canConvertToExactIntegral()) {
      throw new IllegalArgumentException("data.amount is not an integer of minor units");
    }
    ProviderFacts.Outcome outcome =
        switch (status) {
          case "success" -> ProviderFacts.Outcome.SUCCESS;
          case "failed", "reversed" -> ProviderFacts.Outcome.FAILED;
          default -> ProviderFacts.Outcome.ABANDONED;
        };
    return new ProviderFacts(
        reference,
        outcome,
        Money.of(data.path("amount").longValue(), currency),
        data.path("id").asText(""),
        instant(data.path("paid_at").asText(null)));
  }

  /**
   * The payment method of a Paystack transaction object ({@code data.authorization}); null when it
   * has none or no authorization code (a payment method that cannot be charged again).
   */
  static Transaction.@Nullable Authorization authorization(JsonNode data) {
    JsonNode node = data.path("authorization");
    JsonNode code = node.path("authorization_code");
    if (!code.isTextual() || code.asText().isBlank()) {
      return null;
    }
    return new Transaction.Authorization(
        code.asText(),
        node.path("reusable").asBoolean(false),
        optionalText(node, "signature"),
        optionalText(node, "last4"),
        optionalText(node, "brand"));
  }

  private static @Nullable String optionalText(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
  }

  private static String text(JsonNode data, String field) {
    JsonNode node = data.path(field);
    if (!node.isTextual() || node.asText().isBlank()) {
      throw new IllegalArgumentException("data." + field + " is missing");
    }
    return node.asText();
  }

  private static @Nullable Instant instant(@Nullable String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
