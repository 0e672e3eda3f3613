package dev.odim.payments;

/**
 * What a provider event (a webhook, or a verification's answer) did to our records. Every handler
 * is idempotent: the same event again answers {@link AlreadyApplied} and changes nothing.
 */
public sealed interface EventOutcome {
  /** What the event is about: a payout or refund reference, a dispute id. */
  String subject();

  /** The event changed our records (and the ledger) as described. */
  record Applied(String subject, String detail) implements EventOutcome {}

  /** The event's effect was applied before; nothing was done now. */
  record AlreadyApplied(String subject) implements EventOutcome {}

  /** Nothing of ours has this reference or id (an event for something we never created). */
  record Unknown(String subject) implements EventOutcome {}

  /**
   * The event names something of ours but does not fit it (another amount, a success after a
   * failure): nothing was changed, and the reason says why, for an audit entry or a person.
   */
  record Ignored(String subject, String reason) implements EventOutcome {}
}
