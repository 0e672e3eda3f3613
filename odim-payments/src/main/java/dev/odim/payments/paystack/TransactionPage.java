package dev.odim.payments.paystack;

import java.util.List;

/**
 * One page of {@code GET /transaction}.
 *
 * @param transactions this page's transactions, newest first
 * @param page this page's number, from 1
 * @param pageCount how many pages match the query
 * @param total how many transactions match the query
 */
public record TransactionPage(List<Transaction> transactions, int page, int pageCount, long total) {

  public TransactionPage {
    transactions = List.copyOf(transactions);
  }

  /** Whether a later page exists. */
  public boolean hasNext() {
    return page < pageCount;
  }
}
