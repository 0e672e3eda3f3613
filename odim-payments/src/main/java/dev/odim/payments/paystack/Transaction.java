package dev.odim.payments.paystack;

import dev.odim.core.Money;
import dev.odim.payments.ProviderFacts;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A Paystack transaction as {@code GET /transaction/verify/{reference}}, {@code GET /transaction}
 * and {@code POST /transaction/charge_authorization} show it (the fields Odim uses; the rest are
 * ignored).
 *
 * @param id Paystack's id
 * @param reference our reference
 * @param status where it stands
 * @param amount the amount, in minor units, in the transaction's currency
 * @param paidAt when it was paid, or null
 * @param channel how it was paid ({@code card}, {@code bank}, ...), or null
 * @param fees Paystack's fees, or null before payment
 * @param authorization the payment method, or null when there is none yet
 * @param customer the payer
 * @param metadata what was sent on initialize (empty when none)
 */
public record Transaction(
    long id,
    String reference,
    Status status,
    Money amount,
    @Nullable Instant paidAt,
    @Nullable String channel,
    @Nullable Money fees,
    @Nullable Authorization authorization,
    Customer customer,
    Map<String, Object> metadata) {

  public Transaction {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(customer, "customer");
    metadata = Map.copyOf(metadata);
  }

  /**
   * What this transaction says for settlement: present for {@code success} (and {@code reversed},
   * which was paid before it was refunded), {@code failed} and {@code abandoned}; empty while it is
   * still {@code ongoing}, {@code pending} or otherwise undecided.
   */
  public Optional<ProviderFacts> facts() {
    ProviderFacts.Outcome outcome =
        switch (status) {
          case SUCCESS, REVERSED -> ProviderFacts.Outcome.SUCCESS;
          case FAILED -> ProviderFacts.Outcome.FAILED;
          case ABANDONED -> ProviderFacts.Outcome.ABANDONED;
          case ONGOING, PENDING, PROCESSING, QUEUED, OTHER -> null;
        };
    if (outcome == null) {
      return Optional.empty();
    }
    return Optional.of(
        new ProviderFacts(
            reference,
            outcome,
            amount,
            Long.toString(id),
            outcome == ProviderFacts.Outcome.SUCCESS ? paidAt : null));
  }

  /** A transaction's status as Paystack names it. */
  public enum Status {
    SUCCESS,
    FAILED,
    ABANDONED,
    ONGOING,
    PENDING,
    PROCESSING,
    QUEUED,
    REVERSED,
    /** A status this client does not know; treated as undecided. */
    OTHER;

    /** The status named {@code name} by Paystack (any case), {@link #OTHER} if unknown. */
    public static Status of(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return OTHER;
      }
    }

    /** The name Paystack uses, e.g. {@code success}. */
    public String paystackName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A payment method Paystack saved.
   *
   * @param authorizationCode the code to {@link PaystackClient#chargeAuthorization charge} again
   * @param reusable whether it can be charged again without the payer
   * @param signature the same card under different codes has the same signature, or null
   * @param last4 the card's last four digits, or null
   * @param brand e.g. {@code visa}, or null
   */
  public record Authorization(
      String authorizationCode,
      boolean reusable,
      @Nullable String signature,
      @Nullable String last4,
      @Nullable String brand) {
    public Authorization {
      Objects.requireNonNull(authorizationCode, "authorizationCode");
    }
  }

  /**
   * The payer.
   *
   * @param email their email
   * @param customerCode Paystack's code for them, or null
   */
  public record Customer(String email, @Nullable String customerCode) {
    public Customer {
      Objects.requireNonNull(email, "email");
    }
  }
}
