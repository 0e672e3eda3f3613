package dev.odim.server.internal.payment;

import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.SqlErrors;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Role;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/** Creators' subscription tiers: {@code GET|POST /api/creators/me/tiers}. */
public final class Tiers {
  private final Db db;
  private final Clock clock;
  private final CreatorAccounts accounts;

  public Tiers(Db db, Clock clock, CreatorAccounts accounts) {
    this.db = db;
    this.clock = clock;
    this.accounts = accounts;
  }

  /** {@code POST /api/creators/me/tiers}: a monthly price in kobo, NGN 1 to NGN 1,000,000. */
  public record NewTier(
      @NotBlank @Size(max = 80) @Pattern(regexp = "^[^\\p{Cntrl}]*$") String name,
      @NotNull @Min(100) @Max(100_000_000) Long amount) {}

  /** A tier as anyone may see it. */
  public record Tier(UUID id, UUID creatorId, String name, long amount, String currency) {
    Money price() {
      return Money.of(amount, currency);
    }
  }

  /** Declares the routes. */
  public void register(Api api) {
    api.get("/api/creators/me/tiers")
        .summary("The signed-in creator's tiers")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .handle(call -> call.ctx().json(Map.of("tiers", of(call.principal().userId()))));
    api.post("/api/creators/me/tiers")
        .summary("Add a tier with a monthly price in kobo")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .body(NewTier.class)
        .responds(201, Tier.class)
        .handle(this::create);
  }

  /** The tier with this id. */
  public Optional<Tier> find(UUID id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM odim_server.tiers WHERE id = :id")
                .bind("id", id)
                .map((rs, c) -> tier(rs))
                .findOne());
  }

  private List<Tier> of(UUID creatorId) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT * FROM odim_server.tiers WHERE creator_id = :c ORDER BY amount_minor")
                .bind("c", creatorId)
                .map((rs, c) -> tier(rs))
                .list());
  }

  private void create(Call call) {
    NewTier tier = call.body(NewTier.class);
    UUID creatorId = call.principal().userId();
    UUID id = UUID.randomUUID();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    try {
      db.useTransaction(
          h -> {
            // The balance the tier's payments will be credited to exists before any is sold.
            accounts.ensure(h, creatorId);
            h.createUpdate(
                    "INSERT INTO odim_server.tiers (id, creator_id, name, amount_minor, currency,"
                        + " created_at) VALUES (:id, :creator, :name, :amount, 'NGN', :now)")
                .bind("id", id)
                .bind("creator", creatorId)
                .bind("name", tier.name().strip())
                .bind("amount", tier.amount())
                .bind("now", now)
                .execute();
          });
    } catch (UnableToExecuteStatementException e) {
      // The only unique key a new tier can break is (creator_id, name): its id is fresh.
      if (SqlErrors.isUniqueViolation(e)) {
        throw ProblemCode.TIER_EXISTS.exception("You have a tier with this name already.");
      }
      throw e;
    }
    call.ctx().status(201).json(new Tier(id, creatorId, tier.name().strip(), tier.amount(), "NGN"));
  }

  private static Tier tier(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Tier(
        rs.getObject("id", UUID.class),
        rs.getObject("creator_id", UUID.class),
        rs.getString("name"),
        rs.getLong("amount_minor"),
        rs.getString("currency").strip());
  }
}
