package dev.odim.payments.reconciliation;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of discrepancies, newest first.
 *
 * @param discrepancies this page's
 * @param nextCursor the cursor of the next page, or null when this is the last
 */
public record DiscrepancyPage(List<Discrepancy> discrepancies, @Nullable String nextCursor) {
  public DiscrepancyPage {
    discrepancies = List.copyOf(discrepancies);
  }
}
