package dev.odim.payments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.core.Money;
import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.ledger.Balance;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferCode;
import dev.odim.ledger.TransferRecord;
import dev.odim.ledger.TransferResult;
import dev.odim.payments.internal.EventData;
import dev.odim.payments.internal.Shares;
import dev.odim.queue.Backoff;
import dev.odim.queue.JobQueue;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Refunds of settled payments, in full or in parts.
 *
 * <pre>{@code
 * Refunds refunds = Refunds.builder(payments, queue).build();
 * switch (refunds.request(new NewRefund("rf-91c2", "sub-8QpZ2x", Money.of(100_000, "NGN")))) {
 *   case RefundResult.Requested r -> ...          // the creator's part is held; sending queued
 *   case RefundResult.ExceedsRefundable r -> ...  // more than is left; nothing was written
 *   ...
 * }
 * // the webhook inbox calls, in its job's transaction:
 * refunds.onRefundProcessed(handle, event.path("data"));   // reverses the settlement in proportion
 * refunds.onRefundFailed(handle, event.path("data"));      // releases the hold
 * }</pre>
 *
 * <p>A request locks the payment, checks that the amount fits in what is left (the payment's amount
 * minus every refund that has not failed), splits it into the creator's part and the fee's part
 * (see {@link dev.odim.payments.internal.Shares} and docs/payments.md for the rounding: the parts
 * are whole units and add up exactly to the creator's share and the fee once everything is
 * refunded), holds the creator's part on their balance (so it cannot be paid out meanwhile), and
 * queues the Paystack call, all in one transaction. When Paystack reports the refund processed, the
 * hold is released and the settlement's two ledger transfers are reversed by the two parts, as one
 * linked batch, and the payment becomes partially refunded or refunded. Immutable and thread-safe.
 */
public final class Refunds {
  /** The ledger's account code of the refund-hold accounts. */
  public static final int REFUND_HOLD_ACCOUNT_CODE = 400;

  /** The ledger's transfer code of refund holds and reversals. */
  public static final int REFUND_TRANSFER_CODE = 3;

  static final String SEND_JOB = "odim.payments.refund.send";
  static final String LOOKUP_JOB = "odim.payments.refund.lookup";

  private final Payments payments;
  private final Db db;
  private final Ledger ledger;
  private final JobQueue queue;
  private final Payouts.JobOptions jobs;
  private final Duration lookupAfter;

  private Refunds(Builder builder) {
    this.payments = builder.payments;
    this.db = payments.db();
    this.ledger = payments.ledger();
    this.queue = builder.queue;
    this.jobs = new Payouts.JobOptions(builder.backoff, builder.maxAttempts);
    this.lookupAfter = builder.lookupAfter;
  }

  /** Starts configuring refunds for {@code payments}, queueing their work on {@code queue}. */
  public static Builder builder(Payments payments, JobQueue queue) {
    return new Builder(payments, queue);
  }

  /** The ledger account that holds creators' parts of refunds not yet processed. */
  public UUID holdAccount(Currency currency) {
    return payments.derived("refund-holds:" + currency.getCurrencyCode());
  }

  /** Requests a refund in its own transaction. */
  public RefundResult request(NewRefund refund) {
    return db.inTransaction(h -> request(h, refund));
  }

  /**
   * Requests a refund inside the caller's transaction.
   *
   * @throws PaymentsException when the ledger refuses the hold for a reason of setup
   */
  public RefundResult request(Handle handle, NewRefund refund) {
    // The payment's row lock serializes every refund of one payment, so the sums below hold.
    Optional<PaymentIntent> locked = payments.lock(handle, refund.paymentReference());
    if (locked.isEmpty()) {
      return new RefundResult.UnknownPayment(refund.paymentReference());
    }
    Optional<PaymentRefund> existing = lock(handle, refund.reference());
    if (existing.isPresent()) {
      PaymentRefund stored = existing.get();
      boolean same =
          stored.paymentReference().equals(refund.paymentReference())
              && (refund.amount() == null || stored.amount().equals(refund.amount()));
      return same
          ? new RefundResult.Exists(stored)
          : new RefundResult.ExistsWithDifferentFields(stored);
    }
    PaymentIntent intent = locked.get();
    if (intent.status() != PaymentStatus.SUCCEEDED
        && intent.status() != PaymentStatus.PARTIALLY_REFUNDED) {
      return new RefundResult.NotRefundable(intent);
    }
    Currency currency = intent.amount().currency();
    long[] before = standing(handle, intent.reference());
    Money refundable = Money.of(intent.amount().minor() - before[0], currency);
    Money amount = refund.amount() == null ? refundable : refund.amount();
    if (!amount.currency().equals(currency)
        || !amount.isPositive()
        || amount.isGreaterThan(refundable)) {
      return new RefundResult.ExceedsRefundable(amount, refundable);
    }
    long creatorPart =
        Shares.creatorPart(
            intent.amount().minor(),
            intent.creatorShare().minor(),
            before[0],
            before[1],
            before[2],
            amount.minor());
    UUID holdId = null;
    if (creatorPart > 0) {
      holdId = payments.derived("refund-hold:" + refund.reference());
      TransferResult hold =
          ledger.transfer(
              handle,
              Transfer.pending(
                      holdId,
                      intent.creatorAccount(),
                      holdAccount(currency),
                      Money.of(creatorPart, currency),
                      REFUND_TRANSFER_CODE,
                      null)
                  .withMetadata(metadata(refund.reference())));
      if (hold instanceof TransferResult.Rejected rejected) {
        if (rejected.code() == TransferCode.EXCEEDS_CREDITS) {
          long available =
              ledger.balance(intent.creatorAccount()).map(Balance::available).orElse(0L);
          return new RefundResult.InsufficientCreatorBalance(
              Money.of(creatorPart, currency), Money.of(available, currency));
        }
        throw new PaymentsException(
            intent.reference(), "the ledger refused the refund hold: " + rejected.code());
      }
    }
    Instant now = payments.now();
    PaymentRefund stored =
        handle
            .createQuery(
                "INSERT INTO "
                    + payments.table("refunds")
                    + " (reference, payment_reference, amount_minor, creator_part_minor,"
                    + " fee_part_minor, currency, status, hold_id, created_at, updated_at)"
                    + " VALUES (:reference, :payment, :amount, :creator, :fee, :currency,"
                    + " 'requested', :hold, :now, :now) RETURNING *")
            .bind("reference", refund.reference())
            .bind("payment", intent.reference())
            .bind("amount", amount.minor())
            .bind("creator", creatorPart)
            .bind("fee", amount.minor() - creatorPart)
            .bind("currency", currency.getCurrencyCode())
            .bind("hold", holdId)
            .bind("now", now)
            .map((rs, c) -> refund(rs))
            .one();
    transition(handle, refund.reference(), null, RefundStatus.REQUESTED, "api", "");
    queue.enqueue(handle, jobs.job(SEND_JOB, refund.reference()));
    return new RefundResult.Requested(stored);
  }

  /** The refund with this reference. */
  public Optional<PaymentRefund> find(String reference) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM " + payments.table("refunds") + " WHERE reference = :r")
                .bind("r", reference)
                .map((rs, c) -> refund(rs))
                .findOne());
  }

  /** Every refund of a payment, oldest first. */
  public List<PaymentRefund> forPayment(String paymentReference) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT * FROM "
                        + payments.table("refunds")
                        + " WHERE payment_reference = :p ORDER BY created_at, reference")
                .bind("p", paymentReference)
                .map((rs, c) -> refund(rs))
                .list());
  }

  /**
   * Paystack's {@code refund.processed}: releases the refund's hold, reverses the settlement's
   * transfers by the refund's creator and fee parts (one linked batch), and moves the payment to
   * partially refunded or refunded. The event is matched to our refund by Paystack's refund id, or
   * (before we learned it) by payment and amount among the refunds sent. Call it with the event's
   * {@code data} object in the webhook job's transaction.
   *
   * @throws IllegalArgumentException when {@code data} lacks a field it needs (nothing is written)
   * @throws PaymentsException when the ledger refuses the reversal (the settlement is not where it
   *     should be); the caller's transaction must roll back
   */
  public EventOutcome onRefundProcessed(Handle handle, JsonNode data) {
    EventData.Refund event = EventData.refund(data);
    return settle(handle, event, true);
  }

  /**
   * Paystack's {@code refund.failed}: releases the hold; the amount can be refunded again.
   *
   * @throws IllegalArgumentException as {@link #onRefundProcessed}
   */
  public EventOutcome onRefundFailed(Handle handle, JsonNode data) {
    EventData.Refund event = EventData.refund(data);
    return settle(handle, event, false);
  }

  private EventOutcome settle(Handle handle, EventData.Refund event, boolean processed) {
    String subject = "refund " + event.id();
    Optional<PaymentIntent> locked = payments.lock(handle, event.transactionReference());
    if (locked.isEmpty()) {
      return new EventOutcome.Unknown(subject);
    }
    PaymentIntent intent = locked.get();
    Optional<PaymentRefund> matched = match(handle, intent.reference(), event);
    if (matched.isEmpty()) {
      return new EventOutcome.Unknown(subject);
    }
    PaymentRefund refund = matched.get();
    if (!refund.amount().equals(event.amount())) {
      return new EventOutcome.Ignored(
          refund.reference(),
          "Paystack reports " + event.amount() + ", the refund is " + refund.amount());
    }
    return finish(handle, intent, refund, processed, event.id(), "webhook");
  }

  /** Applies Paystack's final word on {@code refund}: reversed in the ledger, or released. */
  private EventOutcome finish(
      Handle handle,
      PaymentIntent intent,
      PaymentRefund refund,
      boolean processed,
      long providerId,
      String source) {
    RefundStatus to = processed ? RefundStatus.PROCESSED : RefundStatus.FAILED;
    if (refund.status() == to) {
      return new EventOutcome.AlreadyApplied(refund.reference());
    }
    if (refund.status() == RefundStatus.PROCESSED || refund.status() == RefundStatus.FAILED) {
      return new EventOutcome.Ignored(
          refund.reference(), "the refund is already " + refund.status().wireName());
    }
    if (processed) {
      reverse(handle, intent, refund);
    } else {
      release(handle, refund);
    }
    move(handle, refund, to, providerId, source, processed ? "" : "Paystack: refund failed");
    if (processed) {
      moveIntent(
          handle,
          intent,
          source.equals("webhook") ? SettlementSource.WEBHOOK : SettlementSource.VERIFY,
          "refund " + refund.reference());
    }
    return new EventOutcome.Applied(
        refund.reference(), refund.status().wireName() + " -> " + to.wireName());
  }

  /** The refund an event is about: by Paystack's id, else the oldest sent one of that amount. */
  private Optional<PaymentRefund> match(
      Handle handle, String paymentReference, EventData.Refund event) {
    Optional<PaymentRefund> byId =
        handle
            .createQuery(
                "SELECT * FROM "
                    + payments.table("refunds")
                    + " WHERE provider_refund_id = :id FOR UPDATE")
            .bind("id", event.id())
            .map((rs, c) -> refund(rs))
            .findOne();
    if (byId.isPresent()) {
      return byId;
    }
    return handle
        .createQuery(
            "SELECT * FROM "
                + payments.table("refunds")
                + " WHERE payment_reference = :p AND provider_refund_id IS NULL"
                + " AND status IN ('sending', 'sent', 'unknown') AND amount_minor = :amount"
                + " ORDER BY created_at, reference LIMIT 1 FOR UPDATE")
        .bind("p", paymentReference)
        .bind("amount", event.amount().minor())
        .map((rs, c) -> refund(rs))
        .findOne();
  }

  /** Releases the hold and reverses both settlement transfers by the parts, all or nothing. */
  private void reverse(Handle handle, PaymentIntent intent, PaymentRefund refund) {
    UUID entry = payments.settlementEntryId(intent.reference());
    List<Transfer> batch = new ArrayList<>();
    if (refund.creatorPart().isPositive()) {
      batch.add(Transfer.voidPending(id("refund-release:", refund), holdId(refund)));
      batch.add(
          Transfer.reversal(
              id("refund-creator:", refund),
              settlementLeg(entry, 0, intent.creatorAccount(), intent.reference()),
              refund.creatorPart()));
    }
    if (refund.feePart().isPositive()) {
      batch.add(
          Transfer.reversal(
              id("refund-fee:", refund),
              settlementLeg(
                  entry, 1, payments.feeAccount(intent.amount().currency()), intent.reference()),
              refund.feePart()));
    }
    List<Transfer> linked = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Transfer t =
          batch.get(i).withCode(REFUND_TRANSFER_CODE).withMetadata(metadata(refund.reference()));
      linked.add(i < batch.size() - 1 ? t.linkedToNext() : t);
    }
    for (TransferResult result : ledger.transfers(handle, linked)) {
      if (!result.ok()) {
        throw new PaymentsException(
            intent.reference(),
            "the ledger refused refund " + refund.reference() + ": " + result.code());
      }
    }
  }

  /**
   * The id of the settlement entry's transfer at {@code position} (0: clearing to creator, 1:
   * clearing to fee), checked against the ledger. The ledger derives a journal entry's transfer ids
   * from the entry's id and each transfer's position; reading it back guards against that rule
   * changing under us.
   */
  private UUID settlementLeg(UUID entry, int position, UUID creditAccount, String reference) {
    UUID id = UUID.nameUUIDFromBytes((entry + ":" + position).getBytes(StandardCharsets.UTF_8));
    Optional<TransferRecord> leg = ledger.transferById(id);
    if (leg.isEmpty() || !creditAccount.equals(leg.get().creditAccountId())) {
      throw new PaymentsException(
          reference, "the settlement's transfer " + position + " is not where the refund expects");
    }
    return id;
  }

  private void release(Handle handle, PaymentRefund refund) {
    if (!refund.creatorPart().isPositive()) {
      return;
    }
    TransferResult result =
        ledger.transfer(
            handle,
            Transfer.voidPending(id("refund-release:", refund), holdId(refund))
                .withMetadata(metadata(refund.reference())));
    if (!result.ok()) {
      throw new PaymentsException(
          refund.paymentReference(),
          "the ledger refused to release refund " + refund.reference() + ": " + result.code());
    }
  }

  /** The payment's status from its processed refunds, unless a dispute holds it. */
  private void moveIntent(
      Handle handle, PaymentIntent intent, SettlementSource source, String detail) {
    if (intent.status() == PaymentStatus.DISPUTED) {
      return; // the dispute's resolution works the status out from the refunds then
    }
    PaymentStatus to = statusFromRefunds(handle, payments, intent);
    if (to != intent.status()) {
      payments.move(handle, intent, to, null, source, detail);
    }
  }

  /** Succeeded, partially refunded or refunded, from the refunds processed so far. */
  static PaymentStatus statusFromRefunds(Handle handle, Payments payments, PaymentIntent intent) {
    long processed =
        handle
            .createQuery(
                "SELECT coalesce(sum(amount_minor), 0) FROM "
                    + payments.table("refunds")
                    + " WHERE payment_reference = :p AND status = 'processed'")
            .bind("p", intent.reference())
            .mapTo(Long.class)
            .one();
    if (processed == 0) {
      return PaymentStatus.SUCCEEDED;
    }
    return processed >= intent.amount().minor()
        ? PaymentStatus.REFUNDED
        : PaymentStatus.PARTIALLY_REFUNDED;
  }

  /** Amount, creator parts and fee parts of the payment's refunds that have not failed. */
  private long[] standing(Handle handle, String paymentReference) {
    return handle
        .createQuery(
            "SELECT coalesce(sum(amount_minor), 0) AS a, coalesce(sum(creator_part_minor), 0) AS c,"
                + " coalesce(sum(fee_part_minor), 0) AS f FROM "
                + payments.table("refunds")
                + " WHERE payment_reference = :p AND status <> 'failed'")
        .bind("p", paymentReference)
        .map((rs, c) -> new long[] {rs.getLong("a"), rs.getLong("c"), rs.getLong("f")})
        .one();
  }

  // ---- for PaymentJobs ----

  Db db() {
    return db;
  }

  JobQueue queue() {
    return queue;
  }

  Payouts.JobOptions jobOptions() {
    return jobs;
  }

  /**
   * Marks the refund as being sent, if it waits to be; a refund found mid-send (an earlier attempt
   * died during the call) is marked unknown instead, since that attempt may have reached Paystack.
   */
  @Nullable PaymentRefund startSending(String reference) {
    return db.inTransaction(
        h -> {
          Optional<PaymentRefund> locked = lock(h, reference);
          if (locked.isEmpty()) {
            return null;
          }
          PaymentRefund refund = locked.get();
          if (refund.status() == RefundStatus.SENDING) {
            move(h, refund, RefundStatus.UNKNOWN, null, "job", "an attempt was interrupted");
            lookUpLater(h, reference);
            return null;
          }
          if (refund.status() != RefundStatus.REQUESTED) {
            return null;
          }
          move(h, refund, RefundStatus.SENDING, null, "job", "");
          return refund;
        });
  }

  /** The attempt never reached Paystack: back to requested, to be sent by a later attempt. */
  void notSent(String reference) {
    db.useTransaction(
        h ->
            lock(h, reference)
                .filter(r -> r.status() == RefundStatus.SENDING)
                .ifPresent(r -> move(h, r, RefundStatus.REQUESTED, null, "job", "not sent")));
  }

  /** Paystack accepted the refund under {@code providerId}. */
  void accepted(String reference, long providerId) {
    db.useTransaction(
        h -> {
          Optional<PaymentRefund> locked = lock(h, reference);
          if (locked.isEmpty()) {
            return;
          }
          PaymentRefund refund = locked.get();
          RefundStatus to =
              refund.status() == RefundStatus.SENDING || refund.status() == RefundStatus.UNKNOWN
                  ? RefundStatus.SENT
                  : refund.status();
          if (to != refund.status() || refund.providerRefundId() == null) {
            move(h, refund, to, providerId, "job", "");
          }
        });
  }

  /** The attempt may or may not have reached Paystack: look at Paystack's list later. */
  void outcomeUnknown(String reference, String why) {
    db.useTransaction(
        h -> {
          Optional<PaymentRefund> locked =
              lock(h, reference).filter(r -> r.status() == RefundStatus.SENDING);
          if (locked.isPresent()) {
            move(h, locked.get(), RefundStatus.UNKNOWN, null, "job", why);
            lookUpLater(h, reference);
          }
        });
  }

  private void lookUpLater(Handle handle, String reference) {
    queue.enqueue(handle, jobs.job(LOOKUP_JOB, reference).runAt(payments.now().plus(lookupAfter)));
  }

  /** Paystack's ids of the payment's refunds we know. */
  Set<Long> providerIds(String paymentReference) {
    return db.withHandle(
        h ->
            Set.copyOf(
                h.createQuery(
                        "SELECT provider_refund_id FROM "
                            + payments.table("refunds")
                            + " WHERE payment_reference = :p AND provider_refund_id IS NOT NULL")
                    .bind("p", paymentReference)
                    .mapTo(Long.class)
                    .list()));
  }

  /**
   * The look-up found the unknown refund at Paystack as {@code found}: record it as sent, or settle
   * it if Paystack has already decided.
   */
  void foundAtPaystack(String reference, dev.odim.payments.paystack.Refund found) {
    db.useTransaction(
        h -> {
          // The payment first, then the refund: the order every writer of both takes.
          PaymentRefund seen = find(reference).orElse(null);
          if (seen == null) {
            return;
          }
          PaymentIntent intent = payments.lock(h, seen.paymentReference()).orElseThrow();
          PaymentRefund refund = lock(h, reference).orElseThrow();
          if (refund.status() != RefundStatus.UNKNOWN) {
            return; // a webhook settled it meanwhile
          }
          switch (found.status()) {
            case "processed" -> finish(h, intent, refund, true, found.id(), "verify");
            case "failed" -> finish(h, intent, refund, false, found.id(), "verify");
            default -> move(h, refund, RefundStatus.SENT, found.id(), "verify", "");
          }
        });
  }

  /** The look-up shows Paystack never got the refund: send it again. */
  void notSentAfterAll(String reference) {
    db.useTransaction(
        h -> {
          Optional<PaymentRefund> locked =
              lock(h, reference).filter(r -> r.status() == RefundStatus.UNKNOWN);
          if (locked.isPresent()) {
            move(h, locked.get(), RefundStatus.REQUESTED, null, "verify", "not at Paystack");
            queue.enqueue(h, jobs.job(SEND_JOB, reference));
          }
        });
  }

  /** Paystack refused the refund: release the hold and mark it failed. */
  void refused(String reference, String why) {
    db.useTransaction(
        h -> {
          Optional<PaymentRefund> locked = lock(h, reference);
          if (locked.isEmpty()
              || locked.get().status() == RefundStatus.PROCESSED
              || locked.get().status() == RefundStatus.FAILED) {
            return;
          }
          release(h, locked.get());
          move(h, locked.get(), RefundStatus.FAILED, null, "job", "Paystack: " + why);
        });
  }

  // ---- rows ----

  private void move(
      Handle handle,
      PaymentRefund refund,
      RefundStatus to,
      @Nullable Long providerId,
      String source,
      String detail) {
    handle
        .createUpdate(
            "UPDATE "
                + payments.table("refunds")
                + " SET status = :to, version = version + 1, updated_at = :now,"
                + " provider_refund_id = coalesce(provider_refund_id, :provider),"
                + " failure = CASE WHEN :failing THEN :detail ELSE failure END"
                + " WHERE reference = :r")
        .bind("to", to.wireName())
        .bind("now", payments.now())
        .bind("provider", providerId)
        .bind("failing", to == RefundStatus.FAILED || to == RefundStatus.UNKNOWN)
        .bind("detail", detail)
        .bind("r", refund.reference())
        .execute();
    if (to != refund.status()) {
      handle
          .createUpdate(
              "INSERT INTO "
                  + payments.table("refund_transitions")
                  + " (reference, from_status, to_status, source, detail, at)"
                  + " VALUES (:r, :from, :to, :source, :detail, :at)")
          .bind("r", refund.reference())
          .bind("from", refund.status().wireName())
          .bind("to", to.wireName())
          .bind("source", source)
          .bind("detail", detail)
          .bind("at", payments.now())
          .execute();
    }
  }

  private void transition(
      Handle handle,
      String reference,
      @Nullable RefundStatus from,
      RefundStatus to,
      String source,
      String detail) {
    handle
        .createUpdate(
            "INSERT INTO "
                + payments.table("refund_transitions")
                + " (reference, from_status, to_status, source, detail, at)"
                + " VALUES (:r, :from, :to, :source, :detail, :at)")
        .bind("r", reference)
        .bind("from", from == null ? null : from.wireName())
        .bind("to", to.wireName())
        .bind("source", source)
        .bind("detail", detail)
        .bind("at", payments.now())
        .execute();
  }

  private Optional<PaymentRefund> lock(Handle handle, String reference) {
    return handle
        .createQuery(
            "SELECT * FROM " + payments.table("refunds") + " WHERE reference = :r FOR UPDATE")
        .bind("r", reference)
        .map((rs, c) -> refund(rs))
        .findOne();
  }

  private UUID holdId(PaymentRefund refund) {
    return payments.derived("refund-hold:" + refund.reference());
  }

  private UUID id(String prefix, PaymentRefund refund) {
    return payments.derived(prefix + refund.reference());
  }

  private static String metadata(String reference) {
    return "{\"refund\":\"" + reference + "\"}"; // references hold no character JSON escapes
  }

  private static PaymentRefund refund(ResultSet rs) throws SQLException {
    Currency currency = Currency.getInstance(rs.getString("currency").strip());
    long provider = rs.getLong("provider_refund_id");
    Long providerId = rs.wasNull() ? null : provider;
    return new PaymentRefund(
        rs.getString("reference"),
        rs.getString("payment_reference"),
        Money.of(rs.getLong("amount_minor"), currency),
        Money.of(rs.getLong("creator_part_minor"), currency),
        Money.of(rs.getLong("fee_part_minor"), currency),
        RefundStatus.fromWireName(rs.getString("status")),
        providerId,
        rs.getString("failure"),
        rs.getInt("version"),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }

  private void createAccounts() {
    payments.createPlatformAccounts(
        payments.currencies(), this::holdAccount, REFUND_HOLD_ACCOUNT_CODE, "refund holds");
  }

  /** Configures {@link Refunds}; {@link #build()} creates the refund-hold accounts. */
  public static final class Builder {
    private final Payments payments;
    private final JobQueue queue;
    private Backoff backoff = Payouts.JobOptions.DEFAULT_BACKOFF;
    private int maxAttempts = Payouts.JobOptions.DEFAULT_MAX_ATTEMPTS;
    private Duration lookupAfter = Duration.ofMinutes(2);

    private Builder(Payments payments, JobQueue queue) {
      this.payments = Objects.requireNonNull(payments, "payments");
      this.queue = Objects.requireNonNull(queue, "queue");
    }

    /**
     * The waits between attempts of the refund jobs while Paystack is unavailable; default 1 s
     * doubling to 5 min.
     */
    public Builder retryBackoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /** Attempts of a refund job before it goes to the dead letters, 1 to 1000; default 1000. */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * How long after an attempt without a clear answer Paystack's list of the payment's refunds is
     * read to learn whether it got the refund; default 2 minutes, long enough that a request still
     * in flight at Paystack has landed.
     */
    public Builder lookupAfter(Duration lookupAfter) {
      this.lookupAfter = Objects.requireNonNull(lookupAfter, "lookupAfter");
      return this;
    }

    /**
     * @throws OdimConfigException naming the first invalid setting
     */
    public Refunds build() {
      if (lookupAfter.isNegative() || lookupAfter.isZero()) {
        throw new OdimConfigException("lookupAfter", "must be positive, was " + lookupAfter);
      }
      Refunds refunds = new Refunds(this);
      refunds.createAccounts();
      return refunds;
    }
  }
}
