package dev.odim.payments.paystack;

import java.util.List;

/**
 * One page of {@code GET /transfer}.
 *
 * @param transfers this page's transfers, newest first
 * @param page this page's number, from 1
 * @param pageCount how many pages match the query
 * @param total how many transfers match the query
 */
public record TransferPage(List<Transfer> transfers, int page, int pageCount, long total) {

  public TransferPage {
    transfers = List.copyOf(transfers);
  }

  /** Whether a later page exists. */
  public boolean hasNext() {
    return page < pageCount;
  }
}
