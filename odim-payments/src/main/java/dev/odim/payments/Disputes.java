package dev.odim.payments;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.ledger.Balancing;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferCode;
import dev.odim.ledger.TransferResult;
import dev.odim.payments.internal.EventData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Currency;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Disputes (chargebacks) of settled payments.
 *
 * <pre>{@code
 * Disputes disputes = Disputes.of(payments);
 * // the webhook inbox calls, in its job's transaction:
 * disputes.onDisputeCreated(handle, event.path("data"));     // holds, payment disputed
 * // when the bank decides (the admin routes, or a charge.dispute.resolve handler):
 * disputes.resolve(disputeId, DisputeStatus.WON);            // releases the hold
 * disputes.resolve(disputeId, DisputeStatus.LOST);           // the held money is gone
 * }</pre>
 *
 * <p>Opening a dispute holds the disputed amount on the creator's balance (a pending ledger
 * transfer to the disputes account, balancing: at most what the balance has available, so a dispute
 * is never refused for a short balance) and moves the payment to disputed. Winning voids the hold
 * and returns the payment to succeeded, partially refunded or refunded, from its processed refunds;
 * losing posts the hold. Every method is idempotent. Immutable and thread-safe.
 */
public final class Disputes {
  /** The ledger's account code of the disputes accounts. */
  public static final int DISPUTES_ACCOUNT_CODE = 500;

  /** The ledger's transfer code of dispute holds. */
  public static final int DISPUTE_TRANSFER_CODE = 4;

  private final Payments payments;
  private final Db db;
  private final Ledger ledger;

  private Disputes(Payments payments) {
    this.payments = payments;
    this.db = payments.db();
    this.ledger = payments.ledger();
  }

  /** Disputes of {@code payments}; creates the disputes accounts of its currencies. */
  public static Disputes of(Payments payments) {
    Disputes disputes = new Disputes(Objects.requireNonNull(payments, "payments"));
    disputes.createAccounts();
    return disputes;
  }

  /** The ledger account that holds, and after a lost dispute keeps, disputed money. */
  public UUID disputesAccount(Currency currency) {
    return payments.derived("disputes:" + currency.getCurrencyCode());
  }

  /**
   * Paystack's {@code charge.dispute.create}: records the dispute, holds the disputed amount (what
   * the creator's balance covers of it) and moves the payment to disputed. Call it with the event's
   * {@code data} object in the webhook job's transaction.
   *
   * @throws IllegalArgumentException when {@code data} lacks a field it needs (nothing is written)
   */
  public EventOutcome onDisputeCreated(Handle handle, JsonNode data) {
    EventData.Dispute event = EventData.dispute(data);
    return open(handle, event.id(), event.transactionReference(), event.amount());
  }

  private EventOutcome open(Handle handle, String id, String paymentReference, Money amount) {
    Optional<PaymentIntent> locked = payments.lock(handle, paymentReference);
    if (locked.isEmpty()) {
      return new EventOutcome.Unknown(paymentReference);
    }
    if (lock(handle, id).isPresent()) {
      return new EventOutcome.AlreadyApplied(id);
    }
    PaymentIntent intent = locked.get();
    if (intent.status() != PaymentStatus.SUCCEEDED
        && intent.status() != PaymentStatus.PARTIALLY_REFUNDED) {
      return new EventOutcome.Ignored(
          id, "the payment is " + intent.status().wireName() + "; a dispute cannot hold it");
    }
    if (!amount.currency().equals(intent.amount().currency()) || !amount.isPositive()) {
      return new EventOutcome.Ignored(id, "the disputed amount " + amount + " does not fit");
    }
    Currency currency = amount.currency();
    UUID holdId = payments.derived("dispute-hold:" + id);
    TransferResult hold =
        ledger.transfer(
            handle,
            Transfer.pending(
                    holdId,
                    intent.creatorAccount(),
                    disputesAccount(currency),
                    amount,
                    DISPUTE_TRANSFER_CODE,
                    null)
                .withBalancing(Balancing.DEBIT)
                .withMetadata(metadata(id)));
    long held =
        switch (hold) {
          case TransferResult.Created created -> created.amount();
          case TransferResult.Exists exists -> exists.amount();
          case TransferResult.Rejected rejected
              when rejected.code() == TransferCode.EXCEEDS_CREDITS
                  || rejected.code() == TransferCode.AMOUNT_MUST_BE_POSITIVE ->
              0; // nothing available to hold
          case TransferResult.Rejected rejected ->
              throw new PaymentsException(
                  paymentReference, "the ledger refused the dispute hold: " + rejected.code());
        };
    handle
        .createUpdate(
            "INSERT INTO "
                + payments.table("disputes")
                + " (id, payment_reference, amount_minor, held_minor, currency, status, hold_id,"
                + " created_at, updated_at) VALUES (:id, :payment, :amount, :held, :currency,"
                + " 'open', :hold, :now, :now)")
        .bind("id", id)
        .bind("payment", paymentReference)
        .bind("amount", amount.minor())
        .bind("held", held)
        .bind("currency", currency.getCurrencyCode())
        .bind("hold", held > 0 ? holdId : null)
        .bind("now", payments.now())
        .execute();
    payments.move(
        handle, intent, PaymentStatus.DISPUTED, null, SettlementSource.WEBHOOK, "dispute " + id);
    return new EventOutcome.Applied(id, "opened, " + Money.of(held, currency) + " held");
  }

  /** {@link #resolve(Handle, String, DisputeStatus)} in its own transaction. */
  public EventOutcome resolve(String disputeId, DisputeStatus outcome) {
    return db.inTransaction(h -> resolve(h, disputeId, outcome));
  }

  /**
   * Records the dispute's outcome inside the caller's transaction: {@link DisputeStatus#WON}
   * releases the hold and returns the payment to where its refunds left it; {@link
   * DisputeStatus#LOST} posts the hold to the disputes account and leaves the payment disputed.
   *
   * @throws IllegalArgumentException when {@code outcome} is {@link DisputeStatus#OPEN}
   */
  public EventOutcome resolve(Handle handle, String disputeId, DisputeStatus outcome) {
    if (outcome == DisputeStatus.OPEN) {
      throw new IllegalArgumentException("a dispute is resolved as won or lost");
    }
    Optional<Dispute> seen = find(handle, disputeId);
    if (seen.isEmpty()) {
      return new EventOutcome.Unknown(disputeId);
    }
    // The payment first, then the dispute: the order every writer of both takes.
    PaymentIntent intent = payments.lock(handle, seen.get().paymentReference()).orElseThrow();
    Dispute dispute = lock(handle, disputeId).orElseThrow();
    if (dispute.status() == outcome) {
      return new EventOutcome.AlreadyApplied(disputeId);
    }
    if (dispute.status() != DisputeStatus.OPEN) {
      return new EventOutcome.Ignored(
          disputeId, "the dispute was already " + dispute.status().wireName());
    }
    if (dispute.held().isPositive()) {
      UUID holdId = payments.derived("dispute-hold:" + disputeId);
      Transfer settle =
          outcome == DisputeStatus.WON
              ? Transfer.voidPending(payments.derived("dispute-release:" + disputeId), holdId)
              : Transfer.postPending(payments.derived("dispute-post:" + disputeId), holdId);
      TransferResult result = ledger.transfer(handle, settle.withMetadata(metadata(disputeId)));
      if (!result.ok()) {
        throw new PaymentsException(
            intent.reference(),
            "the ledger refused to settle dispute " + disputeId + ": " + result.code());
      }
    }
    handle
        .createUpdate(
            "UPDATE "
                + payments.table("disputes")
                + " SET status = :to, version = version + 1, updated_at = :now WHERE id = :id")
        .bind("to", outcome.wireName())
        .bind("now", payments.now())
        .bind("id", disputeId)
        .execute();
    if (outcome == DisputeStatus.WON && intent.status() == PaymentStatus.DISPUTED) {
      boolean otherOpen =
          handle
                  .createQuery(
                      "SELECT count(*) FROM "
                          + payments.table("disputes")
                          + " WHERE payment_reference = :p AND status = 'open'")
                  .bind("p", intent.reference())
                  .mapTo(Long.class)
                  .one()
              > 0;
      if (!otherOpen) {
        payments.move(
            handle,
            intent,
            Refunds.statusFromRefunds(handle, payments, intent),
            null,
            SettlementSource.ADMIN,
            "dispute " + disputeId + " won");
      }
    }
    return new EventOutcome.Applied(disputeId, "open -> " + outcome.wireName());
  }

  /** The dispute with this id. */
  public Optional<Dispute> find(String disputeId) {
    return db.withHandle(h -> find(h, disputeId));
  }

  private Optional<Dispute> find(Handle handle, String disputeId) {
    return handle
        .createQuery("SELECT * FROM " + payments.table("disputes") + " WHERE id = :id")
        .bind("id", disputeId)
        .map((rs, c) -> dispute(rs))
        .findOne();
  }

  private Optional<Dispute> lock(Handle handle, String disputeId) {
    return handle
        .createQuery("SELECT * FROM " + payments.table("disputes") + " WHERE id = :id FOR UPDATE")
        .bind("id", disputeId)
        .map((rs, c) -> dispute(rs))
        .findOne();
  }

  private static String metadata(String disputeId) {
    return "{\"dispute\":\""
        + new String(JsonStringEncoder.getInstance().quoteAsString(disputeId))
        + "\"}";
  }

  private static Dispute dispute(ResultSet rs) throws SQLException {
    Currency currency = Currency.getInstance(rs.getString("currency").strip());
    return new Dispute(
        rs.getString("id"),
        rs.getString("payment_reference"),
        Money.of(rs.getLong("amount_minor"), currency),
        Money.of(rs.getLong("held_minor"), currency),
        DisputeStatus.fromWireName(rs.getString("status")),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }

  private void createAccounts() {
    payments.createPlatformAccounts(
        payments.currencies(), this::disputesAccount, DISPUTES_ACCOUNT_CODE, "disputes");
  }
}
