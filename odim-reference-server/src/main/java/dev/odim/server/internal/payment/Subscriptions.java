package dev.odim.server.internal.payment;

import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.Outcome;
import dev.odim.core.crypto.FieldCipher;
import dev.odim.payments.PaymentIntent;
import dev.odim.payments.Settlement;
import dev.odim.payments.paystack.Transaction;
import dev.odim.queue.Backoff;
import dev.odim.queue.JobQueue;
import dev.odim.queue.NewJob;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Fans' subscriptions: created pending with their payment, activated by the payment's settlement in
 * the same transaction (odim-payments' fulfilment), so a settled payment without an active
 * subscription, or the reverse, cannot exist.
 *
 * <p>A subscription runs in monthly periods counted from its activation: period {@code n} ends
 * {@code n} months after it (so the 31st renews on the last day of shorter months without
 * drifting). Activating it, and each settled renewal, enqueues the renewal of the next period in
 * the same transaction, due when the current period ends: one job per period, created exactly once
 * because the settlement happens exactly once. {@link Renewals} runs it.
 */
public final class Subscriptions {
  /** The purpose odim-payments records for subscription payments, first and renewals. */
  public static final String PURPOSE = "subscription";

  /** The queue renewals run on. */
  public static final String RENEWAL_QUEUE = "subscriptions";

  /** The job type of a renewal; its payload is {@link #renewalPayload}. */
  public static final String RENEWAL_JOB = "subscription.renew";

  /**
   * A renewal that cannot reach Paystack is tried again for about four days (30 attempts, waits
   * doubling from a minute up to six hours, full jitter) before it goes to the dead letters.
   */
  static final int RENEWAL_ATTEMPTS = 30;

  private final Clock clock;
  private final FieldCipher cipher;
  private final JobQueue queue;
  private final AuditLog audit;

  public Subscriptions(Clock clock, FieldCipher cipher, JobQueue queue, AuditLog audit) {
    this.clock = clock;
    this.cipher = cipher;
    this.queue = queue;
    this.audit = audit;
  }

  /**
   * A subscription as stored, the card decrypted only as far as display needs.
   *
   * @param currentPeriod 1 for the period the first payment bought, null while pending
   * @param hasCard whether a reusable card is saved to renew with
   */
  record Subscription(
      UUID id,
      UUID fanId,
      UUID tierId,
      String status,
      @Nullable Instant activatedAt,
      @Nullable Integer currentPeriod,
      @Nullable Instant currentPeriodEnd,
      boolean renews,
      boolean hasCard,
      @Nullable String cardBrand) {}

  /** Records a pending subscription paid by {@code reference}, inside the caller's transaction. */
  public UUID create(Handle handle, UUID fanId, UUID tierId, String reference) {
    UUID id = UUID.randomUUID();
    handle
        .createUpdate(
            "INSERT INTO odim_server.subscriptions (id, fan_id, tier_id, payment_reference,"
                + " status, created_at) VALUES (:id, :fan, :tier, :reference, 'pending', :now)")
        .bind("id", id)
        .bind("fan", fanId)
        .bind("tier", tierId)
        .bind("reference", reference)
        .bind("now", now())
        .execute();
    return id;
  }

  /**
   * Marks the pending subscription paid by {@code reference} abandoned, inside the caller's
   * transaction: its checkout never started, so it must not linger as pending. A late success of
   * the payment still activates it.
   */
  public void abandon(Handle handle, String reference) {
    handle
        .createUpdate(
            "UPDATE odim_server.subscriptions SET status = 'abandoned', version = version + 1"
                + " WHERE payment_reference = :reference AND status = 'pending'")
        .bind("reference", reference)
        .execute();
  }

  /**
   * The fulfilment of a settled subscription payment: the first payment activates the subscription
   * for its first period, a renewal's payment extends it by one.
   */
  public void fulfil(Handle handle, PaymentIntent intent) {
    if (!intent.purpose().equals(PURPOSE)) {
      return;
    }
    Optional<Integer> renewal =
        handle
            .createQuery(
                "SELECT period FROM odim_server.subscription_renewals"
                    + " WHERE payment_reference = :reference FOR UPDATE")
            .bind("reference", intent.reference())
            .mapTo(Integer.class)
            .findOne();
    if (renewal.isPresent()) {
      extend(handle, UUID.fromString(intent.purposeId()), renewal.get(), intent.reference());
    } else {
      activate(handle, intent.reference());
    }
  }

  private void activate(Handle handle, String reference) {
    Instant now = now();
    Instant end = periodEnd(now, 1);
    Optional<UUID> activated =
        handle
            .createQuery(
                "UPDATE odim_server.subscriptions SET status = 'active', activated_at = :now,"
                    + " current_period = 1, current_period_end = :end, version = version + 1"
                    + " WHERE payment_reference = :reference"
                    + " AND status IN ('pending', 'abandoned') RETURNING id")
            .bind("now", now)
            .bind("end", end)
            .bind("reference", reference)
            .mapTo(UUID.class)
            .findOne();
    if (activated.isEmpty()) {
      // The settlement must not stand without its effect: roll it back, the job retries.
      throw new IllegalStateException(
          "no pending subscription is paid by " + reference + "; nothing activated");
    }
    scheduleRenewal(handle, activated.get(), 2, end);
  }

  private void extend(Handle handle, UUID id, int period, String reference) {
    Subscription subscription = lock(handle, id).orElseThrow();
    Instant now = now();
    handle
        .createUpdate(
            "UPDATE odim_server.subscription_renewals SET status = 'succeeded', decided_at = :now,"
                + " detail = '' WHERE payment_reference = :reference AND status <> 'succeeded'")
        .bind("now", now)
        .bind("reference", reference)
        .execute();
    Integer current = subscription.currentPeriod();
    if (current == null || current != period - 1 || subscription.activatedAt() == null) {
      // Paid, but the subscription moved on without it (ended meanwhile, or an old period paid
      // late): the money is booked by the settlement; the period stays as it is, for a person.
      audit.record(
          handle,
          AuditEvent.builder("subscription.renewal_unapplied")
              .actor("system")
              .target("subscription:" + id)
              .outcome(Outcome.FAILURE)
              .summary("Renewal payment for period " + period + " settled but not applied")
              .detail("reference", reference)
              .detail("currentPeriod", String.valueOf(current))
              .build());
      return;
    }
    Instant end = periodEnd(subscription.activatedAt(), period);
    handle
        .createUpdate(
            "UPDATE odim_server.subscriptions SET status = 'active', current_period = :period,"
                + " current_period_end = :end, version = version + 1 WHERE id = :id")
        .bind("period", period)
        .bind("end", end)
        .bind("id", id)
        .execute();
    audit.record(
        handle,
        AuditEvent.builder("subscription.renewed")
            .actor("system")
            .target("subscription:" + id)
            .summary("Renewed for period " + period + ", until " + end)
            .detail("reference", reference)
            .build());
    scheduleRenewal(handle, id, period + 1, end);
  }

  /**
   * Saves the card a settled subscription payment was made with, encrypted, so that the next period
   * can be charged without the fan. A settlement made now saves its card (the latest card that
   * paid); one settled before saves it only when none is saved, which is how the path that lost the
   * race (webhook or verify) still fills in a card the winner could not see.
   */
  public void rememberCard(
      Handle handle, Settlement settlement, Transaction.@Nullable Authorization authorization) {
    PaymentIntent intent =
        switch (settlement) {
          case Settlement.Settled settled -> settled.intent();
          case Settlement.AlreadySettled already -> already.intent();
          default -> null;
        };
    if (intent == null
        || authorization == null
        || !authorization.reusable()
        || !intent.purpose().equals(PURPOSE)) {
      return;
    }
    UUID id = UUID.fromString(intent.purposeId());
    String last4 = authorization.last4() == null ? "" : authorization.last4();
    String brand = authorization.brand();
    handle
        .createUpdate(
            "UPDATE odim_server.subscriptions SET authorization_encrypted = :code,"
                + " card_last4_encrypted = :last4, card_brand = :brand, version = version + 1"
                + " WHERE id = :id AND (:fresh OR authorization_encrypted IS NULL)")
        .bind("code", cipher.encrypt(authorization.authorizationCode(), authorizationContext(id)))
        .bind("last4", cipher.encrypt(last4, last4Context(id)))
        .bind("brand", brand == null || brand.length() > 40 ? null : brand)
        .bind("id", id)
        .bind("fresh", settlement instanceof Settlement.Settled)
        .execute();
  }

  /** The saved authorization code of {@code id}, decrypted; empty when no card is saved. */
  Optional<String> authorizationCode(Handle handle, UUID id) {
    return handle
        .createQuery("SELECT authorization_encrypted FROM odim_server.subscriptions WHERE id = :id")
        .bind("id", id)
        .mapTo(String.class)
        .findOne()
        .map(code -> cipher.decrypt(code, authorizationContext(id)));
  }

  /** The subscription, read without a lock. */
  Optional<Subscription> find(Handle handle, UUID id) {
    return handle
        .createQuery("SELECT * FROM odim_server.subscriptions WHERE id = :id")
        .bind("id", id)
        .map((rs, c) -> subscription(rs))
        .findOne();
  }

  /** The subscription, locked for the caller's transaction. */
  Optional<Subscription> lock(Handle handle, UUID id) {
    return handle
        .createQuery("SELECT * FROM odim_server.subscriptions WHERE id = :id FOR UPDATE")
        .bind("id", id)
        .map((rs, c) -> subscription(rs))
        .findOne();
  }

  /** Who owns subscription {@code id}; null when there is none. */
  @Nullable UUID ownerOf(Handle handle, UUID id) {
    return handle
        .createQuery("SELECT fan_id FROM odim_server.subscriptions WHERE id = :id")
        .bind("id", id)
        .mapTo(UUID.class)
        .findOne()
        .orElse(null);
  }

  /** The view of one stored row's card: the last four digits, decrypted. */
  @Nullable String cardLast4(ResultSet rs) throws SQLException {
    String encrypted = rs.getString("card_last4_encrypted");
    if (encrypted == null) {
      return null;
    }
    String last4 = cipher.decrypt(encrypted, last4Context(rs.getObject("id", UUID.class)));
    return last4.isEmpty() ? null : last4;
  }

  /**
   * Stops renewing {@code id} at the end of its period; true if this call stopped it (false: it was
   * stopped before). Audited with {@code actor}.
   */
  boolean cancel(Handle handle, UUID id, String actor) {
    int stopped =
        handle
            .createUpdate(
                "UPDATE odim_server.subscriptions SET renews = false, cancelled_at = :now,"
                    + " version = version + 1 WHERE id = :id AND renews")
            .bind("now", now())
            .bind("id", id)
            .execute();
    if (stopped == 1) {
      audit.record(
          handle,
          AuditEvent.builder("subscription.cancelled")
              .actor(actor)
              .target("subscription:" + id)
              .summary("Renewals stopped; the subscription ends with its current period")
              .build());
    }
    return stopped == 1;
  }

  /** The renewal job of {@code period}, due when the period before it ends. */
  static NewJob renewalJob(UUID subscriptionId, int period, Instant due) {
    return NewJob.of(RENEWAL_JOB, renewalPayload(subscriptionId, period))
        .queue(RENEWAL_QUEUE)
        .id(renewalJobId(subscriptionId, period))
        .deduplicationKey("renewal:" + subscriptionId + ":" + period)
        .runAt(due)
        .maxAttempts(RENEWAL_ATTEMPTS)
        .backoff(Backoff.exponential(Duration.ofMinutes(1), Duration.ofHours(6)))
        .timeout(Duration.ofMinutes(2));
  }

  /** The payload of a renewal job: which subscription, which period. */
  public static String renewalPayload(UUID subscriptionId, int period) {
    return "{\"subscriptionId\":\"" + subscriptionId + "\",\"period\":" + period + "}";
  }

  /** The payment reference of a renewal: derived, so every attempt charges under the same one. */
  public static String renewalReference(UUID subscriptionId, int period) {
    return "ren-" + subscriptionId.toString().replace("-", "") + "-" + period;
  }

  private static UUID renewalJobId(UUID subscriptionId, int period) {
    return UUID.nameUUIDFromBytes(
        ("odim-server:renewal:" + subscriptionId + ":" + period).getBytes(StandardCharsets.UTF_8));
  }

  private void scheduleRenewal(Handle handle, UUID id, int period, Instant due) {
    queue.enqueue(handle, renewalJob(id, period, due));
  }

  /** When period {@code n} of a subscription activated at {@code anchor} ends. */
  static Instant periodEnd(Instant anchor, int n) {
    return anchor.atZone(ZoneOffset.UTC).plusMonths(n).toInstant();
  }

  static Subscription subscription(ResultSet rs) throws SQLException {
    int period = rs.getInt("current_period");
    Integer currentPeriod = rs.wasNull() ? null : period;
    return new Subscription(
        rs.getObject("id", UUID.class),
        rs.getObject("fan_id", UUID.class),
        rs.getObject("tier_id", UUID.class),
        rs.getString("status"),
        instant(rs.getTimestamp("activated_at")),
        currentPeriod,
        instant(rs.getTimestamp("current_period_end")),
        rs.getBoolean("renews"),
        rs.getString("authorization_encrypted") != null,
        rs.getString("card_brand"));
  }

  private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }

  static String authorizationContext(UUID id) {
    return "odim_server.subscriptions.authorization_encrypted:" + id;
  }

  static String last4Context(UUID id) {
    return "odim_server.subscriptions.card_last4_encrypted:" + id;
  }

  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
