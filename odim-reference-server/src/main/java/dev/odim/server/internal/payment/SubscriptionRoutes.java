package dev.odim.server.internal.payment;

import dev.odim.core.db.Db;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Role;
import io.javalin.http.Context;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /api/subscriptions} (the fan's own) and {@code DELETE /api/subscriptions/{id}} (stop
 * renewing at the end of the period). A listing shows the card as brand and last four digits; the
 * authorization that can charge it never leaves the database, where it is encrypted.
 */
public final class SubscriptionRoutes {
  private final Db db;
  private final Subscriptions subscriptions;

  public SubscriptionRoutes(Db db, Subscriptions subscriptions) {
    this.db = db;
    this.subscriptions = subscriptions;
  }

  /**
   * A subscription as its fan sees it.
   *
   * @param status {@code pending} (not paid yet), {@code abandoned} (its checkout never started),
   *     {@code active}, {@code past_due} (a renewal was not paid) or {@code ended}
   * @param currentPeriodEnd when the paid period ends, null while pending
   * @param renews false once cancelled: it ends with the current period
   * @param cardBrand the saved card's brand, e.g. {@code visa}, null when none is saved
   * @param cardLast4 the saved card's last four digits, null when none is saved
   */
  public record SubscriptionView(
      UUID id,
      UUID tierId,
      String tierName,
      long amount,
      String currency,
      String status,
      @Nullable Instant currentPeriodEnd,
      boolean renews,
      @Nullable String cardBrand,
      @Nullable String cardLast4) {}

  /** The fan's subscriptions, newest first. */
  public record SubscriptionList(List<SubscriptionView> subscriptions) {}

  /** Declares the routes. */
  public void register(Api api) {
    api.get("/api/subscriptions")
        .summary("The signed-in fan's subscriptions, newest first")
        .tag("payments")
        .access(Access.role(Role.FAN))
        .responds(200, SubscriptionList.class)
        .handle(call -> call.ctx().json(new SubscriptionList(of(call.principal().userId()))));
    api.delete("/api/subscriptions/{id}")
        .summary("Cancel: no more renewals; the subscription ends with its paid period")
        .tag("payments")
        .access(Access.owner(ctx -> id(ctx).map(this::ownerOf).orElse(null)))
        .responds(200, SubscriptionView.class)
        .handle(this::cancel);
  }

  private void cancel(Call call) {
    UUID id =
        id(call.ctx())
            .orElseThrow(() -> ProblemCode.NOT_FOUND.exception("No subscription has this id."));
    SubscriptionView view =
        db.inTransaction(
            h -> {
              if (subscriptions.lock(h, id).isEmpty()) {
                throw ProblemCode.NOT_FOUND.exception("No subscription has this id.");
              }
              subscriptions.cancel(h, id, "user:" + call.principal().userId());
              return h.createQuery(SELECT + " WHERE s.id = :id")
                  .bind("id", id)
                  .map((rs, c) -> view(rs))
                  .one();
            });
    call.ctx().json(view);
  }

  private List<SubscriptionView> of(UUID fanId) {
    return db.withHandle(
        h ->
            h.createQuery(SELECT + " WHERE s.fan_id = :fan ORDER BY s.created_at DESC, s.id")
                .bind("fan", fanId)
                .map((rs, c) -> view(rs))
                .list());
  }

  private @Nullable UUID ownerOf(UUID id) {
    return db.withHandle(h -> subscriptions.ownerOf(h, id));
  }

  private static final String SELECT =
      "SELECT s.*, t.name AS tier_name, t.amount_minor, t.currency"
          + " FROM odim_server.subscriptions s JOIN odim_server.tiers t ON t.id = s.tier_id";

  private SubscriptionView view(ResultSet rs) throws SQLException {
    Subscriptions.Subscription s = Subscriptions.subscription(rs);
    return new SubscriptionView(
        s.id(),
        s.tierId(),
        rs.getString("tier_name"),
        rs.getLong("amount_minor"),
        rs.getString("currency").strip(),
        s.status(),
        s.currentPeriodEnd(),
        s.renews(),
        s.hasCard() ? s.cardBrand() : null,
        subscriptions.cardLast4(rs));
  }

  /** The path's id; empty when it is no UUID (which no subscription has). */
  private static Optional<UUID> id(Context ctx) {
    try {
      return Optional.of(UUID.fromString(ctx.pathParam("id")));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
