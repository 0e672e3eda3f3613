package dev.odim.server.internal.moneyout;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.odim.core.Money;
import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.Outcome;
import dev.odim.core.db.Db;
import dev.odim.payments.Dispute;
import dev.odim.payments.DisputeStatus;
import dev.odim.payments.Disputes;
import dev.odim.payments.EventOutcome;
import dev.odim.payments.NewRefund;
import dev.odim.payments.PaymentIntent;
import dev.odim.payments.PaymentRefund;
import dev.odim.payments.Payments;
import dev.odim.payments.RefundResult;
import dev.odim.payments.Refunds;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.RequestIds;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.server.internal.web.Role;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Admins' view of money going back to payers: {@code GET /api/admin/payments/{reference}} (the
 * payment with its refunds, disputes and transitions), {@code POST
 * /api/admin/payments/{reference}/refunds} and {@code POST /api/admin/disputes/{id}/resolve}.
 *
 * <p>Each action is audited with the admin as the actor: a refund requested or resolved in the same
 * transaction as its effect; a refusal (nothing written by odim-payments) as a {@code FAILURE}
 * entry of its own, so that an attempt on someone's money is on record even when it changed
 * nothing.
 */
public final class AdminPaymentRoutes {
  private final Db db;
  private final Payments payments;
  private final Refunds refunds;
  private final Disputes disputes;
  private final AuditLog audit;

  public AdminPaymentRoutes(
      Db db, Payments payments, Refunds refunds, Disputes disputes, AuditLog audit) {
    this.db = db;
    this.payments = payments;
    this.refunds = refunds;
    this.disputes = disputes;
    this.audit = audit;
  }

  /** {@code POST /api/admin/payments/{reference}/refunds}; no amount refunds all that is left. */
  public record RefundRequest(
      @Positive @Max(value = 100_000_000_000L, message = "must be at most 1,000,000,000.00")
          @Nullable Long amount) {}

  /** How a dispute ended at the payer's bank. */
  public enum DisputeOutcome {
    @JsonProperty("won")
    WON,
    @JsonProperty("lost")
    LOST
  }

  /** {@code POST /api/admin/disputes/{id}/resolve}. */
  public record Resolution(@NotNull DisputeOutcome outcome) {}

  /** A refund as admins see it. */
  public record RefundView(
      String reference,
      String paymentReference,
      long amount,
      long creatorPart,
      long feePart,
      String currency,
      String status,
      @Nullable Long providerRefundId,
      String failure,
      Instant createdAt,
      Instant updatedAt) {
    static RefundView of(PaymentRefund refund) {
      return new RefundView(
          refund.reference(),
          refund.paymentReference(),
          refund.amount().minor(),
          refund.creatorPart().minor(),
          refund.feePart().minor(),
          refund.amount().currency().getCurrencyCode(),
          refund.status().wireName(),
          refund.providerRefundId(),
          refund.failure(),
          refund.createdAt(),
          refund.updatedAt());
    }
  }

  /** A dispute as admins see it. */
  public record DisputeView(
      String id,
      String paymentReference,
      long amount,
      long held,
      String currency,
      String status,
      Instant createdAt,
      Instant updatedAt) {
    static DisputeView of(Dispute dispute) {
      return new DisputeView(
          dispute.id(),
          dispute.paymentReference(),
          dispute.amount().minor(),
          dispute.held().minor(),
          dispute.amount().currency().getCurrencyCode(),
          dispute.status().wireName(),
          dispute.createdAt(),
          dispute.updatedAt());
    }
  }

  /** One status change of a payment, with the path that made it. */
  public record TransitionView(
      @Nullable String from, String to, String source, String detail, Instant at) {}

  /** A payment with everything that happened to it. */
  public record AdminPaymentView(
      String reference,
      String status,
      long amount,
      long fee,
      long creatorShare,
      String currency,
      String payer,
      String creatorAccount,
      String purpose,
      String purposeId,
      @Nullable String providerId,
      Instant createdAt,
      @Nullable Instant settledAt,
      List<RefundView> refunds,
      List<DisputeView> disputes,
      List<TransitionView> transitions) {}

  /** Declares the routes. */
  public void register(Api api) {
    Access admin = Access.role(Role.ADMIN);
    api.get("/api/admin/payments/{reference}")
        .summary("A payment with its refunds, disputes and every status change")
        .tag("admin")
        .access(admin)
        .responds(200, AdminPaymentView.class)
        .handle(call -> call.ctx().json(view(payment(call))));
    api.post("/api/admin/payments/{reference}/refunds")
        .summary("Refund a payment in full (no amount) or in part; 202 once the refund is queued")
        .tag("admin")
        .access(admin)
        .idempotency(Idempotency.REQUIRED)
        .body(RefundRequest.class)
        .responds(202, RefundView.class)
        .handle(this::refund);
    api.post("/api/admin/disputes/{id}/resolve")
        .summary("Record how a dispute ended: won releases the hold, lost keeps the money")
        .tag("admin")
        .access(admin)
        .body(Resolution.class)
        .responds(200, DisputeView.class)
        .handle(this::resolve);
  }

  private PaymentIntent payment(Call call) {
    return payments
        .find(call.ctx().pathParam("reference"))
        .orElseThrow(() -> ProblemCode.NOT_FOUND.exception("No payment has this reference."));
  }

  private AdminPaymentView view(PaymentIntent intent) {
    List<DisputeView> disputed =
        db
            .withHandle(
                h ->
                    h.createQuery(
                            "SELECT id FROM odim_payments.disputes WHERE payment_reference = :p"
                                + " ORDER BY created_at, id")
                        .bind("p", intent.reference())
                        .mapTo(String.class)
                        .list())
            .stream()
            .map(id -> DisputeView.of(disputes.find(id).orElseThrow()))
            .toList();
    return new AdminPaymentView(
        intent.reference(),
        intent.status().wireName(),
        intent.amount().minor(),
        intent.fee().minor(),
        intent.creatorShare().minor(),
        intent.amount().currency().getCurrencyCode(),
        intent.payer(),
        intent.creatorAccount().toString(),
        intent.purpose(),
        intent.purposeId(),
        intent.providerId(),
        intent.createdAt(),
        intent.settledAt(),
        refunds.forPayment(intent.reference()).stream().map(RefundView::of).toList(),
        disputed,
        payments.transitions(intent.reference()).stream()
            .map(
                t ->
                    new TransitionView(
                        t.from() == null ? null : t.from().wireName(),
                        t.to().wireName(),
                        t.source(),
                        t.detail(),
                        t.at()))
            .toList());
  }

  private void refund(Call call) {
    String paymentReference = call.ctx().pathParam("reference");
    Long amount = call.body(RefundRequest.class).amount();
    String key = call.ctx().header(Api.IDEMPOTENCY_HEADER);
    String admin = "user:" + call.principal().userId();
    String reference = refundReference(admin, paymentReference, key == null ? "" : key);
    NewRefund request =
        new NewRefund(
            reference,
            paymentReference,
            amount == null ? null : Money.of(amount, PayoutRoutes.CURRENCY));
    RefundResult result =
        db.inTransaction(
            h -> {
              RefundResult r = refunds.request(h, request);
              if (r instanceof RefundResult.Requested requested) {
                record(
                    h,
                    call,
                    AuditEvent.builder("admin.refund.requested")
                        .target(clip("payment:" + paymentReference))
                        .summary(
                            "Refund of "
                                + requested.refund().amount()
                                + " requested ("
                                + requested.refund().creatorPart()
                                + " from the creator)")
                        .detail("refund", reference)
                        .detail("amount", String.valueOf(requested.refund().amount().minor())));
              }
              return r;
            });
    RuntimeException refusal =
        switch (result) {
          case RefundResult.Requested requested -> null;
          case RefundResult.Exists exists -> null;
          case RefundResult.ExistsWithDifferentFields different ->
              ProblemCode.IDEMPOTENCY_KEY_REUSED.exception(
                  "This Idempotency-Key asked for another refund before; use a new key.");
          case RefundResult.UnknownPayment unknown ->
              ProblemCode.NOT_FOUND.exception("No payment has this reference.");
          case RefundResult.NotRefundable notRefundable ->
              ProblemCode.PAYMENT_NOT_REFUNDABLE.exception(
                  "The payment is " + notRefundable.intent().status().wireName() + ".",
                  Map.of("paymentStatus", notRefundable.intent().status().wireName()));
          case RefundResult.ExceedsRefundable exceeds ->
              ProblemCode.REFUND_EXCEEDS_PAYMENT.exception(
                  exceeds.requested().minor()
                      + " asked, "
                      + exceeds.refundable().minor()
                      + " is left to refund.",
                  amounts("requested", exceeds.requested(), "refundable", exceeds.refundable()));
          case RefundResult.InsufficientCreatorBalance short_ ->
              ProblemCode.CREATOR_BALANCE_INSUFFICIENT.exception(
                  "The creator's part of this refund is "
                      + short_.creatorPart().minor()
                      + " and their balance has "
                      + short_.available().minor()
                      + " available (paid out).",
                  amounts("creatorPart", short_.creatorPart(), "available", short_.available()));
        };
    if (refusal != null) {
      db.useTransaction(
          h ->
              record(
                  h,
                  call,
                  AuditEvent.builder("admin.refund.refused")
                      .target(clip("payment:" + paymentReference))
                      .outcome(Outcome.FAILURE)
                      .summary("Refund refused: " + result.getClass().getSimpleName())
                      .detail("refund", reference)
                      .detail("amount", amount == null ? "all" : String.valueOf(amount))));
      throw refusal;
    }
    PaymentRefund refund =
        switch (result) {
          case RefundResult.Requested requested -> requested.refund();
          case RefundResult.Exists exists -> exists.refund();
          default -> throw new IllegalStateException("refused above: " + result);
        };
    call.ctx().status(202).json(RefundView.of(refund));
  }

  private static Map<String, Object> amounts(String a, Money first, String b, Money second) {
    Map<String, Object> members = new LinkedHashMap<>();
    members.put(a, first.minor());
    members.put(b, second.minor());
    members.put("currency", first.currency().getCurrencyCode());
    return members;
  }

  /** The same admin, payment and key always name the same refund, so a retry never doubles it. */
  static String refundReference(String admin, String paymentReference, String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  ("refund:" + admin + ":" + paymentReference + ":" + key)
                      .getBytes(StandardCharsets.UTF_8));
      return "rf-" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private void resolve(Call call) {
    String id = call.ctx().pathParam("id");
    DisputeStatus outcome =
        call.body(Resolution.class).outcome() == DisputeOutcome.WON
            ? DisputeStatus.WON
            : DisputeStatus.LOST;
    EventOutcome result =
        db.inTransaction(
            h -> {
              EventOutcome r = disputes.resolve(h, id, outcome);
              if (r instanceof EventOutcome.Applied applied) {
                record(
                    h,
                    call,
                    AuditEvent.builder("admin.dispute.resolved")
                        .target(clip("dispute:" + id))
                        .summary("Dispute resolved: " + applied.detail())
                        .detail("outcome", outcome.wireName()));
              }
              return r;
            });
    switch (result) {
      case EventOutcome.Applied applied -> {}
      case EventOutcome.AlreadyApplied already -> {}
      case EventOutcome.Unknown unknown ->
          throw ProblemCode.NOT_FOUND.exception("No dispute has this id.");
      case EventOutcome.Ignored ignored -> {
        db.useTransaction(
            h ->
                record(
                    h,
                    call,
                    AuditEvent.builder("admin.dispute.resolve_refused")
                        .target(clip("dispute:" + id))
                        .outcome(Outcome.FAILURE)
                        .summary("Resolution refused: " + ignored.reason())
                        .detail("outcome", outcome.wireName())));
        throw ProblemCode.DISPUTE_ALREADY_RESOLVED.exception(
            "The dispute cannot be resolved as " + outcome.wireName() + ": " + ignored.reason());
      }
    }
    call.ctx().json(DisputeView.of(disputes.find(id).orElseThrow()));
  }

  /** A target within the audit log's limit, whatever the path parameter held. */
  private static String clip(String target) {
    return target.length() <= AuditEvent.MAX_ID_LENGTH
        ? target
        : target.substring(0, AuditEvent.MAX_ID_LENGTH);
  }

  private void record(Handle h, Call call, AuditEvent.Builder entry) {
    audit.record(
        h,
        entry
            .actor("user:" + call.principal().userId())
            .actorIp(call.clientIp())
            .requestId(RequestIds.of(call.ctx()))
            .build());
  }
}
