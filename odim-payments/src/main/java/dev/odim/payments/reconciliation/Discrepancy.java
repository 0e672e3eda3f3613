package dev.odim.payments.reconciliation;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A disagreement between our records and the provider's (or the ledger's), waiting for a person.
 *
 * @param id its id
 * @param subject what it is about
 * @param reference the payment's or payout's reference, or the creator's account id
 * @param kind what disagrees
 * @param status open, resolved or ignored
 * @param expected our side in short, e.g. {@code pending NGN 5000.00}, or {@code none}
 * @param reported the provider's side in short (the ledger's for a drift), or {@code none}
 * @param localEvidence our record as JSON ({@code {}} when we have none)
 * @param providerEvidence the provider's record as JSON ({@code {}} when it has none)
 * @param suggestedAction what a person should probably do
 * @param source the path that found it: {@code reconciliation}, or {@code webhook}/{@code verify}
 *     for a mismatch that {@code settle} refused
 * @param runId the run that found it, or null
 * @param version moves by one with every change; the value for If-Match
 * @param createdAt when it was found
 * @param updatedAt when it last changed
 * @param resolution how it was closed ({@code settled}, {@code refunded}, {@code marked_resolved},
 *     {@code ignored}), or null while open
 * @param note the person's note
 * @param resolvedBy who closed it, or null while open
 * @param resolvedAt when, or null while open
 */
public record Discrepancy(
    UUID id,
    Subject subject,
    String reference,
    Category kind,
    DiscrepancyStatus status,
    String expected,
    String reported,
    String localEvidence,
    String providerEvidence,
    SuggestedAction suggestedAction,
    String source,
    @Nullable UUID runId,
    int version,
    Instant createdAt,
    Instant updatedAt,
    @Nullable String resolution,
    String note,
    @Nullable String resolvedBy,
    @Nullable Instant resolvedAt) {

  public Discrepancy {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(status, "status");
  }
}
