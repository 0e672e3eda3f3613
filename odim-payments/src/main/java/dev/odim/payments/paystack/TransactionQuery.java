package dev.odim.payments.paystack;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Which transactions to list ({@code GET /transaction}), newest first.
 *
 * @param from only those created at or after this instant, or null
 * @param to only those created before this instant, or null
 * @param status only those with this status, or null
 * @param page the page, from 1
 * @param perPage transactions per page, 1 to 100 (Paystack's default is 50)
 */
public record TransactionQuery(
    @Nullable Instant from,
    @Nullable Instant to,
    Transaction.@Nullable Status status,
    int page,
    int perPage) {

  public TransactionQuery {
    if (page < 1) {
      throw new IllegalArgumentException("page must be at least 1, was " + page);
    }
    if (perPage < 1 || perPage > 100) {
      throw new IllegalArgumentException("perPage must be 1 to 100, was " + perPage);
    }
  }

  /** Every transaction, 50 per page, from page 1. */
  public static TransactionQuery all() {
    return new TransactionQuery(null, null, null, 1, 50);
  }

  public TransactionQuery from(Instant from) {
    return new TransactionQuery(from, to, status, page, perPage);
  }

  public TransactionQuery to(Instant to) {
    return new TransactionQuery(from, to, status, page, perPage);
  }

  public TransactionQuery status(Transaction.Status status) {
    return new TransactionQuery(from, to, status, page, perPage);
  }

  public TransactionQuery page(int page) {
    return new TransactionQuery(from, to, status, page, perPage);
  }

  public TransactionQuery perPage(int perPage) {
    return new TransactionQuery(from, to, status, page, perPage);
  }
}
