package dev.odim.payments;

import org.jdbi.v3.core.Handle;

/**
 * The caller's own writes that must commit with a settlement (its audit row, the card that paid),
 * passed to {@link Payments#settle(ProviderFacts, SettlementSource, AfterSettlement)}. It runs in
 * the settlement's savepoint inside a batch transaction, after the intent changed and the
 * fulfilment ran, with whatever the settlement came to (also {@link Settlement.AlreadySettled} and
 * the other outcomes that changed nothing). If it throws, the settlement is rolled back with it and
 * the caller of {@code settle} gets the exception; its neighbours in the batch commit.
 *
 * <p>It must write only through {@code handle} and must not wait on anything outside the database:
 * the whole batch waits for it. It may run again in a later transaction when its batch is retried
 * (only what committed counts).
 */
@FunctionalInterface
public interface AfterSettlement {
  /** Adds nothing; for callers with no writes of their own. */
  AfterSettlement NONE = (handle, settlement) -> {};

  void run(Handle handle, Settlement settlement);
}
