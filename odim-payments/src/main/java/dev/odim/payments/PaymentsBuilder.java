package dev.odim.payments;

import dev.odim.core.OdimConfigException;
import dev.odim.core.db.Db;
import dev.odim.ledger.Ledger;
import java.time.Clock;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** Configures {@link Payments}; {@link #build()} validates, migrates and creates the accounts. */
public final class PaymentsBuilder {
  private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  final Db db;
  final Ledger ledger;
  String schema = "odim_payments";
  Clock clock = Clock.systemUTC();
  FeePolicy fees = FeePolicy.basisPoints(0);
  Fulfilment fulfilment = Fulfilment.NONE;
  List<Currency> currencies = List.of(Currency.getInstance("NGN"));
  boolean migrate = true;
  int settleWriters = 1;
  int settleBatchSize = 250;

  PaymentsBuilder(Db db, Ledger ledger) {
    this.db = Objects.requireNonNull(db, "db");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
  }

  /** The PostgreSQL schema of the payment tables; default {@code odim_payments}. */
  public PaymentsBuilder schema(String schema) {
    this.schema = Objects.requireNonNull(schema, "schema");
    return this;
  }

  public PaymentsBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** The platform's share of each payment; default none. */
  public PaymentsBuilder fees(FeePolicy fees) {
    this.fees = Objects.requireNonNull(fees, "fees");
    return this;
  }

  /** The host's business effect of a settled payment, run in the settlement's transaction. */
  public PaymentsBuilder fulfilment(Fulfilment fulfilment) {
    this.fulfilment = Objects.requireNonNull(fulfilment, "fulfilment");
    return this;
  }

  /**
   * The currencies payments are taken in; a clearing and a fee account are created in the ledger
   * for each. Default NGN (Paystack's home currency).
   */
  public PaymentsBuilder currencies(List<Currency> currencies) {
    this.currencies = List.copyOf(currencies);
    return this;
  }

  /**
   * Batching of the settlements without a {@code Handle} (see {@link Payments}): how many batches
   * may be in flight at once, 1 to 16, and the most settlements in one transaction, 1 to 10,000.
   * Default 1 and 250.
   *
   * <p>One writer is the safe choice: two batches in flight lock the platform's accounts and their
   * creators' accounts in the order of their entries, which can deadlock between them (PostgreSQL
   * then aborts one; its settlements are retried one by one, slowly). A batch of 250 settled in 2-4
   * ms each holds its intents' locks up to a second; smaller batches answer sooner, larger ones pay
   * fewer commits.
   */
  public PaymentsBuilder settlementBatching(int writers, int maxBatchSize) {
    this.settleWriters = writers;
    this.settleBatchSize = maxBatchSize;
    return this;
  }

  /** Whether {@link #build()} applies the migrations (default true). */
  public PaymentsBuilder migrate(boolean migrate) {
    this.migrate = migrate;
    return this;
  }

  /**
   * @throws OdimConfigException naming the first invalid setting
   */
  public Payments build() {
    if (!SCHEMA.matcher(schema).matches()) {
      throw new OdimConfigException(
          "schema", "must be a lowercase SQL identifier, was \"" + schema + "\"");
    }
    if (currencies.isEmpty()) {
      throw new OdimConfigException("currencies", "name at least one currency");
    }
    if (settleWriters < 1 || settleWriters > 16) {
      throw new OdimConfigException(
          "settlementBatching", "writers must be 1 to 16, was " + settleWriters);
    }
    if (settleBatchSize < 1 || settleBatchSize > 10_000) {
      throw new OdimConfigException(
          "settlementBatching", "maxBatchSize must be 1 to 10,000, was " + settleBatchSize);
    }
    if (migrate) {
      db.migrate(schema, "db/migration/odim_payments");
    }
    Payments payments = new Payments(this);
    payments.createPlatformAccounts(currencies);
    return payments;
  }
}
