package dev.odim.payments.reconciliation.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Money;
import dev.odim.payments.NewRefund;
import dev.odim.payments.Payments;
import dev.odim.payments.ProviderFacts;
import dev.odim.payments.RefundResult;
import dev.odim.payments.Refunds;
import dev.odim.payments.Settlement;
import dev.odim.payments.SettlementSource;
import dev.odim.payments.reconciliation.Category;
import dev.odim.payments.reconciliation.Discrepancy;
import dev.odim.payments.reconciliation.DiscrepancyPage;
import dev.odim.payments.reconciliation.DiscrepancyQuery;
import dev.odim.payments.reconciliation.DiscrepancyStatus;
import dev.odim.payments.reconciliation.Resolution;
import dev.odim.payments.reconciliation.ResolveResult;
import dev.odim.payments.reconciliation.Subject;
import dev.odim.payments.reconciliation.SuggestedAction;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/** The {@code discrepancies} table: listing, and resolving with an expected version. */
public final class Discrepancies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Payments payments;
  private final @Nullable Refunds refunds;
  private final Clock clock;
  private final String table;

  public Discrepancies(Payments payments, @Nullable Refunds refunds) {
    this.payments = payments;
    this.refunds = refunds;
    this.clock = payments.clock();
    this.table = payments.schema() + ".discrepancies";
  }

  /** The discrepancy with this id. */
  public Optional<Discrepancy> find(UUID id) {
    return payments
        .db()
        .withHandle(
            h ->
                h.createQuery("SELECT * FROM " + table + " WHERE id = :id")
                    .bind("id", id)
                    .map((rs, c) -> discrepancy(rs))
                    .findOne());
  }

  /** A page of discrepancies, newest first. */
  public DiscrepancyPage list(DiscrepancyQuery query) {
    Cursor after = query.cursor() == null ? null : Cursor.parse(query.cursor());
    List<Discrepancy> found =
        payments
            .db()
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT * FROM "
                                + table
                                + " WHERE (CAST(:status AS text) IS NULL OR status = :status)"
                                + " AND (CAST(:kind AS text) IS NULL OR kind = :kind)"
                                + " AND (CAST(:subject AS text) IS NULL OR subject = :subject)"
                                + " AND (CAST(:reference AS text) IS NULL"
                                + " OR reference = :reference)"
                                + " AND (CAST(:run AS uuid) IS NULL OR run_id = CAST(:run AS uuid))"
                                + " AND (CAST(:at AS timestamptz) IS NULL"
                                + " OR (created_at, id) < (CAST(:at AS timestamptz), CAST(:id AS uuid)))"
                                + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                        .bind("status", query.status() == null ? null : query.status().wireName())
                        .bind("kind", query.kind() == null ? null : query.kind().wireName())
                        .bind(
                            "subject", query.subject() == null ? null : query.subject().wireName())
                        .bind("reference", query.reference())
                        .bind("run", query.runId())
                        .bind("at", after == null ? null : after.at())
                        .bind("id", after == null ? null : after.id())
                        .bind("limit", query.limit() + 1)
                        .map((rs, c) -> discrepancy(rs))
                        .list());
    if (found.size() <= query.limit()) {
      return new DiscrepancyPage(found, null);
    }
    Discrepancy last = found.get(query.limit() - 1);
    return new DiscrepancyPage(
        found.subList(0, query.limit()), new Cursor(last.createdAt(), last.id()).toString());
  }

  /**
   * Takes {@code resolution}'s step and closes the discrepancy in one transaction, if it is still
   * open at {@code expectedVersion}; a repeat of the step that closed it answers {@code
   * AlreadyResolved}.
   */
  public ResolveResult resolve(UUID id, Resolution resolution, int expectedVersion) {
    return payments.db().inTransaction(h -> resolve(h, id, resolution, expectedVersion));
  }

  private ResolveResult resolve(Handle h, UUID id, Resolution resolution, int expectedVersion) {
    Optional<Discrepancy> locked =
        h.createQuery("SELECT * FROM " + table + " WHERE id = :id FOR UPDATE")
            .bind("id", id)
            .map((rs, c) -> discrepancy(rs))
            .findOne();
    if (locked.isEmpty()) {
      return new ResolveResult.NotFound(id);
    }
    Discrepancy current = locked.get();
    String closedAs = closedAs(resolution.action());
    if (current.status() != DiscrepancyStatus.OPEN) {
      return closedAs.equals(current.resolution())
          ? new ResolveResult.AlreadyResolved(current)
          : new ResolveResult.Conflict(current);
    }
    if (current.version() != expectedVersion) {
      return new ResolveResult.Conflict(current);
    }
    Optional<String> refused =
        switch (resolution.action()) {
          case SETTLE -> settle(h, current);
          case REFUND -> refund(h, current);
          case MARK_RESOLVED, IGNORE -> Optional.empty();
        };
    if (refused.isPresent()) {
      return new ResolveResult.NotApplicable(current, refused.get());
    }
    Discrepancy closed =
        h.createQuery(
                "UPDATE "
                    + table
                    + " SET status = :status, resolution = :resolution, note = :note,"
                    + " resolved_by = :actor, resolved_at = :now, updated_at = :now,"
                    + " version = version + 1 WHERE id = :id RETURNING *")
            .bind(
                "status", resolution.action() == Resolution.Action.IGNORE ? "ignored" : "resolved")
            .bind("resolution", closedAs)
            .bind("note", resolution.note())
            .bind("actor", resolution.actor())
            .bind("now", clock.instant().truncatedTo(ChronoUnit.MICROS))
            .bind("id", id)
            .map((rs, c) -> discrepancy(rs))
            .one();
    return new ResolveResult.Resolved(closed);
  }

  /** Settles with the provider's facts on record; the reason it cannot, if it cannot. */
  private Optional<String> settle(Handle h, Discrepancy d) {
    if (d.subject() != Subject.PAYMENT) {
      return Optional.of("only a payment can be settled");
    }
    JsonNode provider = parse(d.providerEvidence());
    String status = provider.path("status").asText("");
    if (!status.equals("success") && !status.equals("reversed")) {
      return Optional.of("the provider does not report this payment paid");
    }
    ProviderFacts facts =
        new ProviderFacts(
            d.reference(),
            ProviderFacts.Outcome.SUCCESS,
            Money.of(
                provider.path("amountMinor").asLong(),
                Currency.getInstance(provider.path("currency").asText().strip())),
            provider.path("providerId").asText(),
            null);
    return switch (payments.settle(h, facts, SettlementSource.ADMIN)) {
      case Settlement.Settled s -> Optional.empty();
      case Settlement.AlreadySettled s -> Optional.empty();
      case Settlement.Mismatch m ->
          Optional.of("the provider charged " + m.reported() + ", the payment is " + m.expected());
      case Settlement.NotPaid n -> Optional.of("the provider does not report this payment paid");
      case Settlement.UnknownReference u -> Optional.of("no payment has this reference");
    };
  }

  /** Refunds the payment in full; the reason it cannot, if it cannot. */
  private Optional<String> refund(Handle h, Discrepancy d) {
    if (refunds == null) {
      return Optional.of("refunds are not configured");
    }
    if (d.subject() != Subject.PAYMENT) {
      return Optional.of("only a payment can be refunded");
    }
    return switch (refunds.request(h, NewRefund.full("discrepancy-" + d.id(), d.reference()))) {
      case RefundResult.Requested r -> Optional.empty();
      case RefundResult.Exists r -> Optional.empty();
      case RefundResult.UnknownPayment r ->
          Optional.of(
              "no payment has this reference: refund it at the provider, then mark it"
                  + " resolved");
      case RefundResult other -> Optional.of("the refund was refused: " + other);
    };
  }

  private static String closedAs(Resolution.Action action) {
    return switch (action) {
      case SETTLE -> "settled";
      case REFUND -> "refunded";
      case MARK_RESOLVED -> "marked_resolved";
      case IGNORE -> "ignored";
    };
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored evidence is not JSON: " + json, e);
    }
  }

  static Discrepancy discrepancy(ResultSet rs) throws SQLException {
    Timestamp resolvedAt = rs.getTimestamp("resolved_at");
    return new Discrepancy(
        rs.getObject("id", UUID.class),
        Subject.fromWireName(rs.getString("subject")),
        rs.getString("reference"),
        Category.fromWireName(rs.getString("kind")),
        DiscrepancyStatus.fromWireName(rs.getString("status")),
        rs.getString("expected"),
        rs.getString("reported"),
        rs.getString("local_evidence"),
        rs.getString("provider_evidence"),
        SuggestedAction.fromWireName(rs.getString("suggested_action")),
        rs.getString("source"),
        rs.getObject("run_id", UUID.class),
        rs.getInt("version"),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant(),
        rs.getString("resolution"),
        rs.getString("note"),
        rs.getString("resolved_by"),
        resolvedAt == null ? null : resolvedAt.toInstant());
  }
}
