package dev.odim.server.internal.moneyout;

import dev.odim.core.Money;
import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.db.Db;
import dev.odim.ledger.Ledger;
import dev.odim.payments.NewPayout;
import dev.odim.payments.Payout;
import dev.odim.payments.PayoutResult;
import dev.odim.payments.Payouts;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.RequestIds;
import dev.odim.server.internal.payment.CreatorAccounts;
import dev.odim.server.internal.payment.PayoutAccounts;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.server.internal.web.PageCursor;
import dev.odim.server.internal.web.Role;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * A creator's money: {@code POST|GET /api/creators/me/payouts} and {@code GET
 * /api/creators/me/dashboard} (DESIGN.md).
 *
 * <p>A payout request is one transaction: the payout account's recipient read, the amount held on
 * the creator's ledger balance, the payout recorded and its transfer queued (odim-payments' {@code
 * Payouts}), and the audit entry. Any refusal (no payout account, a short balance) writes nothing.
 * The payout's reference derives from the creator and the request's {@code Idempotency-Key}, so a
 * retry that outlives the stored answer still finds the same payout instead of paying twice. The
 * transfer itself goes out from the payments worker, so a Paystack outage only delays it: the
 * request is accepted (202) and the payout drains once Paystack answers again.
 */
public final class PayoutRoutes {
  /** The currency of creators' balances and payouts. */
  static final String CURRENCY = "NGN";

  /** Shown to the creator's bank as the transfer's reason. */
  private static final String REASON = "Odim creator payout";

  private static final int RECENT = 10;

  private final Db db;
  private final Ledger ledger;
  private final Payouts payouts;
  private final PayoutAccounts payoutAccounts;
  private final AuditLog audit;

  public PayoutRoutes(
      Db db, Ledger ledger, Payouts payouts, PayoutAccounts payoutAccounts, AuditLog audit) {
    this.db = db;
    this.ledger = ledger;
    this.payouts = payouts;
    this.payoutAccounts = payoutAccounts;
    this.audit = audit;
  }

  /** The currencies a payout may be asked in. */
  public enum PayoutCurrency {
    NGN
  }

  /** {@code POST /api/creators/me/payouts}: how much, in minor units (kobo). */
  public record PayoutRequest(
      @NotNull
          @Positive
          @Max(value = 100_000_000_000L, message = "must be at most 1,000,000,000.00")
          Long amount,
      @NotNull PayoutCurrency currency) {}

  /** A payout as its creator sees it. */
  public record PayoutView(
      String reference,
      String status,
      long amount,
      String currency,
      String failure,
      Instant createdAt,
      Instant updatedAt) {
    static PayoutView of(Payout payout) {
      return new PayoutView(
          payout.reference(),
          payout.status().wireName(),
          payout.amount().minor(),
          payout.amount().currency().getCurrencyCode(),
          payout.failure(),
          payout.createdAt(),
          payout.updatedAt());
    }
  }

  /** One page of payouts, newest first. */
  public record PayoutPage(List<PayoutView> payouts, @Nullable String nextCursor) {}

  /**
   * Amounts on hold on the balance, by why: payouts on their way, creators' parts of refunds not
   * yet processed, disputed amounts. {@code total} is what the ledger holds (their sum).
   */
  public record Held(long payouts, long refunds, long disputes, long total) {}

  /** A payment to the creator, for the dashboard. */
  public record RecentPayment(
      String reference,
      String status,
      long amount,
      long creatorShare,
      String purpose,
      Instant createdAt,
      @Nullable Instant settledAt) {}

  /**
   * The creator's dashboard. Every amount is in minor units of {@code currency}, and they add up:
   * {@code available + held.total == earned - refunded - paidOut - disputesLost}.
   *
   * @param available what a payout may take now
   * @param held what is on hold, by reason
   * @param earned the creator's share of every payment that settled (lifetime)
   * @param refunded what refunds processed took back from the creator
   * @param paidOut what payouts paid (and Paystack did not reverse)
   * @param disputesLost what lost disputes took
   */
  public record Dashboard(
      String currency,
      long available,
      Held held,
      long earned,
      long refunded,
      long paidOut,
      long disputesLost,
      List<RecentPayment> recentPayments,
      List<PayoutView> recentPayouts) {}

  /** Declares the routes. */
  public void register(Api api) {
    api.post("/api/creators/me/payouts")
        .summary(
            "Pay out part of the available balance to the payout account; 202 once held and queued")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .idempotency(Idempotency.REQUIRED)
        .body(PayoutRequest.class)
        .responds(202, PayoutView.class)
        .handle(this::request);
    api.get("/api/creators/me/payouts")
        .summary("The signed-in creator's payouts, newest first; limit (1-100), cursor")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .responds(200, PayoutPage.class)
        .handle(this::list);
    api.get("/api/creators/me/dashboard")
        .summary("Balance available and held, lifetime earnings, recent payments and payouts")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .responds(200, Dashboard.class)
        .handle(call -> call.ctx().json(dashboard(call.principal().userId())));
  }

  private void request(Call call) {
    PayoutRequest body = call.body(PayoutRequest.class);
    UUID creator = call.principal().userId();
    UUID account = CreatorAccounts.of(creator);
    Money amount = Money.of(body.amount(), body.currency().name());
    String key = call.ctx().header(Api.IDEMPOTENCY_HEADER);
    String reference = reference(creator, key == null ? "" : key);
    Payout payout =
        db.inTransaction(
            h -> {
              String recipient =
                  payoutAccounts
                      .recipientCode(h, creator)
                      .orElseThrow(
                          () ->
                              ProblemCode.PAYOUT_ACCOUNT_MISSING.exception(
                                  "Set your payout bank account first"
                                      + " (PUT /api/creators/me/payout-account)."));
              if (ledger.balance(account).isEmpty()) {
                // No balance account yet (no tier, no sale): nothing to pay out, and nothing to
                // create on a refusal.
                throw insufficient(amount, 0);
              }
              PayoutResult result =
                  payouts.request(h, new NewPayout(reference, account, amount, recipient, REASON));
              return switch (result) {
                case PayoutResult.Requested requested -> {
                  audit.record(
                      h,
                      AuditEvent.builder("creator.payout.requested")
                          .actor("user:" + creator)
                          .actorIp(call.clientIp())
                          .requestId(RequestIds.of(call.ctx()))
                          .target("payout:" + reference)
                          .summary("Payout of " + amount + " requested")
                          .detail("amount", String.valueOf(amount.minor()))
                          .detail("currency", amount.currency().getCurrencyCode())
                          .build());
                  yield requested.payout();
                }
                case PayoutResult.Exists exists -> exists.payout();
                case PayoutResult.ExistsWithDifferentFields different ->
                    throw ProblemCode.IDEMPOTENCY_KEY_REUSED.exception(
                        "This Idempotency-Key asked for another payout before; use a new key.");
                case PayoutResult.InsufficientBalance short_ ->
                    throw insufficient(amount, short_.available().minor());
              };
            });
    call.ctx().status(202).json(PayoutView.of(payout));
  }

  private static RuntimeException insufficient(Money requested, long available) {
    Map<String, Object> members = new LinkedHashMap<>();
    members.put("requested", requested.minor());
    members.put("available", available);
    members.put("currency", requested.currency().getCurrencyCode());
    return ProblemCode.INSUFFICIENT_BALANCE.exception(
        "You asked for "
            + requested.minor()
            + " and "
            + available
            + " is available (minor units of "
            + requested.currency().getCurrencyCode()
            + ").",
        members);
  }

  /**
   * The payout reference for a creator's request under {@code key}: the same key always names the
   * same payout, and no two creators' keys collide. Paystack takes it as the transfer reference.
   */
  static String reference(UUID creator, String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(("payout:" + creator + ":" + key).getBytes(StandardCharsets.UTF_8));
      return "po-" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private void list(Call call) {
    UUID account = CreatorAccounts.of(call.principal().userId());
    int limit = PageCursor.limit(call.ctx().queryParam("limit"));
    PageCursor after =
        PageCursor.parse(call.ctx().queryParam("cursor"), key -> key.matches("[a-z0-9_-]{1,100}"));
    List<PayoutView> page = db.withHandle(h -> payouts(h, account, after, limit + 1));
    String next = null;
    if (page.size() > limit) {
      page = page.subList(0, limit);
      PayoutView last = page.get(limit - 1);
      next = new PageCursor(last.createdAt(), last.reference()).text();
    }
    call.ctx().json(new PayoutPage(page, next));
  }

  /**
   * The creator's payouts, newest first, after {@code after} (the payouts_creator index), read in
   * the caller's transaction from odim-payments' {@code payouts} table (read only).
   */
  private static List<PayoutView> payouts(
      Handle h, UUID account, @Nullable PageCursor after, int limit) {
    return h.createQuery(
            "SELECT reference, amount_minor, currency, status, failure, created_at, updated_at"
                + " FROM odim_payments.payouts WHERE creator_account = :account"
                + (after == null ? "" : " AND (created_at, reference) < (:createdAt, :reference)")
                + " ORDER BY created_at DESC, reference DESC LIMIT :limit")
        .bind("account", account)
        .bind("createdAt", after == null ? null : after.createdAt())
        .bind("reference", after == null ? null : after.key())
        .bind("limit", limit)
        .map(
            (rs, c) ->
                new PayoutView(
                    rs.getString("reference"),
                    rs.getString("status"),
                    rs.getLong("amount_minor"),
                    rs.getString("currency").strip(),
                    rs.getString("failure"),
                    rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("updated_at").toInstant()))
        .list();
  }

  private Dashboard dashboard(UUID creator) {
    UUID account = CreatorAccounts.of(creator);
    return db.inTransaction(
        h -> {
          // One snapshot for every figure (repeatable read), so that they add up.
          h.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
          // The balance from the ledger's row in this same snapshot (Ledger.balance would read
          // it on a connection of its own, outside the snapshot).
          long[] balance =
              h.createQuery(
                      "SELECT credits_posted - debits_posted - debits_pending, debits_pending"
                          + " FROM odim_ledger.accounts WHERE id = :a")
                  .bind("a", account)
                  .map((rs, c) -> new long[] {rs.getLong(1), rs.getLong(2)})
                  .findOne()
                  .orElse(new long[] {0, 0});
          long available = balance[0];
          long heldTotal = balance[1];
          Map<String, Object> sums =
              h.createQuery(
                      """
                      SELECT
                        (SELECT coalesce(sum(amount_minor), 0) FROM odim_payments.payouts
                          WHERE creator_account = :a AND status IN ('requested', 'sent'))
                          AS payouts_held,
                        (SELECT coalesce(sum(amount_minor), 0) FROM odim_payments.payouts
                          WHERE creator_account = :a AND status = 'paid') AS paid_out,
                        (SELECT coalesce(sum(amount_minor - fee_minor), 0)
                           FROM odim_payments.payment_intents
                          WHERE creator_account = :a
                            AND status IN ('succeeded', 'partially_refunded', 'refunded',
                                           'disputed')) AS earned,
                        (SELECT coalesce(sum(r.creator_part_minor)
                                  FILTER (WHERE r.status IN ('requested', 'sending', 'sent',
                                                             'unknown')), 0)
                           FROM odim_payments.refunds r
                           JOIN odim_payments.payment_intents p ON p.reference = r.payment_reference
                          WHERE p.creator_account = :a) AS refunds_held,
                        (SELECT coalesce(sum(r.creator_part_minor)
                                  FILTER (WHERE r.status = 'processed'), 0)
                           FROM odim_payments.refunds r
                           JOIN odim_payments.payment_intents p ON p.reference = r.payment_reference
                          WHERE p.creator_account = :a) AS refunded,
                        (SELECT coalesce(sum(d.held_minor) FILTER (WHERE d.status = 'open'), 0)
                           FROM odim_payments.disputes d
                           JOIN odim_payments.payment_intents p ON p.reference = d.payment_reference
                          WHERE p.creator_account = :a) AS disputes_held,
                        (SELECT coalesce(sum(d.held_minor) FILTER (WHERE d.status = 'lost'), 0)
                           FROM odim_payments.disputes d
                           JOIN odim_payments.payment_intents p ON p.reference = d.payment_reference
                          WHERE p.creator_account = :a) AS disputes_lost
                      """)
                  .bind("a", account)
                  .mapToMap()
                  .one();
          List<RecentPayment> recentPayments =
              h.createQuery(
                      "SELECT * FROM odim_payments.payment_intents WHERE creator_account = :a"
                          + " ORDER BY created_at DESC, reference DESC LIMIT :n")
                  .bind("a", account)
                  .bind("n", RECENT)
                  .map((rs, c) -> recentPayment(rs))
                  .list();
          List<PayoutView> recentPayouts = payouts(h, account, null, RECENT);
          return new Dashboard(
              CURRENCY,
              available,
              new Held(
                  number(sums, "payouts_held"),
                  number(sums, "refunds_held"),
                  number(sums, "disputes_held"),
                  heldTotal),
              number(sums, "earned"),
              number(sums, "refunded"),
              number(sums, "paid_out"),
              number(sums, "disputes_lost"),
              recentPayments,
              recentPayouts);
        });
  }

  private static long number(Map<String, Object> row, String column) {
    return ((Number) row.get(column)).longValue();
  }

  private static RecentPayment recentPayment(ResultSet rs) throws SQLException {
    long amount = rs.getLong("amount_minor");
    java.sql.Timestamp settled = rs.getTimestamp("settled_at");
    return new RecentPayment(
        rs.getString("reference"),
        rs.getString("status"),
        amount,
        amount - rs.getLong("fee_minor"),
        rs.getString("purpose"),
        rs.getTimestamp("created_at").toInstant(),
        settled == null ? null : settled.toInstant());
  }
}
