package dev.odim.core.audit;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A stored audit row: the event as recorded, its place in the chain and its time.
 *
 * @param seq the row's position in the chain, 1, 2, 3, ... with no gaps
 * @param occurredAt when it was recorded, by the audit log's clock, to the microsecond
 * @param action the dotted action, e.g. {@code payment.succeeded}
 * @param actor who did it, or null
 * @param actorIp from which address, or null
 * @param requestId under which request, or null
 * @param target what it was done to, or null
 * @param outcome how it ended
 * @param summary the masked human summary
 * @param details the masked details
 * @param prevHash the hash of row {@code seq - 1} (64 zeros for row 1), lowercase hex
 * @param hash SHA-256 of {@code prevHash} and this row's fields, lowercase hex
 */
public record AuditEntry(
    long seq,
    Instant occurredAt,
    String action,
    @Nullable String actor,
    @Nullable String actorIp,
    @Nullable String requestId,
    @Nullable String target,
    Outcome outcome,
    String summary,
    Map<String, String> details,
    String prevHash,
    String hash) {
  public AuditEntry {
    details = Map.copyOf(details);
  }
}
