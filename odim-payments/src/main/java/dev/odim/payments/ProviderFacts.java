package dev.odim.payments;

import dev.odim.core.Money;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the provider says about a payment, from a webhook, a verification or its transaction list.
 *
 * @param reference our reference, as the provider echoes it
 * @param outcome what happened
 * @param amount what the provider charged
 * @param providerId the provider's id of the transaction
 * @param paidAt when it was paid, or null if it was not
 */
public record ProviderFacts(
    String reference, Outcome outcome, Money amount, String providerId, @Nullable Instant paidAt) {

  public ProviderFacts {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(providerId, "providerId");
  }

  /** The provider's verdict. */
  public enum Outcome {
    SUCCESS,
    FAILED,
    ABANDONED
  }
}
