package dev.odim.ledger;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of an account's history, newest first.
 *
 * @param postings up to the page size
 * @param nextCursor pass it to get the next (older) page; null on the last page
 */
public record HistoryPage(List<Posting> postings, @Nullable String nextCursor) {
  public HistoryPage {
    postings = List.copyOf(postings);
  }
}
