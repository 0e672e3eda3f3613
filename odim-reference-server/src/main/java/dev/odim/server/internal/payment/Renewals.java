package dev.odim.server.internal.payment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Money;
import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.Outcome;
import dev.odim.core.db.Db;
import dev.odim.payments.Creation;
import dev.odim.payments.NewPayment;
import dev.odim.payments.PaymentIntent;
import dev.odim.payments.Payments;
import dev.odim.payments.ProviderFacts;
import dev.odim.payments.Settlement;
import dev.odim.payments.SettlementSource;
import dev.odim.payments.paystack.ChargeRequest;
import dev.odim.payments.paystack.PaystackResult;
import dev.odim.payments.paystack.Transaction;
import dev.odim.queue.JobContext;
import dev.odim.queue.PermanentJobFailure;
import dev.odim.server.internal.account.Users;
import dev.odim.server.internal.payment.Subscriptions.Subscription;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * The renewal job ({@link Subscriptions#RENEWAL_JOB}): at the end of a period, charges the saved
 * card for the next one, or ends the subscription when the fan cancelled.
 *
 * <p>Exactly one charge per period, however often the job runs and on however many instances: the
 * renewal is recorded under its (subscription, period) primary key, its payment intent and the
 * Paystack charge both carry the reference derived from that pair, odim-payments creates an intent
 * once per reference and Paystack refuses a second charge under it (the client then reads the
 * first). The charge's success settles like any payment, through whichever of this job and the
 * {@code charge.success} webhook comes first, and the fulfilment extends the period.
 *
 * <p>Paystack unreachable: the job throws and the queue tries again later. A declined charge (or
 * one Paystack refuses, such as an authorization no longer valid): the subscription is past due,
 * the intent failed, an audit entry says why; it is not charged again by itself.
 */
public final class Renewals {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Db db;
  private final Payments payments;
  private final Subscriptions subscriptions;
  private final Users users;
  private final PaystackConnection paystack;
  private final AuditLog audit;

  public Renewals(
      Db db,
      Payments payments,
      Subscriptions subscriptions,
      Users users,
      PaystackConnection paystack,
      AuditLog audit) {
    this.db = db;
    this.payments = payments;
    this.subscriptions = subscriptions;
    this.users = users;
    this.paystack = paystack;
    this.audit = audit;
  }

  /** What a renewal charges, decided under the subscription's lock. */
  private record Charge(
      UUID subscriptionId, int period, String reference, Money amount, String code, UUID fan) {
    @Override
    public String toString() {
      // The authorization code can charge the card: never in a log line or an exception.
      return "Charge[" + reference + ", " + amount + "]";
    }
  }

  /** Runs one renewal job. */
  public void run(JobContext job) {
    UUID id;
    int period;
    try {
      JsonNode payload = JSON.readTree(job.payload());
      id = UUID.fromString(payload.path("subscriptionId").asText());
      period = payload.path("period").asInt(0);
    } catch (IOException | IllegalArgumentException e) {
      throw new PermanentJobFailure("not a renewal payload: " + e.getMessage());
    }
    if (period < 2) {
      throw new PermanentJobFailure("a renewal is for period 2 or later, was " + period);
    }
    Optional<Charge> charge = db.inTransaction(h -> claim(h, id, period));
    if (charge.isPresent()) {
      charge(charge.get());
    }
  }

  /**
   * Decides, under the period's intent and the subscription's row locks, whether this period is to
   * be charged: records the renewal and its payment intent, or ends the subscription, or finds
   * there is nothing to do.
   */
  private Optional<Charge> claim(Handle h, UUID id, int period) {
    // A first look without locks: copies of a job that is spent stop here and create nothing.
    Subscription seen =
        subscriptions
            .find(h, id)
            .orElseThrow(() -> new PermanentJobFailure("no subscription " + id));
    if (!due(seen, period)) {
      return Optional.empty();
    }
    String reference = Subscriptions.renewalReference(id, period);
    // Locks are taken in the order a settlement takes them, the intent and then the subscription,
    // so that this job and the settlement of the same period wait for each other, never deadlock.
    Map<String, Object> tier =
        h.createQuery(
                "SELECT creator_id, amount_minor, currency FROM odim_server.tiers WHERE id = :id")
            .bind("id", seen.tierId())
            .mapToMap()
            .one();
    Creation created =
        payments.create(
            h,
            new NewPayment(
                reference,
                seen.fanId().toString(),
                CreatorAccounts.of((UUID) tier.get("creator_id")),
                Money.of(
                    ((Number) tier.get("amount_minor")).longValue(),
                    tier.get("currency").toString().strip()),
                Subscriptions.PURPOSE,
                id.toString()));
    PaymentIntent intent = created.intent();
    if (intent.status().settled()) {
      return Optional.empty(); // paid meanwhile; its settlement extends the period
    }
    Subscription subscription = subscriptions.lock(h, id).orElseThrow();
    if (!due(subscription, period)) {
      return Optional.empty(); // renewed or stopped in between; the intent was never started
    }
    String status =
        h.createQuery(
                "SELECT status FROM odim_server.subscription_renewals"
                    + " WHERE subscription_id = :id AND period = :period")
            .bind("id", id)
            .bind("period", period)
            .mapTo(String.class)
            .findOne()
            .orElse(null);
    if (status != null && !status.equals("charging")) {
      return Optional.empty();
    }
    if (!subscription.renews()) {
      payments.settle(h, unpaid(intent, ProviderFacts.Outcome.ABANDONED, ""), SettlementSource.API);
      end(h, id, period, reference);
      return Optional.empty();
    }
    record(h, id, period, reference);
    Optional<String> code = subscriptions.authorizationCode(h, id);
    if (code.isEmpty()) {
      decline(
          h,
          id,
          period,
          reference,
          unpaid(intent, ProviderFacts.Outcome.FAILED, ""),
          "No reusable card is saved for this subscription");
      return Optional.empty();
    }
    payments.markPending(h, reference);
    return Optional.of(
        new Charge(id, period, reference, intent.amount(), code.get(), subscription.fanId()));
  }

  /**
   * Whether {@code period} is the one to charge now: the subscription active in the period before
   * it, and that period over. A copy of the job run early (or a clock set back) finds it is not:
   * charging before the period ends would take the fan's money early.
   */
  private boolean due(Subscription subscription, int period) {
    Integer current = subscription.currentPeriod();
    Instant end = subscription.currentPeriodEnd();
    return current != null
        && current == period - 1
        && subscription.status().equals("active")
        && end != null
        && !subscriptions.now().isBefore(end);
  }

  private static ProviderFacts unpaid(
      PaymentIntent intent, ProviderFacts.Outcome outcome, String providerId) {
    return new ProviderFacts(intent.reference(), outcome, intent.amount(), providerId, null);
  }

  private void charge(Charge charge) {
    String email =
        users
            .find(charge.fan())
            .orElseThrow(() -> new PermanentJobFailure("the fan of " + charge + " is gone"))
            .email();
    PaystackResult<Transaction> result =
        paystack
            .client()
            .chargeAuthorization(
                new ChargeRequest(
                    email,
                    charge.amount(),
                    charge.code(),
                    charge.reference(),
                    Map.of(
                        "subscriptionId",
                        charge.subscriptionId().toString(),
                        "period",
                        charge.period())));
    switch (result) {
      case PaystackResult.Ok<Transaction> ok -> settle(charge, ok.value());
      case PaystackResult.Refused<Transaction> refused ->
          declined(charge, null, "Paystack refused the charge: " + refused.message());
      case PaystackResult.NotFound<Transaction> notFound ->
          declined(charge, null, "Paystack refused the charge: " + notFound.message());
      case PaystackResult.Unavailable<Transaction> unavailable ->
          // Nothing was charged, or the next attempt finds the charge under the same reference.
          throw new IllegalStateException(
              "Paystack is unavailable ("
                  + unavailable.reason()
                  + "): "
                  + unavailable.message()
                  + "; the renewal is retried");
      case PaystackResult.DuplicateReference<Transaction> duplicate ->
          // Paystack holds another charge under our derived reference: a person must look.
          throw new PermanentJobFailure(
              "Paystack has a different transaction under " + charge.reference());
    }
  }

  private void settle(Charge charge, Transaction transaction) {
    Optional<ProviderFacts> facts = transaction.facts();
    if (facts.isEmpty()) {
      // Still in progress at Paystack: the next attempt reads it under the same reference.
      throw new IllegalStateException(
          "the renewal charge " + charge.reference() + " is " + transaction.status());
    }
    if (facts.get().outcome() != ProviderFacts.Outcome.SUCCESS) {
      declined(charge, transaction, "The card was declined");
      return;
    }
    db.useTransaction(
        h ->
            subscriptions.rememberCard(
                h,
                payments.settle(h, facts.get(), SettlementSource.API),
                transaction.authorization()));
  }

  private void declined(Charge charge, @Nullable Transaction transaction, String why) {
    ProviderFacts failed =
        new ProviderFacts(
            charge.reference(),
            ProviderFacts.Outcome.FAILED,
            charge.amount(),
            transaction == null ? "" : Long.toString(transaction.id()),
            null);
    db.useTransaction(
        h -> decline(h, charge.subscriptionId(), charge.period(), charge.reference(), failed, why));
  }

  /** Records the renewal of {@code period} as being charged, once. */
  private void record(Handle h, UUID id, int period, String reference) {
    h.createUpdate(
            "INSERT INTO odim_server.subscription_renewals (subscription_id, period,"
                + " payment_reference, status, created_at) VALUES (:id, :period, :reference,"
                + " 'charging', :now) ON CONFLICT DO NOTHING")
        .bind("id", id)
        .bind("period", period)
        .bind("reference", reference)
        .bind("now", subscriptions.now())
        .execute();
  }

  /**
   * The period could not be charged: the intent failed, the subscription past due, the renewal
   * declined with the reason, and one audit entry however often this runs.
   */
  private void decline(
      Handle h, UUID id, int period, String reference, @Nullable ProviderFacts failed, String why) {
    if (failed != null) {
      Settlement settlement = payments.settle(h, failed, SettlementSource.API);
      if (settlement instanceof Settlement.AlreadySettled) {
        return; // it was paid after all (a webhook won the race): the period is extended
      }
    }
    int declined =
        h.createUpdate(
                "UPDATE odim_server.subscription_renewals SET status = 'declined',"
                    + " decided_at = :now, detail = :why WHERE subscription_id = :id"
                    + " AND period = :period AND status = 'charging'")
            .bind("now", subscriptions.now())
            .bind("why", why.length() > 500 ? why.substring(0, 500) : why)
            .bind("id", id)
            .bind("period", period)
            .execute();
    if (declined == 0) {
      return;
    }
    h.createUpdate(
            "UPDATE odim_server.subscriptions SET status = 'past_due', version = version + 1"
                + " WHERE id = :id AND status = 'active' AND current_period = :previous")
        .bind("id", id)
        .bind("previous", period - 1)
        .execute();
    audit.record(
        h,
        AuditEvent.builder("subscription.renewal_declined")
            .actor("system")
            .target("subscription:" + id)
            .outcome(Outcome.FAILURE)
            .summary("Renewal for period " + period + " not paid; the subscription is past due")
            .detail("reference", reference)
            .detail("reason", why)
            .build());
  }

  /** The fan cancelled: the subscription ends with the period that just ran out. */
  private void end(Handle h, UUID id, int period, String reference) {
    h.createUpdate(
            "INSERT INTO odim_server.subscription_renewals (subscription_id, period,"
                + " payment_reference, status, created_at, decided_at) VALUES (:id, :period,"
                + " :reference, 'ended', :now, :now) ON CONFLICT DO NOTHING")
        .bind("id", id)
        .bind("period", period)
        .bind("reference", reference)
        .bind("now", subscriptions.now())
        .execute();
    h.createUpdate(
            "UPDATE odim_server.subscriptions SET status = 'ended', ended_at = :now,"
                + " version = version + 1 WHERE id = :id AND status = 'active'")
        .bind("now", subscriptions.now())
        .bind("id", id)
        .execute();
    audit.record(
        h,
        AuditEvent.builder("subscription.ended")
            .actor("system")
            .target("subscription:" + id)
            .summary("Cancelled by the fan; ended with period " + (period - 1))
            .build());
  }
}
