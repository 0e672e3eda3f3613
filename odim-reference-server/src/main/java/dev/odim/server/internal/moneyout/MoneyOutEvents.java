package dev.odim.server.internal.moneyout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.Outcome;
import dev.odim.payments.Disputes;
import dev.odim.payments.EventOutcome;
import dev.odim.payments.Payouts;
import dev.odim.payments.Refunds;
import dev.odim.queue.PermanentJobFailure;
import dev.odim.webhooks.WebhookEvent;
import dev.odim.webhooks.WebhookHandler;
import dev.odim.webhooks.WebhooksBuilder;
import dev.odim.webhooks.provider.Paystack;
import org.jdbi.v3.core.Handle;

/**
 * Paystack's money-out webhooks, applied through odim-payments in the inbox job's transaction with
 * their audit entry, so the event, its effect on the ledger and the entry commit together or the
 * job retries:
 *
 * <ul>
 *   <li>{@code transfer.success}, {@code transfer.failed}, {@code transfer.reversed}: a payout
 *       paid, failed (the hold voided) or reversed (the money back on the balance);
 *   <li>{@code refund.processed}, {@code refund.failed}: a refund done (the settlement reversed in
 *       proportion) or failed (the creator's part released);
 *   <li>{@code charge.dispute.create}: a dispute opened, what the creator's balance covers of it
 *       held.
 * </ul>
 *
 * <p>Every applied event writes one {@code SUCCESS} entry; an event for something this platform
 * never created ({@code Unknown}) or one that does not fit what it names ({@code Ignored}: another
 * amount, a success after a failure) writes one {@code FAILURE} entry and changes nothing else; a
 * repeat writes nothing. A {@code data} object the handlers cannot read will not read better on a
 * retry: it goes to the dead letters at once, with its reason, where an operator can see it.
 */
public final class MoneyOutEvents {
  private static final int SUMMARY = AuditEvent.MAX_SUMMARY_LENGTH;

  private final Payouts payouts;
  private final Refunds refunds;
  private final Disputes disputes;
  private final AuditLog audit;

  public MoneyOutEvents(Payouts payouts, Refunds refunds, Disputes disputes, AuditLog audit) {
    this.payouts = payouts;
    this.refunds = refunds;
    this.disputes = disputes;
    this.audit = audit;
  }

  /** Registers the six handlers on the Paystack provider of {@code webhooks}. */
  public WebhooksBuilder register(WebhooksBuilder webhooks) {
    return webhooks
        .on(
            Paystack.NAME,
            "transfer.success",
            on("payout.paid", "payout", payouts::onTransferSuccess))
        .on(
            Paystack.NAME,
            "transfer.failed",
            on("payout.failed", "payout", payouts::onTransferFailed))
        .on(
            Paystack.NAME,
            "transfer.reversed",
            on("payout.reversed", "payout", payouts::onTransferReversed))
        .on(
            Paystack.NAME,
            "refund.processed",
            on("refund.processed", "refund", refunds::onRefundProcessed))
        .on(Paystack.NAME, "refund.failed", on("refund.failed", "refund", refunds::onRefundFailed))
        .on(
            Paystack.NAME,
            "charge.dispute.create",
            on("dispute.opened", "dispute", disputes::onDisputeCreated));
  }

  /** One of odim-payments' event handlers: the inbox job's handle and the event's data. */
  @FunctionalInterface
  interface Apply {
    EventOutcome apply(Handle handle, JsonNode data);
  }

  private WebhookHandler on(String action, String subject, Apply apply) {
    return (event, handle) -> {
      EventOutcome outcome;
      try {
        outcome = apply.apply(handle, event.payload().path("data"));
      } catch (IllegalArgumentException e) {
        throw new PermanentJobFailure(
            "Paystack "
                + event.type()
                + " event "
                + event.key()
                + " is unreadable: "
                + e.getMessage());
      }
      switch (outcome) {
        case EventOutcome.Applied applied ->
            record(
                handle,
                event,
                AuditEvent.builder(action)
                    .target(target(subject, applied.subject()))
                    .outcome(Outcome.SUCCESS)
                    .summary(clip("Paystack " + event.type() + ": " + applied.detail(), SUMMARY)));
        case EventOutcome.AlreadyApplied already -> {}
        case EventOutcome.Unknown unknown ->
            record(
                handle,
                event,
                AuditEvent.builder(subject + ".unknown_reference")
                    .target(target(subject, unknown.subject()))
                    .outcome(Outcome.FAILURE)
                    .summary(
                        "Paystack sent "
                            + event.type()
                            + " for a "
                            + subject
                            + " this platform never created"));
        case EventOutcome.Ignored ignored ->
            record(
                handle,
                event,
                AuditEvent.builder(subject + ".event_ignored")
                    .target(target(subject, ignored.subject()))
                    .outcome(Outcome.FAILURE)
                    .summary(
                        clip(
                            "Paystack " + event.type() + " ignored: " + ignored.reason(),
                            SUMMARY)));
      }
    };
  }

  private void record(Handle handle, WebhookEvent event, AuditEvent.Builder entry) {
    audit.record(
        handle,
        entry
            .actor("paystack")
            .detail("event", event.type())
            .detail("eventKey", clip(event.key(), AuditEvent.MAX_DETAIL_VALUE_LENGTH))
            .build());
  }

  /**
   * The audit target; a reference Paystack sent is clipped to the log's limit, so an odd event
   * still gets its entry instead of failing the job over the entry's length.
   */
  private static String target(String subject, String id) {
    return clip(subject + ":" + id, AuditEvent.MAX_ID_LENGTH);
  }

  private static String clip(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max);
  }
}
