package dev.odim.ledger;

import java.time.Instant;
import java.util.UUID;

/**
 * The outcome of one transfer.
 *
 * <pre>{@code
 * switch (ledger.transfer(t)) {
 *   case TransferResult.Created c -> ...
 *   case TransferResult.Exists e -> ...           // a retry of a transfer that went through
 *   case TransferResult.Rejected r when r.code() == TransferCode.EXCEEDS_CREDITS -> ...
 *   case TransferResult.Rejected r -> ...
 * }
 * }</pre>
 */
public sealed interface TransferResult {

  UUID id();

  TransferCode code();

  /** Whether the transfer stands (created now or before with the same fields). */
  default boolean ok() {
    return !(this instanceof Rejected);
  }

  /**
   * The transfer was written now.
   *
   * @param amount what moved (a balancing transfer may move less than asked)
   * @param timestamp when, from the ledger's clock
   */
  record Created(UUID id, long amount, Instant timestamp) implements TransferResult {
    @Override
    public TransferCode code() {
      return TransferCode.CREATED;
    }
  }

  /** The same transfer was written before; nothing was written now. */
  record Exists(UUID id, long amount, Instant timestamp) implements TransferResult {
    @Override
    public TransferCode code() {
      return TransferCode.EXISTS;
    }
  }

  /** Nothing was written, for the reason {@code code}. */
  record Rejected(UUID id, TransferCode code) implements TransferResult {}
}
