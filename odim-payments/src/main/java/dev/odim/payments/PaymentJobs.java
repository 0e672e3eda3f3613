package dev.odim.payments;

import dev.odim.core.db.Db;
import dev.odim.payments.internal.EventData;
import dev.odim.payments.paystack.PaystackAuthenticationException;
import dev.odim.payments.paystack.PaystackClient;
import dev.odim.payments.paystack.PaystackResult;
import dev.odim.payments.paystack.Refund;
import dev.odim.payments.paystack.RefundRequest;
import dev.odim.payments.paystack.Transfer;
import dev.odim.payments.paystack.TransferRequest;
import dev.odim.queue.JobContext;
import dev.odim.queue.JobQueue;
import dev.odim.queue.PermanentJobFailure;
import dev.odim.queue.WorkerBuilder;
import java.io.Serial;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The queued work of payouts and refunds: sending payouts' transfers, verifying transfers whose
 * webhook is late, and sending refunds. Each is a job enqueued in the transaction that recorded
 * what needs it, on the queue named {@link #QUEUE}; register the handlers on a worker of that
 * queue:
 *
 * <pre>{@code
 * PaymentJobs jobs = new PaymentJobs(paystack, payouts, refunds);
 * Worker worker = jobs.register(queue.worker().queue(PaymentJobs.QUEUE)).concurrency(4).start();
 * }</pre>
 *
 * <p>Four job types: {@code odim.payments.payout.send}, {@code odim.payments.payout.verify}, {@code
 * odim.payments.refund.send} and {@code odim.payments.refund.lookup}. The handlers call Paystack
 * outside any database transaction and record its answer in a short one. When Paystack is
 * unavailable, a job is tried again later, so the backlog drains by itself once it recovers: when
 * the client answers at once with a wait (circuit open, bulkhead full, rate limited: no request was
 * sent), the job is enqueued anew for when that wait ends; otherwise (5xx or timeouts after the
 * client's own retries) the attempt fails and the queue retries it with the job's backoff. A payout
 * cannot be paid twice: its transfer carries the payout's reference, and a repeat is answered with
 * the existing transfer. A refund carries no reference of ours at Paystack, so it is never sent
 * again blindly once an attempt may have reached Paystack: a look-up job reads Paystack's refunds
 * of the payment first (see {@link RefundStatus#UNKNOWN}). Handlers are idempotent: a job run twice
 * does nothing twice.
 */
public final class PaymentJobs {
  /** The queue the payment jobs are enqueued on. */
  public static final String QUEUE = "payments";

  private final PaystackClient paystack;
  private final Payouts payouts;
  private final Refunds refunds;

  /** The handlers of {@code payouts}' and {@code refunds}' jobs, calling {@code paystack}. */
  public PaymentJobs(PaystackClient paystack, Payouts payouts, Refunds refunds) {
    this.paystack = Objects.requireNonNull(paystack, "paystack");
    this.payouts = Objects.requireNonNull(payouts, "payouts");
    this.refunds = Objects.requireNonNull(refunds, "refunds");
  }

  /**
   * Registers the four handlers on {@code worker}, which must consume {@link #QUEUE}; returns it
   * for further settings.
   */
  public WorkerBuilder register(WorkerBuilder worker) {
    return worker
        .handler(Payouts.SEND_JOB, this::sendPayout)
        .handler(Payouts.VERIFY_JOB, this::verifyPayout)
        .handler(Refunds.SEND_JOB, this::sendRefund)
        .handler(Refunds.LOOKUP_JOB, this::lookUpRefund);
  }

  private void sendPayout(JobContext job) {
    String reference = reference(job);
    Optional<Payout> found = payouts.find(reference);
    if (found.isEmpty() || found.get().status() != PayoutStatus.REQUESTED) {
      return; // sent, or settled by a webhook, by an earlier run
    }
    Payout payout = found.get();
    PaystackResult<Transfer> result =
        paystack.initiateTransfer(
            new TransferRequest(
                payout.amount(), payout.recipientCode(), payout.reason(), payout.reference()));
    if (result instanceof PaystackResult.DuplicateReference<Transfer>) {
      // An earlier run reached Paystack but did not live to record the answer: find that transfer.
      result = ours(paystack.verifyTransfer(reference), payout);
    }
    switch (result) {
      case PaystackResult.Ok<Transfer>(Transfer transfer) ->
          payouts.accepted(reference, transfer.transferCode(), transfer.status(), "job");
      case PaystackResult.Refused<Transfer> refused ->
          payouts.refused(reference, refused.message());
      case PaystackResult.NotFound<Transfer> notFound ->
          payouts.refused(reference, notFound.message());
      case PaystackResult.DuplicateReference<Transfer> duplicate ->
          payouts.refused(reference, duplicate.message());
      case PaystackResult.Unavailable<Transfer> unavailable ->
          later(job, unavailable, payouts.db(), payouts.queue(), payouts.jobOptions());
    }
  }

  private static PaystackResult<Transfer> ours(PaystackResult<Transfer> found, Payout payout) {
    if (found instanceof PaystackResult.Ok<Transfer>(Transfer transfer)
        && !transfer.amount().equals(payout.amount())) {
      return new PaystackResult.DuplicateReference<>(
          payout.reference(), "Paystack has another transfer under this reference");
    }
    if (found instanceof PaystackResult.NotFound<Transfer>) {
      // Paystack said duplicate, then does not find it: ask again later rather than guess.
      return new PaystackResult.Unavailable<>(
          PaystackResult.Reason.FAILING, Duration.ZERO, "the duplicate transfer was not found");
    }
    return found;
  }

  private void verifyPayout(JobContext job) {
    String reference = reference(job);
    Optional<Payout> found = payouts.find(reference);
    if (found.isEmpty() || found.get().status() != PayoutStatus.SENT) {
      return; // a webhook settled it
    }
    switch (paystack.verifyTransfer(reference)) {
      case PaystackResult.Ok<Transfer>(Transfer transfer)
          when transfer.status().equals("success")
              || transfer.status().equals("failed")
              || transfer.status().equals("reversed") ->
          payouts.accepted(reference, transfer.transferCode(), transfer.status(), "verify");
      case PaystackResult.Ok<Transfer> pending -> verifyAgain(job);
      case PaystackResult.NotFound<Transfer> notFound -> verifyAgain(job);
      case PaystackResult.Unavailable<Transfer> unavailable ->
          later(job, unavailable, payouts.db(), payouts.queue(), payouts.jobOptions());
      case PaystackResult.Refused<Transfer> refused ->
          throw new PermanentJobFailure("Paystack refused the verification: " + refused.message());
      case PaystackResult.DuplicateReference<Transfer> duplicate ->
          throw new PermanentJobFailure(duplicate.message());
    }
  }

  private void verifyAgain(JobContext job) {
    Instant at = payouts.now().plus(payouts.verifyAfter());
    payouts
        .db()
        .useTransaction(
            h ->
                payouts
                    .queue()
                    .enqueue(h, payouts.jobOptions().job(job.type(), reference(job)).runAt(at)));
  }

  private void sendRefund(JobContext job) {
    String reference = reference(job);
    PaymentRefund refund = refunds.startSending(reference);
    if (refund == null) {
      return; // sent, settled, or left for the webhook by an earlier run
    }
    PaystackResult<Refund> result;
    try {
      result =
          paystack.refund(
              new RefundRequest(
                  refund.paymentReference(), refund.amount(), null, "refund " + reference));
    } catch (PaystackAuthenticationException e) {
      refunds.notSent(reference); // a wrong key: refused before anything was done
      throw e;
    }
    switch (result) {
      case PaystackResult.Ok<Refund>(Refund accepted) -> refunds.accepted(reference, accepted.id());
      case PaystackResult.Refused<Refund> refused -> refunds.refused(reference, refused.message());
      case PaystackResult.NotFound<Refund> notFound ->
          refunds.refused(reference, notFound.message());
      case PaystackResult.DuplicateReference<Refund> duplicate ->
          refunds.refused(reference, duplicate.message());
      case PaystackResult.Unavailable<Refund> unavailable
          when unavailable.reason() == PaystackResult.Reason.OUTCOME_UNKNOWN ->
          refunds.outcomeUnknown(reference, unavailable.message());
      case PaystackResult.Unavailable<Refund> unavailable -> {
        refunds.notSent(reference);
        later(job, unavailable, refunds.db(), refunds.queue(), refunds.jobOptions());
      }
    }
  }

  /**
   * A refund whose attempt got no clear answer: Paystack's refunds of the payment say whether it
   * got it (one of that amount we do not know yet) or not (send it again).
   */
  private void lookUpRefund(JobContext job) {
    String reference = reference(job);
    Optional<PaymentRefund> found = refunds.find(reference);
    if (found.isEmpty() || found.get().status() != RefundStatus.UNKNOWN) {
      return;
    }
    PaymentRefund refund = found.get();
    // From a little before the request: Paystack's clock and ours need not agree to the second.
    Instant from = refund.createdAt().minus(Duration.ofMinutes(10));
    switch (paystack.refunds(refund.paymentReference(), from)) {
      case PaystackResult.Ok<List<Refund>>(List<Refund> atPaystack) -> {
        Set<Long> known = refunds.providerIds(refund.paymentReference());
        Optional<Refund> ours =
            atPaystack.stream()
                .filter(r -> r.amount().equals(refund.amount()) && !known.contains(r.id()))
                .min(Comparator.comparingLong(Refund::id));
        if (ours.isPresent()) {
          refunds.foundAtPaystack(reference, ours.get());
        } else {
          refunds.notSentAfterAll(reference);
        }
      }
      case PaystackResult.Unavailable<List<Refund>> unavailable ->
          later(job, unavailable, refunds.db(), refunds.queue(), refunds.jobOptions());
      case PaystackResult.NotFound<List<Refund>> notFound ->
          throw new PermanentJobFailure("Paystack: " + notFound.message());
      case PaystackResult.Refused<List<Refund>> refused ->
          throw new PermanentJobFailure("Paystack: " + refused.message());
      case PaystackResult.DuplicateReference<List<Refund>> duplicate ->
          throw new PermanentJobFailure("Paystack: " + duplicate.message());
    }
  }

  /**
   * Paystack is unavailable: with a wait to honour, the job is enqueued anew for when it ends (no
   * attempt is spent: nothing was sent); without one, this attempt fails and the queue's backoff
   * decides when the next comes.
   */
  private void later(
      JobContext job,
      PaystackResult.Unavailable<?> unavailable,
      Db db,
      JobQueue queue,
      Payouts.JobOptions options) {
    if (unavailable.retryAfter().isPositive()) {
      Instant at = payouts.now().plus(unavailable.retryAfter());
      db.useTransaction(h -> queue.enqueue(h, options.job(job.type(), reference(job)).runAt(at)));
      return;
    }
    throw new ProviderUnavailable(unavailable);
  }

  private static String reference(JobContext job) {
    try {
      return EventData.reference(job.payload());
    } catch (IllegalArgumentException e) {
      throw new PermanentJobFailure("not a payment job payload: " + e.getMessage(), e);
    }
  }

  /** A failed attempt because Paystack is unavailable; the queue retries it. */
  private static final class ProviderUnavailable extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    ProviderUnavailable(PaystackResult.Unavailable<?> unavailable) {
      super("Paystack unavailable (" + unavailable.reason() + "): " + unavailable.message());
    }
  }
}
