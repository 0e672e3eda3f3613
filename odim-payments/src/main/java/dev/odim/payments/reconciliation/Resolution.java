package dev.odim.payments.reconciliation;

import java.util.Objects;

/**
 * What a person does about a discrepancy.
 *
 * @param action the step
 * @param actor who, e.g. {@code user:42}, recorded on the discrepancy
 * @param note why, up to 2000 characters; required for {@link Action#MARK_RESOLVED} and {@link
 *     Action#IGNORE}
 */
public record Resolution(Action action, String actor, String note) {

  public Resolution {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(note, "note");
    if (actor.isBlank() || actor.length() > 200) {
      throw new IllegalArgumentException("actor must be 1 to 200 characters");
    }
    if (note.length() > 2000) {
      throw new IllegalArgumentException("note must be at most 2000 characters");
    }
    if ((action == Action.MARK_RESOLVED || action == Action.IGNORE) && note.isBlank()) {
      throw new IllegalArgumentException(action.wireName() + " needs a note saying why");
    }
  }

  /** The step taken. */
  public enum Action {
    /**
     * Settle the payment through {@code Payments.settle} with the provider's facts recorded on the
     * discrepancy (source {@code admin}): only when the provider reports it paid with the intent's
     * amount and currency.
     */
    SETTLE,
    /** Refund the settled payment in full through {@code Refunds} (when configured). */
    REFUND,
    /** Close it with a note: the person fixed it elsewhere, or it needs nothing. */
    MARK_RESOLVED,
    /** Close it as not worth acting on, with a note. */
    IGNORE;

    /** The wire name, e.g. {@code mark_resolved}. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The action named {@code name} (any case). */
    public static Action fromWireName(String name) {
      return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
  }
}
