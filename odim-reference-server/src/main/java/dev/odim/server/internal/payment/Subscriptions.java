package dev.odim.server.internal.payment;

import dev.odim.payments.PaymentIntent;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Fans' subscriptions: created pending with their payment, activated by the payment's settlement in
 * the same transaction (odim-payments' fulfilment), so a settled payment without an active
 * subscription, or the reverse, cannot exist.
 */
public final class Subscriptions {
  /** The purpose odim-payments records for subscription payments. */
  public static final String PURPOSE = "subscription";

  private final Clock clock;

  public Subscriptions(Clock clock) {
    this.clock = clock;
  }

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

  /** The fulfilment of a settled subscription payment: the subscription becomes active. */
  public void activate(Handle handle, PaymentIntent intent) {
    if (!intent.purpose().equals(PURPOSE)) {
      return;
    }
    int activated =
        handle
            .createUpdate(
                "UPDATE odim_server.subscriptions SET status = 'active', activated_at = :now"
                    + " WHERE payment_reference = :reference AND status = 'pending'")
            .bind("now", now())
            .bind("reference", intent.reference())
            .execute();
    if (activated != 1) {
      // The settlement must not stand without its effect: roll it back, the job retries.
      throw new IllegalStateException(
          "no pending subscription is paid by " + intent.reference() + "; nothing activated");
    }
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
