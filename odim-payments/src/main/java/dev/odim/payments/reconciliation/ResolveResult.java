package dev.odim.payments.reconciliation;

import java.util.UUID;

/** What {@link Reconciliation#resolve} did; expected outcomes are values, not exceptions. */
public sealed interface ResolveResult {

  /** This call closed it (and, for settle or refund, took that step in the same transaction). */
  record Resolved(Discrepancy discrepancy) implements ResolveResult {}

  /**
   * It was already closed by the same action (a repeated request): nothing was done again. The
   * idempotent answer to a retried resolve.
   */
  record AlreadyResolved(Discrepancy discrepancy) implements ResolveResult {}

  /**
   * It changed since the caller read it (another version, or closed another way): nothing was done.
   * HTTP 409 (or 412 for If-Match).
   */
  record Conflict(Discrepancy current) implements ResolveResult {}

  /** The action does not fit this discrepancy (the reason says why): nothing was done. */
  record NotApplicable(Discrepancy discrepancy, String reason) implements ResolveResult {}

  /** No discrepancy has this id. */
  record NotFound(UUID id) implements ResolveResult {}
}
