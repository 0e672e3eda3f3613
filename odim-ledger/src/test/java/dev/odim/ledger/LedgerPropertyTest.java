package dev.odim.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.testkit.EmbeddedPostgres;
import dev.odim.testkit.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;

/**
 * Random sequences of ledger operations, valid and invalid, applied both to the ledger and to a
 * small in-memory model of double-entry bookkeeping: every result must be the one the model
 * predicts, and at the end every balance must equal the model's and {@link Ledger#verify()} must
 * find nothing. Each try gets a schema and a clock of its own, so that {@link
 * Ledger#expirePendingTransfers()} counts only that try's holds.
 */
class LedgerPropertyTest {
  private static final int CODE = 3;
  private static final String RUN = HexFormat.of().formatHex(randomBytes());
  private static final AtomicInteger TRIES = new AtomicInteger();

  private static @Nullable EmbeddedPostgres postgres;
  private static @Nullable Db db;

  /** PostgresExtension is a Jupiter extension, which jqwik does not run: start a server here. */
  @BeforeContainer
  static void startDatabase() {
    String url = System.getenv("ODIM_TEST_POSTGRES_URL");
    if (url == null || url.isBlank()) {
      postgres = EmbeddedPostgres.builder().durable(false).start();
      url = postgres.jdbcUrl("postgres");
    }
    db = Db.builder(url).maximumPoolSize(8).build();
  }

  @AfterContainer
  static void stopDatabase() {
    if (db != null) {
      db.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Property(tries = 50)
  void ledgerAgreesWithAModelOfDoubleEntryBookkeeping(@ForAll("scenarios") Scenario scenario) {
    Db database = java.util.Objects.requireNonNull(db);
    String schema = "p_" + RUN + "_" + TRIES.incrementAndGet();
    SettableClock clock = SettableClock.standard();
    try (Ledger ledger = Ledger.builder(database).schema(schema).clock(clock).build()) {
      Model model = new Model(scenario.accountFlags(), clock);
      assertThat(ledger.createAccounts(model.accounts()))
          .extracting(AccountResult::code)
          .containsOnly(AccountCode.CREATED);

      for (int i = 0; i < scenario.ops().size(); i++) {
        model.run(ledger, i, scenario.ops().get(i));
      }

      assertThat(ledger.verify()).isEmpty();
      for (int a = 0; a < model.ids.size(); a++) {
        Balance balance = ledger.balance(model.ids.get(a)).orElseThrow();
        long[] expected = model.balances[a];
        assertThat(
                new long[] {
                  balance.debitsPending(),
                  balance.debitsPosted(),
                  balance.creditsPending(),
                  balance.creditsPosted()
                })
            .as("account %d (dp, dP, cp, cP)", a)
            .containsExactly(expected);
      }
      long rows =
          database.withHandle(
              h ->
                  h.createQuery("SELECT count(*) FROM " + schema + ".transfers")
                      .mapTo(Long.class)
                      .one());
      assertThat(rows).as("transfer rows").isEqualTo(model.transfers.size());
    } finally {
      database.useTransaction(h -> h.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }
  }

  // ---------------------------------------------------------------- generators

  /**
   * Accounts by flag (0 none, 1 debits must not exceed credits, 2 credits must not exceed debits)
   * and the operations; indexes in operations pick accounts and earlier transfers modulo how many
   * there are when the operation runs.
   */
  record Scenario(List<Integer> accountFlags, List<Op> ops) {}

  sealed interface Op {}

  record Immediate(int debit, int credit, long amount, boolean balancing) implements Op {}

  record Pending(int debit, int credit, long amount, int timeoutMinutes) implements Op {}

  /** Amount 0 posts the whole hold. */
  record Post(int pending, long amount) implements Op {}

  record VoidHold(int pending) implements Op {}

  /** Amount 0 reverses all that remains. */
  record Reverse(int target, long amount) implements Op {}

  record Linked(Op first, Op second) implements Op {}

  /** Submits an earlier transfer again, unchanged. */
  record Retry(int target) implements Op {}

  record Invalid(int kind, int a, int b) implements Op {}

  /** Moves the clock and expires the holds whose timeout passed. */
  record TimePasses(int seconds) implements Op {}

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<List<Integer>> flags =
        Arbitraries.integers().between(0, 2).list().ofMinSize(2).ofMaxSize(6);
    return Combinators.combine(flags, op().list().ofMinSize(5).ofMaxSize(60))
        .as((f, ops) -> new Scenario(prependUnlimited(f), ops));
  }

  private static List<Integer> prependUnlimited(List<Integer> flags) {
    // One account without limits, so that money can enter the others.
    List<Integer> all = new ArrayList<>();
    all.add(0);
    all.addAll(flags);
    return all;
  }

  @SuppressWarnings("unchecked")
  private static Arbitrary<Op> op() {
    Arbitrary<Integer> index = Arbitraries.integers().between(0, 999);
    Arbitrary<Long> amount =
        Arbitraries.oneOf(Arbitraries.longs().between(1, 500), Arbitraries.of(1L, 100L, 500L));
    Arbitrary<Immediate> immediate =
        Combinators.combine(index, index, amount, Arbitraries.integers().between(0, 3))
            .as((d, c, a, b) -> new Immediate(d, c, a, b == 0));
    Arbitrary<Pending> pending =
        Combinators.combine(index, index, amount, Arbitraries.of(0, 0, 1, 5, 20)).as(Pending::new);
    Arbitrary<Op> simple = Arbitraries.oneOf(immediate, pending);
    return Arbitraries.frequencyOf(
        Tuple.of(8, immediate),
        Tuple.of(5, pending),
        Tuple.of(
            4,
            Combinators.combine(
                    index,
                    Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, 600)))
                .as(Post::new)),
        Tuple.of(2, index.map(VoidHold::new)),
        Tuple.of(
            3,
            Combinators.combine(
                    index,
                    Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, 600)))
                .as(Reverse::new)),
        Tuple.of(3, Combinators.combine(simple, simple).as(Linked::new)),
        Tuple.of(2, index.map(Retry::new)),
        Tuple.of(
            2,
            Combinators.combine(Arbitraries.integers().between(0, 8), index, index)
                .as(Invalid::new)),
        Tuple.of(2, Arbitraries.integers().between(1, 900).map(TimePasses::new)));
  }

  // ---------------------------------------------------------------- the model

  /** What the ledger should say and hold, computed without it. */
  private static final class Model {
    /** Balances per account: debits pending, debits posted, credits pending, credits posted. */
    long[][] balances;

    final List<UUID> ids = new ArrayList<>();
    final List<Integer> flags;
    final Map<UUID, Integer> indexOf = new HashMap<>();
    final SettableClock clock;
    final List<Tx> transfers = new ArrayList<>();
    final List<Tx> pendings = new ArrayList<>();
    final List<Tx> reversible = new ArrayList<>();
    final List<Tx> immediates = new ArrayList<>();
    final List<Tx> retryable = new ArrayList<>();

    Model(List<Integer> flags, SettableClock clock) {
      this.flags = flags;
      this.clock = clock;
      this.balances = new long[flags.size()][4];
      for (int i = 0; i < flags.size(); i++) {
        UUID id = UUID.randomUUID();
        ids.add(id);
        indexOf.put(id, i);
      }
    }

    List<Account> accounts() {
      List<Account> accounts = new ArrayList<>();
      for (int i = 0; i < ids.size(); i++) {
        AccountFlags accountFlags =
            switch (flags.get(i)) {
              case 1 -> AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS;
              case 2 -> AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS;
              default -> AccountFlags.NONE;
            };
        accounts.add(Account.of(ids.get(i), "NGN", 1).withFlags(accountFlags));
      }
      return accounts;
    }

    void run(Ledger ledger, int step, Op op) {
      String as = "step " + step + ": " + op;
      switch (op) {
        case TimePasses(int seconds) -> {
          Instant now = clock.advance(Duration.ofSeconds(seconds));
          int expired = 0;
          for (Tx hold : pendings) {
            if (hold.state.equals("pending")
                && hold.timeoutAt != null
                && hold.timeoutAt.isBefore(now)) {
              release(hold);
              hold.state = "expired";
              expired++;
            }
          }
          assertThat(ledger.expirePendingTransfers()).as(as).isEqualTo(expired);
        }
        case Linked(Op first, Op second) -> {
          Transfer t1 = transfer(first, false);
          Transfer t2 = transfer(second, false);
          if (t1 == null || t2 == null) {
            return;
          }
          long[][] before = copy(balances);
          Outcome o1 = decide(t1);
          Outcome o2 = null;
          if (o1.ok()) {
            o1.apply().run();
            o2 = decide(t2);
            if (o2.ok()) {
              o2.apply().run();
            }
          }
          List<TransferResult> results = ledger.transfers(List.of(t1.linkedToNext(), t2));
          results.forEach(Model::count);
          assertThat(results).as(as).hasSize(2);
          if (o2 != null && o2.ok()) {
            expectCreated(results.get(0), o1, as);
            expectCreated(results.get(1), o2, as);
            register(o1.tx(), false);
            register(o2.tx(), false);
          } else {
            balances = before;
            if (!o1.ok()) {
              assertThat(results.get(0).code()).as(as).isIn(o1.codes());
              assertThat(results.get(1).code()).as(as).isEqualTo(TransferCode.LINKED_EVENT_FAILED);
            } else {
              assertThat(results.get(0).code()).as(as).isEqualTo(TransferCode.LINKED_EVENT_FAILED);
              assertThat(results.get(1).code()).as(as).isIn(o2.codes());
            }
          }
        }
        case Retry(int target) -> {
          if (retryable.isEmpty()) {
            return;
          }
          Tx earlier = retryable.get(target % retryable.size());
          TransferResult result = count(ledger.transfer(earlier.request));
          assertThat(result).as(as).isInstanceOf(TransferResult.Exists.class);
          if (earlier.kind != TransferKind.VOID_PENDING) {
            assertThat(((TransferResult.Exists) result).amount()).as(as).isEqualTo(earlier.amount);
          }
        }
        case Invalid invalid -> {
          Transfer t = invalidTransfer(invalid);
          if (t == null) {
            return;
          }
          assertThat(count(ledger.transfer(t)))
              .as(as)
              .isEqualTo(new TransferResult.Rejected(t.id(), expectedCode(invalid.kind())));
        }
        default -> {
          Transfer t = transfer(op, true);
          if (t == null) {
            return;
          }
          Outcome outcome = decide(t);
          TransferResult result = count(ledger.transfer(t));
          if (outcome.ok()) {
            outcome.apply().run();
            expectCreated(result, outcome, as);
            register(outcome.tx(), true);
          } else {
            assertThat(result).as(as).isInstanceOf(TransferResult.Rejected.class);
            assertThat(result.code()).as(as).isIn(outcome.codes());
          }
        }
      }
    }

    /** Shows in the report which answers the tries reached, so that a weak generator shows. */
    private static TransferResult count(TransferResult result) {
      Statistics.label("results").collect(result.code());
      return result;
    }

    private static void expectCreated(TransferResult result, Outcome outcome, String as) {
      assertThat(result).as(as).isInstanceOf(TransferResult.Created.class);
      if (outcome.tx().kind != TransferKind.VOID_PENDING) {
        assertThat(((TransferResult.Created) result).amount()).as(as).isEqualTo(outcome.amount());
      }
    }

    /** The transfer an operation stands for, or null when it has nothing to act on yet. */
    private @Nullable Transfer transfer(Op op, boolean single) {
      UUID id = UUID.randomUUID();
      int n = ids.size();
      return switch (op) {
        case Immediate(int d, int c, long amount, boolean balancing) -> {
          int debit = d % n;
          int credit = other(debit, c);
          Transfer t = Transfer.immediate(id, ids.get(debit), ids.get(credit), ngn(amount), CODE);
          // Balancing only where its meaning is plain: the limited side is the one it names, the
          // other side has no limit that could refuse the smaller amount, and something is left.
          if (single && balancing && flags.get(debit) == 1 && flags.get(credit) != 2) {
            if (available(debit) > 0) {
              yield t.withBalancing(Balancing.DEBIT);
            }
          } else if (single && balancing && flags.get(credit) == 2 && flags.get(debit) != 1) {
            if (availableDebit(credit) > 0) {
              yield t.withBalancing(Balancing.CREDIT);
            }
          }
          yield t;
        }
        case Pending(int d, int c, long amount, int timeoutMinutes) -> {
          int debit = d % n;
          int credit = other(debit, c);
          // Half a second past the minute: the clock moves in whole seconds, so it never stands
          // exactly on a timeout, where "passed" could be read either way.
          Duration timeout =
              timeoutMinutes == 0 ? null : Duration.ofMinutes(timeoutMinutes).plusMillis(500);
          yield Transfer.pending(id, ids.get(debit), ids.get(credit), ngn(amount), CODE, timeout);
        }
        case Post(int p, long amount) -> {
          if (pendings.isEmpty()) {
            yield null;
          }
          Tx hold = pendings.get(p % pendings.size());
          yield amount == 0
              ? Transfer.postPending(id, hold.request.id())
              : Transfer.postPending(id, hold.request.id(), ngn(amount));
        }
        case VoidHold(int p) -> {
          if (pendings.isEmpty()) {
            yield null;
          }
          yield Transfer.voidPending(id, pendings.get(p % pendings.size()).request.id());
        }
        case Reverse(int r, long amount) -> {
          if (reversible.isEmpty()) {
            yield null;
          }
          Tx original = reversible.get(r % reversible.size());
          if (amount == 0 && original.amount == original.reversed) {
            // "All that remains" of nothing: ask for one unit instead, a plain excess.
            yield Transfer.reversal(id, original.request.id(), ngn(1));
          }
          yield amount == 0
              ? Transfer.reversal(id, original.request.id())
              : Transfer.reversal(id, original.request.id(), ngn(amount));
        }
        default -> throw new IllegalArgumentException("not a transfer: " + op);
      };
    }

    private int other(int debit, int c) {
      int credit = c % ids.size();
      return credit == debit ? (debit + 1) % ids.size() : credit;
    }

    private @Nullable Transfer invalidTransfer(Invalid invalid) {
      UUID id = UUID.randomUUID();
      UUID a = ids.get(invalid.a() % ids.size());
      UUID b = ids.get(other(invalid.a() % ids.size(), invalid.b()));
      return switch (invalid.kind()) {
        case 0 -> Transfer.immediate(id, a, b, ngn(0), CODE);
        case 1 -> Transfer.immediate(id, a, a, ngn(10), CODE);
        case 2 -> Transfer.immediate(id, UUID.randomUUID(), b, ngn(10), CODE);
        case 3 -> Transfer.immediate(id, a, b, Money.of(10, "USD"), CODE);
        case 4 -> Transfer.immediate(id, a, b, ngn(10), CODE).withMetadata("[1]");
        case 5 ->
            immediates.isEmpty()
                ? null
                : Transfer.postPending(
                    id, immediates.get(invalid.a() % immediates.size()).request.id());
        case 6 ->
            pendings.isEmpty()
                ? null
                : Transfer.reversal(id, pendings.get(invalid.a() % pendings.size()).request.id());
        case 7 -> Transfer.postPending(id, UUID.randomUUID());
        default -> Transfer.immediate(id, a, b, ngn(10), -1);
      };
    }

    private static TransferCode expectedCode(int kind) {
      return switch (kind) {
        case 0 -> TransferCode.AMOUNT_MUST_BE_POSITIVE;
        case 1 -> TransferCode.ACCOUNTS_MUST_BE_DIFFERENT;
        case 2 -> TransferCode.ACCOUNT_NOT_FOUND;
        case 3 -> TransferCode.CURRENCY_MISMATCH;
        case 4 -> TransferCode.INVALID_METADATA;
        case 5 -> TransferCode.NOT_PENDING;
        case 6 -> TransferCode.NOT_REVERSIBLE;
        case 7 -> TransferCode.PENDING_NOT_FOUND;
        default -> TransferCode.CODE_MUST_NOT_BE_NEGATIVE;
      };
    }

    /**
     * What the ledger must answer to a well-formed transfer in the model's state: the codes it may
     * reject with (several when more than one reason applies and the order of checks is the
     * engine's business), or what moves.
     */
    private Outcome decide(Transfer t) {
      return switch (t.kind()) {
        case IMMEDIATE, PENDING -> {
          int debit = indexOf.get(t.debitAccountId());
          int credit = indexOf.get(t.creditAccountId());
          long amount =
              switch (t.balancing()) {
                case DEBIT -> Math.min(t.amount(), available(debit));
                case CREDIT -> Math.min(t.amount(), availableDebit(credit));
                case NONE -> t.amount();
              };
          boolean pending = t.kind() == TransferKind.PENDING;
          Set<TransferCode> codes = limits(debit, credit, amount);
          Tx tx = new Tx(t, t.kind(), debit, credit, amount);
          if (pending) {
            tx.state = "pending";
            tx.timeoutAt = t.timeout() == null ? null : clock.instant().plus(t.timeout());
          }
          yield new Outcome(
              codes,
              amount,
              tx,
              () -> {
                balances[debit][pending ? 0 : 1] += amount;
                balances[credit][pending ? 2 : 3] += amount;
              });
        }
        case POST_PENDING, VOID_PENDING -> {
          Tx hold = byId(t.pendingId());
          Set<TransferCode> codes = EnumSet.noneOf(TransferCode.class);
          switch (hold.state) {
            case "posted" -> codes.add(TransferCode.PENDING_ALREADY_POSTED);
            case "voided" -> codes.add(TransferCode.PENDING_ALREADY_VOIDED);
            case "expired" -> codes.add(TransferCode.PENDING_EXPIRED);
            default -> {}
          }
          boolean post = t.kind() == TransferKind.POST_PENDING;
          if (post && t.amount() > hold.amount) {
            codes.add(TransferCode.EXCEEDS_PENDING_AMOUNT);
          }
          long amount = post ? (t.amount() == 0 ? hold.amount : t.amount()) : hold.amount;
          Tx tx = new Tx(t, t.kind(), hold.debit, hold.credit, amount);
          yield new Outcome(
              codes,
              amount,
              tx,
              () -> {
                release(hold);
                if (post) {
                  balances[hold.debit][1] += amount;
                  balances[hold.credit][3] += amount;
                }
                hold.state = post ? "posted" : "voided";
              });
        }
        case REVERSAL -> {
          Tx original = byId(t.reversesId());
          long remaining = original.amount - original.reversed;
          long amount = t.amount() == 0 ? remaining : t.amount();
          // Money goes back: the original's credit account is debited.
          Set<TransferCode> codes = limits(original.credit, original.debit, amount);
          if (amount > remaining) {
            codes.add(TransferCode.EXCEEDS_REVERSIBLE_AMOUNT);
          }
          Tx tx = new Tx(t, t.kind(), original.credit, original.debit, amount);
          yield new Outcome(
              codes,
              amount,
              tx,
              () -> {
                balances[original.credit][1] += amount;
                balances[original.debit][3] += amount;
                original.reversed += amount;
              });
        }
      };
    }

    private Set<TransferCode> limits(int debit, int credit, long amount) {
      Set<TransferCode> codes = EnumSet.noneOf(TransferCode.class);
      long[] d = balances[debit];
      long[] c = balances[credit];
      if (flags.get(debit) == 1 && d[0] + d[1] + amount > d[3]) {
        codes.add(TransferCode.EXCEEDS_CREDITS);
      }
      if (flags.get(credit) == 2 && c[2] + c[3] + amount > c[1]) {
        codes.add(TransferCode.EXCEEDS_DEBITS);
      }
      return codes;
    }

    private long available(int account) {
      long[] b = balances[account];
      return b[3] - b[1] - b[0];
    }

    private long availableDebit(int account) {
      long[] b = balances[account];
      return b[1] - b[3] - b[2];
    }

    private void release(Tx hold) {
      balances[hold.debit][0] -= hold.amount;
      balances[hold.credit][2] -= hold.amount;
    }

    private void register(Tx tx, boolean single) {
      transfers.add(tx);
      switch (tx.kind) {
        case PENDING -> pendings.add(tx);
        case IMMEDIATE -> {
          immediates.add(tx);
          reversible.add(tx);
        }
        case POST_PENDING -> reversible.add(tx);
        default -> {}
      }
      if (single) {
        retryable.add(tx);
      }
    }

    private Tx byId(@Nullable UUID id) {
      return transfers.stream().filter(tx -> tx.request.id().equals(id)).findFirst().orElseThrow();
    }

    private static long[][] copy(long[][] balances) {
      long[][] copy = new long[balances.length][];
      for (int i = 0; i < balances.length; i++) {
        copy[i] = balances[i].clone();
      }
      return copy;
    }
  }

  /** A transfer the model accepted, with the state the model keeps about it. */
  private static final class Tx {
    final Transfer request;
    final TransferKind kind;
    final int debit;
    final int credit;
    final long amount;
    String state = "";
    @Nullable Instant timeoutAt;
    long reversed;

    Tx(Transfer request, TransferKind kind, int debit, int credit, long amount) {
      this.request = request;
      this.kind = kind;
      this.debit = debit;
      this.credit = credit;
      this.amount = amount;
    }
  }

  /**
   * The model's verdict: rejected with one of {@code codes}, or (when empty) accepted, moving
   * {@code amount}, with {@code apply} changing the model's balances.
   */
  private record Outcome(Set<TransferCode> codes, long amount, Tx tx, Runnable apply) {
    boolean ok() {
      return codes.isEmpty();
    }
  }

  private static Money ngn(long minor) {
    return Money.of(minor, "NGN");
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[3];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
