package dev.odim.core.audit;

import java.util.List;
import java.util.Optional;

/**
 * One page of audit entries, newest (highest seq) first.
 *
 * @param entries up to the query's limit
 * @param nextCursor pass it to {@link AuditQuery.Builder#cursor(String)} with the same filters for
 *     the next (older) page; empty on the last page
 */
public record AuditPage(List<AuditEntry> entries, Optional<String> nextCursor) {
  public AuditPage {
    entries = List.copyOf(entries);
  }
}
