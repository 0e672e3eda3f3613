package dev.odim.payments.paystack;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Which transfers to list ({@code GET /transfer}), newest first.
 *
 * @param from only those created at or after this instant, or null
 * @param to only those created before this instant, or null
 * @param page the page, from 1
 * @param perPage transfers per page, 1 to 100 (Paystack's default is 50)
 */
public record TransferQuery(@Nullable Instant from, @Nullable Instant to, int page, int perPage) {

  public TransferQuery {
    if (page < 1) {
      throw new IllegalArgumentException("page must be at least 1, was " + page);
    }
    if (perPage < 1 || perPage > 100) {
      throw new IllegalArgumentException("perPage must be 1 to 100, was " + perPage);
    }
  }

  /** Every transfer, 50 per page, from page 1. */
  public static TransferQuery all() {
    return new TransferQuery(null, null, 1, 50);
  }

  public TransferQuery from(Instant from) {
    return new TransferQuery(from, to, page, perPage);
  }

  public TransferQuery to(Instant to) {
    return new TransferQuery(from, to, page, perPage);
  }

  public TransferQuery page(int page) {
    return new TransferQuery(from, to, page, perPage);
  }

  public TransferQuery perPage(int perPage) {
    return new TransferQuery(from, to, page, perPage);
  }
}
