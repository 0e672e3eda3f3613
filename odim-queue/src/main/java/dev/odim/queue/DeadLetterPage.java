package dev.odim.queue;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of dead letters, newest first.
 *
 * @param nextCursor pass to {@link DeadLetterQuery#after(String)} for the next page; null at the
 *     end
 */
public record DeadLetterPage(List<JobInfo> items, @Nullable String nextCursor) {
  public DeadLetterPage {
    items = List.copyOf(items);
  }
}
