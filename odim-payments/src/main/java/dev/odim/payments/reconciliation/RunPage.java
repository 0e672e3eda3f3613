package dev.odim.payments.reconciliation;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of runs, newest first.
 *
 * @param runs this page's
 * @param nextCursor the cursor of the next page, or null when this is the last
 */
public record RunPage(List<RunRecord> runs, @Nullable String nextCursor) {
  public RunPage {
    runs = List.copyOf(runs);
  }
}
