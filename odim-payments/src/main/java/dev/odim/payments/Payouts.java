package dev.odim.payments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.odim.core.Money;
import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.ledger.Balance;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferCode;
import dev.odim.ledger.TransferResult;
import dev.odim.payments.internal.EventData;
import dev.odim.queue.Backoff;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Creators' payouts: the amount is held on the creator's ledger balance when the payout is
 * requested, the Paystack transfer is sent by a queued job, and Paystack's word settles the hold.
 *
 * <pre>{@code
 * Payouts payouts = Payouts.builder(payments, queue).build();
 * switch (payouts.request(new NewPayout("po-7f3a", creatorAccount, Money.of(2_000_000, "NGN"),
 *     "RCP_abc", "December earnings"))) {
 *   case PayoutResult.Requested r -> ...            // held; the transfer is queued
 *   case PayoutResult.InsufficientBalance r -> ...  // nothing was written
 *   ...
 * }
 * // the webhook inbox calls, in its job's transaction:
 * payouts.onTransferSuccess(handle, event.path("data"));   // posts the hold
 * payouts.onTransferFailed(handle, event.path("data"));    // voids it: the money is back
 * payouts.onTransferReversed(handle, event.path("data"));  // moves a paid payout back
 * }</pre>
 *
 * <p>A request is one transaction: the hold (a pending ledger transfer from the creator's account
 * to the payouts-in-transit account, which the ledger refuses when the creator's available balance
 * is short, if the account forbids overdraft as a creator's should), the payout row and the job
 * that sends it commit together or not at all. The transfer goes out later, outside any database
 * transaction, under the payout's reference, so a retry cannot pay twice (see {@link PaymentJobs}).
 * Immutable and thread-safe.
 */
public final class Payouts {
  /** The ledger's account code of the payouts-in-transit accounts. */
  public static final int IN_TRANSIT_ACCOUNT_CODE = 600;

  /** The ledger's transfer code of payout holds, their posting and their reversal. */
  public static final int PAYOUT_TRANSFER_CODE = 2;

  static final String SEND_JOB = "odim.payments.payout.send";
  static final String VERIFY_JOB = "odim.payments.payout.verify";

  private final Payments payments;
  private final Db db;
  private final Ledger ledger;
  private final JobQueue queue;
  private final JobOptions jobs;
  private final Duration verifyAfter;

  private Payouts(Builder builder) {
    this.payments = builder.payments;
    this.db = payments.db();
    this.ledger = payments.ledger();
    this.queue = builder.queue;
    this.jobs = new JobOptions(builder.backoff, builder.maxAttempts);
    this.verifyAfter = builder.verifyAfter;
  }

  /** Starts configuring payouts for {@code payments}, queueing their work on {@code queue}. */
  public static Builder builder(Payments payments, JobQueue queue) {
    return new Builder(payments, queue);
  }

  /** The ledger account that holds and then receives payouts in {@code currency}. */
  public UUID inTransitAccount(Currency currency) {
    return payments.derived("payouts-in-transit:" + currency.getCurrencyCode());
  }

  /** Requests a payout in its own transaction. */
  public PayoutResult request(NewPayout payout) {
    return db.inTransaction(h -> request(h, payout));
  }

  /**
   * Requests a payout inside the caller's transaction: holds the amount on the creator's balance,
   * records the payout and queues its sending, or (on a short balance) writes nothing.
   *
   * @throws PaymentsException when the ledger refuses the hold for a reason of setup (no such
   *     account, another currency); the caller's transaction must roll back
   */
  public PayoutResult request(Handle handle, NewPayout payout) {
    Optional<Payout> existing = lock(handle, payout.reference());
    if (existing.isPresent()) {
      return compared(existing.get(), payout);
    }
    Currency currency = payout.amount().currency();
    TransferResult hold =
        ledger.transfer(
            handle,
            Transfer.pending(
                    holdId(payout.reference()),
                    payout.creatorAccount(),
                    inTransitAccount(currency),
                    payout.amount(),
                    PAYOUT_TRANSFER_CODE,
                    null)
                .withMetadata(metadata(payout.reference())));
    if (hold instanceof TransferResult.Rejected rejected) {
      if (rejected.code() == TransferCode.EXCEEDS_CREDITS) {
        return new PayoutResult.InsufficientBalance(
            payout.amount(), available(payout.creatorAccount(), currency));
      }
      if (!rejected.code().name().startsWith("EXISTS_WITH_DIFFERENT")) {
        throw new PaymentsException(
            payout.reference(), "the ledger refused the payout hold: " + rejected.code());
      }
      // Another transaction is writing this reference with other fields; its row decides below.
    }
    Instant now = payments.now();
    int inserted =
        handle
            .createUpdate(
                "INSERT INTO "
                    + payments.table("payouts")
                    + " (reference, creator_account, amount_minor, currency, recipient_code,"
                    + " reason, status, hold_id, created_at, updated_at) VALUES (:reference,"
                    + " :creator, :amount, :currency, :recipient, :reason, 'requested', :hold,"
                    + " :now, :now) ON CONFLICT (reference) DO NOTHING")
            .bind("reference", payout.reference())
            .bind("creator", payout.creatorAccount())
            .bind("amount", payout.amount().minor())
            .bind("currency", currency.getCurrencyCode())
            .bind("recipient", payout.recipientCode())
            .bind("reason", payout.reason())
            .bind("hold", holdId(payout.reference()))
            .bind("now", now)
            .execute();
    Payout stored = lock(handle, payout.reference()).orElseThrow();
    if (inserted == 0) {
      return compared(stored, payout);
    }
    if (!hold.ok()) {
      throw new PaymentsException(
          payout.reference(), "the ledger holds another transfer under this payout's hold id");
    }
    transition(handle, payout.reference(), null, PayoutStatus.REQUESTED, "api", "");
    queue.enqueue(handle, jobs.job(SEND_JOB, payout.reference()));
    return new PayoutResult.Requested(stored);
  }

  /** The payout with this reference. */
  public Optional<Payout> find(String reference) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM " + payments.table("payouts") + " WHERE reference = :r")
                .bind("r", reference)
                .map((rs, c) -> payout(rs))
                .findOne());
  }

  /**
   * Paystack's {@code transfer.success}: posts the payout's hold (the money leaves the creator's
   * balance for good) and marks it paid. Call it with the event's {@code data} object in the
   * webhook job's transaction.
   *
   * @throws IllegalArgumentException when {@code data} lacks the reference or has a malformed
   *     amount (nothing is written)
   */
  public EventOutcome onTransferSuccess(Handle handle, JsonNode data) {
    EventData.Transfer event = EventData.transfer(data);
    return apply(
        handle,
        event.reference(),
        event.transferCode(),
        event.amount(),
        PayoutStatus.PAID,
        "webhook",
        "");
  }

  /**
   * Paystack's {@code transfer.failed}: voids the hold (the money is back on the creator's balance)
   * and marks the payout failed.
   *
   * @throws IllegalArgumentException as {@link #onTransferSuccess}
   */
  public EventOutcome onTransferFailed(Handle handle, JsonNode data) {
    EventData.Transfer event = EventData.transfer(data);
    return apply(
        handle,
        event.reference(),
        event.transferCode(),
        event.amount(),
        PayoutStatus.FAILED,
        "webhook",
        "Paystack reported the transfer failed");
  }

  /**
   * Paystack's {@code transfer.reversed}: a paid payout's posting is reversed in the ledger (an
   * unpaid one's hold is voided); either way the money is back on the creator's balance.
   *
   * @throws IllegalArgumentException as {@link #onTransferSuccess}
   */
  public EventOutcome onTransferReversed(Handle handle, JsonNode data) {
    EventData.Transfer event = EventData.transfer(data);
    return apply(
        handle,
        event.reference(),
        event.transferCode(),
        event.amount(),
        PayoutStatus.REVERSED,
        "webhook",
        "Paystack reversed the transfer");
  }

  // ---- for PaymentJobs ----

  JobOptions jobOptions() {
    return jobs;
  }

  Db db() {
    return db;
  }

  JobQueue queue() {
    return queue;
  }

  /** Paystack accepted the transfer: record it as sent (or final) and queue its verification. */
  EventOutcome accepted(String reference, String transferCode, String status, String source) {
    return db.inTransaction(
        h -> {
          PayoutStatus outcome =
              switch (status) {
                case "success" -> PayoutStatus.PAID;
                case "failed" -> PayoutStatus.FAILED;
                case "reversed" -> PayoutStatus.REVERSED;
                default -> PayoutStatus.SENT;
              };
          if (outcome != PayoutStatus.SENT) {
            return apply(h, reference, transferCode, null, outcome, source, "Paystack: " + status);
          }
          Optional<Payout> locked = lock(h, reference);
          if (locked.isEmpty()) {
            return new EventOutcome.Unknown(reference);
          }
          if (locked.get().status() != PayoutStatus.REQUESTED) {
            return new EventOutcome.AlreadyApplied(reference);
          }
          move(h, locked.get(), PayoutStatus.SENT, transferCode, source, "");
          queue.enqueue(h, jobs.job(VERIFY_JOB, reference).runAt(payments.now().plus(verifyAfter)));
          return new EventOutcome.Applied(reference, "sent");
        });
  }

  /** Paystack refused the transfer outright: void the hold and mark the payout failed. */
  EventOutcome refused(String reference, String why) {
    return db.inTransaction(
        h -> apply(h, reference, null, null, PayoutStatus.FAILED, "job", "Paystack: " + why));
  }

  Duration verifyAfter() {
    return verifyAfter;
  }

  Instant now() {
    return payments.now();
  }

  // ---- the state machine ----

  private EventOutcome apply(
      Handle handle,
      String reference,
      @Nullable String transferCode,
      @Nullable Money amount,
      PayoutStatus to,
      String source,
      String detail) {
    Optional<Payout> locked = lock(handle, reference);
    if (locked.isEmpty()) {
      return new EventOutcome.Unknown(reference);
    }
    Payout payout = locked.get();
    if (amount != null && !amount.equals(payout.amount())) {
      return new EventOutcome.Ignored(
          reference, "Paystack reports " + amount + ", the payout is " + payout.amount());
    }
    PayoutStatus from = payout.status();
    if (from == to) {
      return new EventOutcome.AlreadyApplied(reference);
    }
    switch (to) {
      case PAID -> {
        if (from == PayoutStatus.REVERSED) {
          return new EventOutcome.AlreadyApplied(reference); // a late copy of an earlier success
        }
        if (from == PayoutStatus.FAILED) {
          return new EventOutcome.Ignored(reference, "the payout failed before; success ignored");
        }
        ledgerMove(reference, handle, Transfer.postPending(postId(reference), holdId(reference)));
      }
      case FAILED -> {
        if (from == PayoutStatus.PAID || from == PayoutStatus.REVERSED) {
          return new EventOutcome.Ignored(
              reference, "the payout is " + from.wireName() + "; a failure cannot follow");
        }
        ledgerMove(reference, handle, Transfer.voidPending(voidId(reference), holdId(reference)));
      }
      case REVERSED -> {
        if (from == PayoutStatus.FAILED) {
          return new EventOutcome.Ignored(reference, "the payout failed; the money is back");
        }
        ledgerMove(
            reference,
            handle,
            from == PayoutStatus.PAID
                ? Transfer.reversal(reversalId(reference), postId(reference))
                : Transfer.voidPending(voidId(reference), holdId(reference)));
      }
      default -> throw new IllegalArgumentException("not an outcome: " + to);
    }
    move(handle, payout, to, transferCode, source, detail);
    return new EventOutcome.Applied(reference, from.wireName() + " -> " + to.wireName());
  }

  private void ledgerMove(String reference, Handle handle, Transfer transfer) {
    TransferResult result = ledger.transfer(handle, transfer.withMetadata(metadata(reference)));
    if (!result.ok()) {
      throw new PaymentsException(
          reference, "the ledger refused the payout's " + transfer.kind() + ": " + result.code());
    }
  }

  private void move(
      Handle handle,
      Payout payout,
      PayoutStatus to,
      @Nullable String transferCode,
      String source,
      String detail) {
    handle
        .createUpdate(
            "UPDATE "
                + payments.table("payouts")
                + " SET status = :to, version = version + 1, updated_at = :now,"
                + " transfer_code = coalesce(:code, transfer_code),"
                + " failure = CASE WHEN :failing THEN :detail ELSE failure END"
                + " WHERE reference = :r")
        .bind("to", to.wireName())
        .bind("now", payments.now())
        .bind("code", transferCode)
        .bind("failing", to.finished())
        .bind("detail", detail)
        .bind("r", payout.reference())
        .execute();
    transition(handle, payout.reference(), payout.status(), to, source, detail);
  }

  private void transition(
      Handle handle,
      String reference,
      @Nullable PayoutStatus from,
      PayoutStatus to,
      String source,
      String detail) {
    handle
        .createUpdate(
            "INSERT INTO "
                + payments.table("payout_transitions")
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

  /** Every status change of a payout, oldest first, as {@code from -> to (source)}. */
  List<String> transitions(String reference) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT coalesce(from_status, '') || ' -> ' || to_status || ' (' || source"
                        + " || ')' FROM "
                        + payments.table("payout_transitions")
                        + " WHERE reference = :r ORDER BY id")
                .bind("r", reference)
                .mapTo(String.class)
                .list());
  }

  private Optional<Payout> lock(Handle handle, String reference) {
    return handle
        .createQuery(
            "SELECT * FROM " + payments.table("payouts") + " WHERE reference = :r FOR UPDATE")
        .bind("r", reference)
        .map((rs, c) -> payout(rs))
        .findOne();
  }

  private static PayoutResult compared(Payout stored, NewPayout asked) {
    boolean same =
        stored.creatorAccount().equals(asked.creatorAccount())
            && stored.amount().equals(asked.amount())
            && stored.recipientCode().equals(asked.recipientCode())
            && Objects.equals(stored.reason(), asked.reason());
    return same
        ? new PayoutResult.Exists(stored)
        : new PayoutResult.ExistsWithDifferentFields(stored);
  }

  private Money available(UUID account, Currency currency) {
    return Money.of(ledger.balance(account).map(Balance::available).orElse(0L), currency);
  }

  private static String metadata(String reference) {
    return "{\"payout\":\"" + reference + "\"}"; // references are [a-z0-9_-]: nothing to escape
  }

  private UUID holdId(String reference) {
    return payments.derived("payout-hold:" + reference);
  }

  private UUID postId(String reference) {
    return payments.derived("payout-post:" + reference);
  }

  private UUID voidId(String reference) {
    return payments.derived("payout-void:" + reference);
  }

  private UUID reversalId(String reference) {
    return payments.derived("payout-reversal:" + reference);
  }

  private static Payout payout(ResultSet rs) throws SQLException {
    Currency currency = Currency.getInstance(rs.getString("currency").strip());
    return new Payout(
        rs.getString("reference"),
        rs.getObject("creator_account", UUID.class),
        Money.of(rs.getLong("amount_minor"), currency),
        rs.getString("recipient_code"),
        rs.getString("reason"),
        PayoutStatus.fromWireName(rs.getString("status")),
        rs.getString("transfer_code"),
        rs.getString("failure"),
        rs.getInt("version"),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }

  private void createAccounts() {
    payments.createPlatformAccounts(
        payments.currencies(),
        this::inTransitAccount,
        IN_TRANSIT_ACCOUNT_CODE,
        "payouts in transit");
  }

  /** Configures {@link Payouts}; {@link #build()} creates the in-transit accounts. */
  public static final class Builder {
    private final Payments payments;
    private final JobQueue queue;
    private Backoff backoff = JobOptions.DEFAULT_BACKOFF;
    private int maxAttempts = JobOptions.DEFAULT_MAX_ATTEMPTS;
    private Duration verifyAfter = Duration.ofMinutes(30);

    private Builder(Payments payments, JobQueue queue) {
      this.payments = Objects.requireNonNull(payments, "payments");
      this.queue = Objects.requireNonNull(queue, "queue");
    }

    /**
     * The waits between attempts of the payout jobs while Paystack is unavailable; default 1 s
     * doubling to 5 min.
     */
    public Builder retryBackoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * Attempts of a payout job before it goes to the dead letters (from where it can be replayed),
     * 1 to 1000; default 1000, about three days at the default backoff.
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * How long after Paystack accepted a transfer we ask it for the outcome if no webhook has told
     * us; default 30 minutes, and again as often while it is still pending.
     */
    public Builder verifyAfter(Duration verifyAfter) {
      this.verifyAfter = Objects.requireNonNull(verifyAfter, "verifyAfter");
      return this;
    }

    /**
     * @throws OdimConfigException naming the first invalid setting
     */
    public Payouts build() {
      if (verifyAfter.isNegative() || verifyAfter.isZero()) {
        throw new OdimConfigException("verifyAfter", "must be positive, was " + verifyAfter);
      }
      Payouts payouts = new Payouts(this);
      payouts.createAccounts();
      return payouts;
    }
  }

  /** The options of the jobs payouts and refunds enqueue. */
  record JobOptions(Backoff backoff, int maxAttempts) {
    static final Backoff DEFAULT_BACKOFF =
        Backoff.exponential(Duration.ofSeconds(1), Duration.ofMinutes(5));
    static final int DEFAULT_MAX_ATTEMPTS = 1000;

    /**
     * @throws OdimConfigException when {@code maxAttempts} is not 1 to 1000
     */
    JobOptions {
      if (maxAttempts < 1 || maxAttempts > 1000) {
        throw new OdimConfigException("maxAttempts", "must be 1 to 1000, was " + maxAttempts);
      }
    }

    NewJob job(String type, String reference) {
      return NewJob.of(type, EventData.referencePayload(reference))
          .queue(PaymentJobs.QUEUE)
          .backoff(backoff)
          .maxAttempts(maxAttempts);
    }
  }
}
