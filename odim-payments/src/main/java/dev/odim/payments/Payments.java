package dev.odim.payments;

import dev.odim.core.Money;
import dev.odim.core.OdimConfigException;
import dev.odim.core.OdimException;
import dev.odim.core.db.Db;
import dev.odim.core.db.GroupCommit;
import dev.odim.ledger.Account;
import dev.odim.ledger.AccountFlags;
import dev.odim.ledger.AccountResult;
import dev.odim.ledger.JournalEntry;
import dev.odim.ledger.JournalResult;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.TransferCode;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jspecify.annotations.Nullable;

/**
 * Payment intents and their settlement into the ledger.
 *
 * <pre>{@code
 * Payments payments = Payments.builder(db, ledger)
 *     .fees(FeePolicy.basisPoints(1000))               // the platform keeps 10%
 *     .fulfilment((handle, intent) -> subscriptions.activate(handle, intent.purposeId()))
 *     .build();
 *
 * payments.create(new NewPayment("sub-8QpZ2x", fanId, creatorAccount, Money.of(500_000, "NGN"),
 *     "subscription", subscriptionId));
 * // ... the fan pays at Paystack; the webhook, the fan's return and reconciliation all call:
 * Settlement s = payments.settle(facts, SettlementSource.WEBHOOK);   // settles exactly once
 * }</pre>
 *
 * <p>A settlement is one transaction: the intent row is locked, checked against the provider's
 * amount and currency, marked succeeded with the transition recorded, the ledger entry posted (the
 * provider clearing account debited with the amount, the creator credited with their share and the
 * platform's fee account with the fee), and the host's {@link Fulfilment} run with the same handle.
 * Concurrent settlements of one reference queue on the row lock; the first settles, the others
 * answer {@link Settlement.AlreadySettled}. The ledger entry's id derives from the reference, so
 * even a settlement replayed against an older snapshot could not post twice.
 *
 * <p>The settlements without a {@link Handle} share transactions (group commit): every settlement
 * debits the currency's one clearing account and credits its one fee account, whose row locks are
 * held to the commit, so settled one per transaction they run one at a time however many threads
 * call (about 85 a second on the benchmark machine, docs/benchmarks.md "payments"). A batch locks,
 * moves and records its intents with one statement each; when a fulfilment or callback throws, the
 * batch rolls back and each of its requests runs again alone, so only its own caller gets the
 * exception; the batch's ledger entries are posted last, so the hot accounts stay locked only for
 * the postings and the commit. Thread-safe; {@link #close()} stops the batch writer.
 */
public final class Payments implements AutoCloseable {
  /** The ledger's account code of the provider clearing accounts. */
  public static final int CLEARING_ACCOUNT_CODE = 100;

  /** The ledger's account code of the platform fee accounts. */
  public static final int FEE_ACCOUNT_CODE = 200;

  /** The ledger's transfer code of settlements. */
  public static final int SETTLEMENT_TRANSFER_CODE = 1;

  private final Db db;
  private final Ledger ledger;
  private final String schema;
  private final Clock clock;
  private final FeePolicy fees;
  private final Fulfilment fulfilment;
  private final UUID namespace;
  private final List<Currency> currencies;
  private final int settleWriters;
  private final int settleBatchSize;

  /** Started by the first handle-less settlement: most hosts of Payments never make one. */
  private @Nullable GroupCommit<SettleRequest, Settlement> settlements;

  private boolean closed;

  Payments(PaymentsBuilder builder) {
    this.db = builder.db;
    this.ledger = builder.ledger;
    this.schema = builder.schema;
    this.clock = builder.clock;
    this.fees = builder.fees;
    this.fulfilment = builder.fulfilment;
    this.namespace =
        UUID.nameUUIDFromBytes(("odim-payments:" + schema).getBytes(StandardCharsets.UTF_8));
    this.currencies = builder.currencies;
    this.settleWriters = builder.settleWriters;
    this.settleBatchSize = builder.settleBatchSize;
  }

  /** Starts configuring payments on {@code db}, settling into {@code ledger}. */
  public static PaymentsBuilder builder(Db db, Ledger ledger) {
    return new PaymentsBuilder(db, ledger);
  }

  /** The ledger account that money arriving from the provider in {@code currency} is drawn from. */
  public UUID clearingAccount(Currency currency) {
    return derived("clearing:" + currency.getCurrencyCode());
  }

  /** The ledger account that collects the platform's fees in {@code currency}. */
  public UUID feeAccount(Currency currency) {
    return derived("fees:" + currency.getCurrencyCode());
  }

  /** Creates an intent (idempotent on the reference) in its own transaction. */
  public Creation create(NewPayment payment) {
    return db.inTransaction(h -> create(h, payment));
  }

  /** Creates an intent inside the caller's transaction. */
  public Creation create(Handle handle, NewPayment payment) {
    Money fee = fees.feeFor(payment);
    if (!fee.currency().equals(payment.amount().currency())
        || fee.isNegative()
        || fee.isGreaterThan(payment.amount())) {
      throw new IllegalArgumentException("the fee policy gave " + fee + " for " + payment.amount());
    }
    Instant now = now();
    int inserted =
        handle
            .createUpdate(
                "INSERT INTO "
                    + table("payment_intents")
                    + " (reference, payer, creator_account, amount_minor, fee_minor, currency,"
                    + " purpose, purpose_id, status, created_at, updated_at)"
                    + " VALUES (:reference, :payer, :creator, :amount, :fee, :currency, :purpose,"
                    + " :purposeId, 'created', :now, :now) ON CONFLICT (reference) DO NOTHING")
            .bind("reference", payment.reference())
            .bind("payer", payment.payer())
            .bind("creator", payment.creatorAccount())
            .bind("amount", payment.amount().minor())
            .bind("fee", fee.minor())
            .bind("currency", payment.amount().currency().getCurrencyCode())
            .bind("purpose", payment.purpose())
            .bind("purposeId", payment.purposeId())
            .bind("now", now)
            .execute();
    PaymentIntent intent = lock(handle, payment.reference()).orElseThrow();
    if (inserted == 1) {
      transition(
          handle, payment.reference(), null, PaymentStatus.CREATED, SettlementSource.API, "");
      return new Creation.Created(intent);
    }
    boolean same =
        intent.payer().equals(payment.payer())
            && intent.creatorAccount().equals(payment.creatorAccount())
            && intent.amount().equals(payment.amount())
            && intent.purpose().equals(payment.purpose())
            && intent.purposeId().equals(payment.purposeId());
    return same ? new Creation.Exists(intent) : new Creation.ExistsWithDifferentFields(intent);
  }

  /** Marks a created intent pending (the payer was sent to the provider); false if it was not. */
  public boolean markPending(Handle handle, String reference) {
    Optional<PaymentIntent> intent = lock(handle, reference);
    if (intent.isEmpty() || intent.get().status() != PaymentStatus.CREATED) {
      return false;
    }
    move(handle, intent.get(), PaymentStatus.PENDING, null, SettlementSource.API, "");
    return true;
  }

  /** The intent with this reference. */
  public Optional<PaymentIntent> find(String reference) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM " + table("payment_intents") + " WHERE reference = :r")
                .bind("r", reference)
                .map((rs, c) -> intent(rs))
                .findOne());
  }

  /** Every status change of an intent, oldest first. */
  public List<Transition> transitions(String reference) {
    return db.withHandle(
        h ->
            h.createQuery(
                    "SELECT from_status, to_status, source, detail, at FROM "
                        + table("payment_transitions")
                        + " WHERE reference = :r ORDER BY id")
                .bind("r", reference)
                .map(
                    (rs, c) ->
                        new Transition(
                            rs.getString("from_status") == null
                                ? null
                                : PaymentStatus.fromWireName(rs.getString("from_status")),
                            PaymentStatus.fromWireName(rs.getString("to_status")),
                            rs.getString("source"),
                            rs.getString("detail"),
                            rs.getTimestamp("at").toInstant()))
                .list());
  }

  /**
   * One status change.
   *
   * @param from the status before, null for the creation
   * @param to the status after
   * @param source the path that made it ({@link SettlementSource#wireName()})
   * @param detail a short note
   * @param at when
   */
  public record Transition(
      @Nullable PaymentStatus from, PaymentStatus to, String source, String detail, Instant at) {}

  /**
   * Settles in a batch transaction shared with concurrent settlements (see the class comment), and
   * returns after it committed. See {@link #settle(Handle, ProviderFacts, SettlementSource)}.
   *
   * @throws PaymentsException when the ledger refuses the posting (nothing of this settlement was
   *     written)
   */
  public Settlement settle(ProviderFacts facts, SettlementSource source) {
    return settle(facts, source, AfterSettlement.NONE);
  }

  /**
   * Settles like {@link #settle(ProviderFacts, SettlementSource)} and runs {@code after} in the
   * same savepoint, so the caller's writes commit with the settlement or not at all.
   *
   * @throws PaymentsException when the ledger refuses the posting
   * @throws RuntimeException what the fulfilment or {@code after} threw; nothing of this settlement
   *     was written
   */
  public Settlement settle(ProviderFacts facts, SettlementSource source, AfterSettlement after) {
    return settlements().call(new SettleRequest(facts, source, after));
  }

  /**
   * Applies the provider's word about a payment, inside the caller's transaction. The ledger entry
   * is posted last, after the fulfilment, so the platform's hot accounts stay locked from the
   * posting to the caller's commit only.
   *
   * @throws PaymentsException when the ledger refuses the posting because of the setup (unknown
   *     creator account, currency mismatch); the caller's transaction must roll back
   */
  public Settlement settle(Handle handle, ProviderFacts facts, SettlementSource source) {
    Settlement settlement = settleUnposted(handle, facts, source);
    if (settlement instanceof Settlement.Settled settled) {
      post(handle, settled.intent());
    }
    return settlement;
  }

  /** Everything of a settlement but its ledger entry, which the caller posts. */
  private Settlement settleUnposted(Handle handle, ProviderFacts facts, SettlementSource source) {
    Optional<PaymentIntent> locked = lock(handle, facts.reference());
    if (locked.isEmpty()) {
      return new Settlement.UnknownReference(facts.reference());
    }
    PaymentIntent intent = locked.get();
    PaymentStatus to = moveFor(intent, facts);
    PaymentIntent now =
        to == null ? intent : move(handle, intent, to, facts.providerId(), source, "");
    return conclude(handle, intent, now, facts, source);
  }

  /** The status the provider's word moves an intent to, or null when it moves nothing. */
  private static @Nullable PaymentStatus moveFor(PaymentIntent intent, ProviderFacts facts) {
    if (facts.outcome() != ProviderFacts.Outcome.SUCCESS) {
      boolean open =
          intent.status() == PaymentStatus.CREATED || intent.status() == PaymentStatus.PENDING;
      if (!open) {
        return null;
      }
      return facts.outcome() == ProviderFacts.Outcome.FAILED
          ? PaymentStatus.FAILED
          : PaymentStatus.ABANDONED;
    }
    if (intent.status().settled() || !facts.amount().equals(intent.amount())) {
      return null;
    }
    return PaymentStatus.SUCCEEDED;
  }

  /**
   * The answer once the move (if any) is made, with its side effects: a mismatch is recorded, a
   * settled intent fulfilled.
   *
   * @param before the intent as locked
   * @param after the intent after the move; {@code before} when nothing moved
   */
  private Settlement conclude(
      Handle handle,
      PaymentIntent before,
      PaymentIntent after,
      ProviderFacts facts,
      SettlementSource source) {
    if (facts.outcome() != ProviderFacts.Outcome.SUCCESS) {
      return after.status().settled()
          ? new Settlement.AlreadySettled(after)
          : new Settlement.NotPaid(after);
    }
    if (before.status().settled()) {
      return new Settlement.AlreadySettled(after);
    }
    if (after == before) {
      // A success that moved nothing: its amount or currency is not the intent's.
      recordDiscrepancy(handle, before, facts, source);
      return new Settlement.Mismatch(before, before.amount(), facts.amount());
    }
    fulfilment.fulfil(handle, after);
    return new Settlement.Settled(after);
  }

  private record SettleRequest(
      ProviderFacts facts, SettlementSource source, AfterSettlement after) {}

  /**
   * One batch of handle-less settlements, written set by set: the batch's intents are locked with
   * one statement, moved with one and their transitions recorded with one, whatever the batch's
   * size (one statement each per settlement cost about 0.85 ms of the one writer's time, the limit
   * of the settlement rate). Fulfilments and callbacks then run per settlement, and the ledger
   * entries are posted last, so the hot accounts stay locked only for the postings and the commit.
   *
   * <p>Anything thrown (a callback's failure, a ledger refusal, which is a setup error) rolls the
   * batch back; the group commit then runs each request alone, so the failure reaches only its own
   * caller.
   */
  private List<Settlement> settleBatch(Handle handle, List<SettleRequest> requests) {
    Settlement[] answers = new Settlement[requests.size()];
    for (List<Integer> round : rounds(requests)) {
      settleRound(handle, requests, round, answers);
    }
    List<Settlement> settlements = Arrays.asList(answers);
    List<PaymentIntent> toPost = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      requests.get(i).after().run(handle, settlements.get(i));
      if (settlements.get(i) instanceof Settlement.Settled settled) {
        toPost.add(settled.intent());
      }
    }
    // One call for all: each account is locked once and each ledger table written with one
    // statement, whatever the batch's size.
    List<JournalEntry> entries = new ArrayList<>(toPost.size());
    for (PaymentIntent intent : toPost) {
      entries.add(settlementEntry(intent));
    }
    List<JournalResult> posted = entries.isEmpty() ? List.of() : ledger.post(handle, entries);
    for (int i = 0; i < posted.size(); i++) {
      requirePosted(toPost.get(i), posted.get(i));
    }
    return settlements;
  }

  /**
   * The batch's request indexes in rounds in which each reference occurs once: a reference told
   * twice in one batch (its webhook and the payer's return) is settled by the first round and
   * answered {@link Settlement.AlreadySettled} by the next, and every move of an intent raises its
   * version by exactly one, as its trigger demands.
   */
  private static List<List<Integer>> rounds(List<SettleRequest> requests) {
    List<List<Integer>> rounds = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      int round = seen.merge(requests.get(i).facts().reference(), 1, Integer::sum) - 1;
      if (round == rounds.size()) {
        rounds.add(new ArrayList<>());
      }
      rounds.get(round).add(i);
    }
    return rounds;
  }

  private void settleRound(
      Handle handle, List<SettleRequest> requests, List<Integer> round, Settlement[] answers) {
    List<String> references = new ArrayList<>(round.size());
    for (int i : round) {
      references.add(requests.get(i).facts().reference());
    }
    Map<String, PaymentIntent> locked = lockAll(handle, references);
    List<Move> moves = new ArrayList<>();
    for (int i : round) {
      ProviderFacts facts = requests.get(i).facts();
      PaymentIntent intent = locked.get(facts.reference());
      PaymentStatus to = intent == null ? null : moveFor(intent, facts);
      if (intent != null && to != null) {
        moves.add(new Move(intent, to, facts.providerId(), requests.get(i).source()));
      }
    }
    Map<String, PaymentIntent> moved = moveAll(handle, moves);
    for (int i : round) {
      ProviderFacts facts = requests.get(i).facts();
      PaymentIntent before = locked.get(facts.reference());
      answers[i] =
          before == null
              ? new Settlement.UnknownReference(facts.reference())
              : conclude(
                  handle,
                  before,
                  moved.getOrDefault(facts.reference(), before),
                  facts,
                  requests.get(i).source());
    }
  }

  /** One intent's move in a batch. */
  private record Move(
      PaymentIntent intent,
      PaymentStatus to,
      @Nullable String providerId,
      SettlementSource source) {}

  /** Locks the intents of {@code references} in ascending order, so batches cannot deadlock. */
  private Map<String, PaymentIntent> lockAll(Handle handle, List<String> references) {
    Map<String, PaymentIntent> locked = new HashMap<>();
    handle
        .createQuery(
            "SELECT * FROM "
                + table("payment_intents")
                + " WHERE reference = ANY(:refs) ORDER BY reference FOR UPDATE")
        .bindArray("refs", String.class, references)
        .map((rs, c) -> intent(rs))
        .forEach(intent -> locked.put(intent.reference(), intent));
    return locked;
  }

  /** {@link #move} for many intents: one UPDATE and one INSERT of their transitions. */
  private Map<String, PaymentIntent> moveAll(Handle handle, List<Move> moves) {
    Map<String, PaymentIntent> moved = new HashMap<>();
    if (moves.isEmpty()) {
      return moved;
    }
    int n = moves.size();
    String[] references = new String[n];
    String[] from = new String[n];
    String[] to = new String[n];
    String[] providers = new String[n];
    String[] sources = new String[n];
    for (int i = 0; i < n; i++) {
      Move move = moves.get(i);
      references[i] = move.intent().reference();
      from[i] = move.intent().status().wireName();
      to[i] = move.to().wireName();
      providers[i] = move.providerId();
      sources[i] = move.source().wireName();
    }
    Instant now = now();
    handle
        .createQuery(
            "UPDATE "
                + table("payment_intents")
                + " p SET status = m.to_status, version = p.version + 1, updated_at = :now,"
                + " provider_id = coalesce(m.provider, p.provider_id),"
                + " settled_at = CASE WHEN m.to_status = 'succeeded'"
                + " THEN coalesce(p.settled_at, :now) END"
                + " FROM unnest(:refs, :tos, :providers) AS m(reference, to_status, provider)"
                + " WHERE p.reference = m.reference RETURNING p.*")
        .bind("now", now)
        .bindArray("refs", String.class, (Object[]) references)
        .bindArray("tos", String.class, (Object[]) to)
        .bindArray("providers", String.class, (Object[]) providers)
        .map((rs, c) -> intent(rs))
        .forEach(intent -> moved.put(intent.reference(), intent));
    handle
        .createUpdate(
            "INSERT INTO "
                + table("payment_transitions")
                + " (reference, from_status, to_status, source, detail, at)"
                + " SELECT reference, from_status, to_status, source, '', :at"
                + " FROM unnest(:refs, :froms, :tos, :sources)"
                + " AS t(reference, from_status, to_status, source)")
        .bind("at", now)
        .bindArray("refs", String.class, (Object[]) references)
        .bindArray("froms", String.class, (Object[]) from)
        .bindArray("tos", String.class, (Object[]) to)
        .bindArray("sources", String.class, (Object[]) sources)
        .execute();
    return moved;
  }

  private synchronized GroupCommit<SettleRequest, Settlement> settlements() {
    if (closed) {
      throw new OdimException("payments are closed");
    }
    if (settlements == null) {
      settlements =
          GroupCommit.<SettleRequest, Settlement>builder(db, this::settleBatch)
              .writers(settleWriters)
              .maxBatchSize(settleBatchSize)
              .name("odim-payments-settle-" + schema)
              .build();
    }
    return settlements;
  }

  /** Lets queued settlements commit, then stops the batch writers; later ones fail at once. */
  @Override
  public void close() {
    GroupCommit<SettleRequest, Settlement> running;
    synchronized (this) {
      closed = true;
      running = settlements;
    }
    if (running != null) {
      running.close();
    }
  }

  private void post(Handle handle, PaymentIntent intent) {
    requirePosted(intent, ledger.post(handle, settlementEntry(intent)));
  }

  private JournalEntry settlementEntry(PaymentIntent intent) {
    Currency currency = intent.amount().currency();
    List<JournalEntry.Leg> legs = new ArrayList<>();
    legs.add(JournalEntry.Leg.debit(clearingAccount(currency), intent.amount()));
    legs.add(JournalEntry.Leg.credit(intent.creatorAccount(), intent.creatorShare()));
    if (intent.fee().isPositive()) {
      legs.add(JournalEntry.Leg.credit(feeAccount(currency), intent.fee()));
    }
    return new JournalEntry(
        settlementEntryId(intent.reference()),
        SETTLEMENT_TRANSFER_CODE,
        legs,
        "{\"reference\":\"" + intent.reference() + "\"}");
  }

  /** A refused settlement entry is a setup error: the settlement's transaction must roll back. */
  private static void requirePosted(PaymentIntent intent, JournalResult result) {
    if (!result.ok() && result.code() != TransferCode.EXISTS) {
      throw new PaymentsException(
          intent.reference(),
          "the ledger refused the settlement entry: "
              + (result.rejectedBecause() != null ? result.rejectedBecause() : result.code()));
    }
  }

  private void recordDiscrepancy(
      Handle handle, PaymentIntent intent, ProviderFacts facts, SettlementSource source) {
    String kind =
        facts.amount().currency().equals(intent.amount().currency())
            ? "amount_mismatch"
            : "currency_mismatch";
    handle
        .createUpdate(
            "INSERT INTO "
                + table("discrepancies")
                + " (id, subject, reference, kind, expected, reported, local_evidence,"
                + " provider_evidence, suggested_action, source, created_at, updated_at)"
                + " VALUES (:id, 'payment', :reference, :kind, :expected, :reported,"
                + " jsonb_build_object('status', :status, 'amountMinor', :expectedMinor,"
                + " 'currency', :expectedCurrency),"
                + " jsonb_build_object('status', 'success', 'amountMinor', :reportedMinor,"
                + " 'currency', :reportedCurrency, 'providerId', :providerId),"
                + " 'investigate', :source, :now, :now)"
                + " ON CONFLICT ON CONSTRAINT discrepancies_once_per_finding DO NOTHING")
        .bind("id", UUID.randomUUID())
        .bind("reference", intent.reference())
        .bind("kind", kind)
        .bind("expected", intent.amount().toString())
        .bind("reported", facts.amount().toString())
        .bind("status", intent.status().wireName())
        .bind("expectedMinor", intent.amount().minor())
        .bind("expectedCurrency", intent.amount().currency().getCurrencyCode())
        .bind("reportedMinor", facts.amount().minor())
        .bind("reportedCurrency", facts.amount().currency().getCurrencyCode())
        .bind("providerId", facts.providerId())
        .bind("source", source.wireName())
        .bind("now", now())
        .execute();
  }

  PaymentIntent move(
      Handle handle,
      PaymentIntent intent,
      PaymentStatus to,
      @Nullable String providerId,
      SettlementSource source,
      String detail) {
    Instant now = now();
    PaymentIntent moved =
        handle
            .createQuery(
                "UPDATE "
                    + table("payment_intents")
                    + " SET status = :to, version = version + 1, updated_at = :now,"
                    + " provider_id = coalesce(:provider, provider_id),"
                    + " settled_at = CASE WHEN :settled THEN coalesce(settled_at, :now) END"
                    + " WHERE reference = :r RETURNING *")
            .bind("to", to.wireName())
            .bind("now", now)
            .bind("provider", providerId)
            .bind("settled", to.settled())
            .bind("r", intent.reference())
            .map((rs, c) -> intent(rs))
            .one();
    transition(handle, intent.reference(), intent.status(), to, source, detail);
    return moved;
  }

  private void transition(
      Handle handle,
      String reference,
      @Nullable PaymentStatus from,
      PaymentStatus to,
      SettlementSource source,
      String detail) {
    handle
        .createUpdate(
            "INSERT INTO "
                + table("payment_transitions")
                + " (reference, from_status, to_status, source, detail, at)"
                + " VALUES (:r, :from, :to, :source, :detail, :at)")
        .bind("r", reference)
        .bind("from", from == null ? null : from.wireName())
        .bind("to", to.wireName())
        .bind("source", source.wireName())
        .bind("detail", detail)
        .bind("at", now())
        .execute();
  }

  Optional<PaymentIntent> lock(Handle handle, String reference) {
    return handle
        .createQuery(
            "SELECT * FROM " + table("payment_intents") + " WHERE reference = :r FOR UPDATE")
        .bind("r", reference)
        .map((rs, c) -> intent(rs))
        .findOne();
  }

  /** Creates the clearing and fee accounts of {@code currencies} in the ledger (idempotent). */
  void createPlatformAccounts(List<Currency> currencies) {
    createPlatformAccounts(
        currencies, this::clearingAccount, CLEARING_ACCOUNT_CODE, "provider clearing");
    createPlatformAccounts(currencies, this::feeAccount, FEE_ACCOUNT_CODE, "platform fees");
  }

  /**
   * Creates one platform account per currency (idempotent): the accounts payouts, refunds and
   * disputes move held money through.
   *
   * @param id the account's id in a currency
   * @param code its ledger account code
   * @param role what it is for, kept in its metadata
   * @throws OdimConfigException when the ledger refuses one (another account under the id)
   */
  void createPlatformAccounts(
      List<Currency> currencies, Function<Currency, UUID> id, int code, String role) {
    List<Account> accounts = new ArrayList<>();
    for (Currency currency : currencies) {
      accounts.add(
          new Account(
              id.apply(currency),
              currency,
              code,
              AccountFlags.NONE,
              "{\"role\":\"" + role + "\"}"));
    }
    for (AccountResult result : ledger.createAccounts(accounts)) {
      if (!result.ok()) {
        throw new OdimConfigException(
            "currencies", "the ledger refused the " + role + " account: " + result);
      }
    }
  }

  static PaymentIntent intent(ResultSet rs) throws SQLException {
    Currency currency = Currency.getInstance(rs.getString("currency").strip());
    Timestamp settled = rs.getTimestamp("settled_at");
    return new PaymentIntent(
        rs.getString("reference"),
        rs.getString("payer"),
        rs.getObject("creator_account", UUID.class),
        Money.of(rs.getLong("amount_minor"), currency),
        Money.of(rs.getLong("fee_minor"), currency),
        rs.getString("purpose"),
        rs.getString("purpose_id"),
        PaymentStatus.fromWireName(rs.getString("status")),
        rs.getString("provider_id"),
        rs.getInt("version"),
        rs.getTimestamp("created_at").toInstant(),
        settled == null ? null : settled.toInstant());
  }

  // For Payouts, Refunds, Disputes and reconciliation, which share the schema, the clock and the
  // derived ids.

  /** The database the payment tables live in. */
  public Db db() {
    return db;
  }

  /** The ledger payments settle into. */
  public Ledger ledger() {
    return ledger;
  }

  /** The clock every payment time is read from. */
  public Clock clock() {
    return clock;
  }

  /** The PostgreSQL schema of the payment tables. */
  public String schema() {
    return schema;
  }

  List<Currency> currencies() {
    return currencies;
  }

  /** The ids of the settlement entry's ledger transfers, see {@link #post}. */
  UUID settlementEntryId(String reference) {
    return derived("settlement:" + reference);
  }

  UUID derived(String name) {
    return UUID.nameUUIDFromBytes((namespace + ":" + name).getBytes(StandardCharsets.UTF_8));
  }

  String table(String name) {
    return schema + "." + name;
  }

  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
