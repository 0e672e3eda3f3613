package dev.odim.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class DbTest {
  private final TestDatabase database;
  private Db db;

  DbTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void open() {
    db =
        Db.builder(database.jdbcUrlWithCredentials())
            .retryDelays(Duration.ZERO, Duration.ofMillis(20))
            .build();
    db.useTransaction(
        h -> {
          h.execute("DROP TABLE IF EXISTS accounts");
          h.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)");
          h.execute("INSERT INTO accounts VALUES (1, 100), (2, 100)");
        });
  }

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void eachModuleMigratesItsOwnSchemaWithItsOwnHistory() {
    assertThat(db.migrate("test_alpha", "db/migration/test_alpha")).isEqualTo(2);
    assertThat(db.migrate("test_beta", "db/migration/test_beta")).isEqualTo(1);
    assertThat(db.migrate("test_alpha", "db/migration/test_alpha")).isZero();

    List<String> histories =
        db.withHandle(
            h ->
                h.createQuery(
                        "SELECT table_schema FROM information_schema.tables"
                            + " WHERE table_name = 'flyway_schema_history' ORDER BY 1")
                    .mapTo(String.class)
                    .list());
    assertThat(histories).containsExactly("test_alpha", "test_beta");
    assertThat(
            queryInt(
                "SELECT count(*) FROM test_alpha.flyway_schema_history WHERE success AND type = 'SQL'"))
        .isEqualTo(2);
    assertThat(queryString("SELECT obj_description('test_alpha.notes'::regclass)"))
        .isEqualTo("migrated into test_alpha");
    assertThat(
            queryInt(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'test_beta' AND table_name = 'notes' AND column_name = 'beta'"))
        .isEqualTo(1);
  }

  @Test
  void schemaNameThatIsNoPlainIdentifierIsRefused() {
    assertThatThrownBy(() -> db.migrate("Bad-Schema", "db/migration/test_alpha"))
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("schema: ");
  }

  @Test
  void realDeadlockIsRetriedAndBothTransfersCommit() throws Exception {
    List<Integer> results = runCrossedUpdates(db, TransactionIsolationLevel.READ_COMMITTED);

    assertThat(results).containsExactlyInAnyOrder(1, 1);
    assertThat(db.deadlocksRetried()).isGreaterThanOrEqualTo(1);
    // Each transaction moved 10 from one account to the other exactly once: balances are back
    // where they started and the total never changed.
    assertThat(balances()).containsExactly(100L, 100L);
  }

  @Test
  void realSerializationFailureIsRetried() throws Exception {
    // Write skew under SERIALIZABLE: each transaction reads the sum, then inserts into its own row.
    db.useTransaction(
        h ->
            h.execute(
                "CREATE TABLE IF NOT EXISTS doctors (id int PRIMARY KEY, on_call boolean NOT NULL)"));
    db.useTransaction(h -> h.execute("DELETE FROM doctors"));
    db.useTransaction(h -> h.execute("INSERT INTO doctors VALUES (1, true), (2, true)"));
    CyclicBarrier bothRead = new CyclicBarrier(2);
    AtomicInteger attempts = new AtomicInteger();
    Function<Integer, Integer> goOffCall =
        doctor ->
            db.inTransaction(
                TransactionIsolationLevel.SERIALIZABLE,
                h -> {
                  int onCall =
                      h.createQuery("SELECT count(*) FROM doctors WHERE on_call")
                          .mapTo(Integer.class)
                          .one();
                  if (attempts.incrementAndGet() <= 2) {
                    await(bothRead);
                  }
                  if (onCall > 1) {
                    h.execute("UPDATE doctors SET on_call = false WHERE id = ?", doctor);
                  }
                  return onCall;
                });
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      Future<Integer> first = pool.submit(() -> goOffCall.apply(1));
      Future<Integer> second = pool.submit(() -> goOffCall.apply(2));
      first.get(30, TimeUnit.SECONDS);
      second.get(30, TimeUnit.SECONDS);
    }
    assertThat(db.serializationFailuresRetried()).isGreaterThanOrEqualTo(1);
    // The invariant serializable isolation protects: someone is still on call.
    assertThat(queryInt("SELECT count(*) FROM doctors WHERE on_call")).isEqualTo(1);
  }

  @Test
  void retriesRunOutIntoATypedException() throws Exception {
    try (Db once = Db.builder(database.jdbcUrlWithCredentials()).transactionAttempts(1).build()) {
      assertThatThrownBy(() -> runCrossedUpdates(once, TransactionIsolationLevel.READ_COMMITTED))
          .hasRootCauseInstanceOf(org.postgresql.util.PSQLException.class)
          .rootCause()
          .hasMessageContaining("deadlock detected");
      assertThat(once.deadlocksRetried()).isEqualTo(1);
    }
  }

  @Test
  void callerHandleIsJoinedSoItsRollbackUndoesTheLibraryWrite() {
    assertThatThrownBy(
            () ->
                db.useTransaction(
                    outer -> {
                      libraryWrite(outer);
                      throw new IllegalStateException("the caller's business fact failed");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(balances()).containsExactly(100L, 100L);

    db.useTransaction(this::libraryWrite);
    libraryWrite(null);
    assertThat(balances()).containsExactly(102L, 100L);
  }

  @Test
  void otherFailuresAreNotRetried() {
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(
            () ->
                db.useTransaction(
                    h -> {
                      runs.incrementAndGet();
                      h.execute("INSERT INTO accounts VALUES (1, 0)");
                    }))
        .hasMessageContaining("accounts_pkey");
    assertThat(runs).hasValue(1);
  }

  @Test
  void reachabilityFollowsThePool() {
    assertThat(db.isReachable(Duration.ofSeconds(1))).isTrue();
    db.close();
    assertThat(db.isReachable(Duration.ofSeconds(1))).isFalse();
  }

  @Test
  void everyBadSettingIsNamed() {
    String url = database.jdbcUrlWithCredentials();
    assertThatThrownBy(() -> Db.builder(url).maximumPoolSize(0).build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageStartingWith("maximumPoolSize: ");
    assertThatThrownBy(() -> Db.builder(url).connectionTimeout(Duration.ofMillis(10)).build())
        .hasMessageStartingWith("connectionTimeout: ");
    assertThatThrownBy(() -> Db.builder(url).poolName(" ").build())
        .hasMessageStartingWith("poolName: ");
    assertThatThrownBy(() -> Db.builder(url).transactionAttempts(0).build())
        .hasMessageStartingWith("transactionAttempts: ");
    assertThatThrownBy(
            () -> Db.builder(url).retryDelays(Duration.ofSeconds(2), Duration.ofSeconds(1)).build())
        .hasMessageStartingWith("retryDelays: ");
  }

  @Test
  void unreachableDatabaseIsATypedFailure() {
    assertThatThrownBy(
            () ->
                Db.builder("jdbc:postgresql://127.0.0.1:1/nothing")
                    .connectionTimeout(Duration.ofMillis(500))
                    .build())
        .isInstanceOf(DbUnavailableException.class)
        .hasMessageContaining("127.0.0.1:1");
  }

  /** Stands for a library write method with a {@code Handle} overload. */
  private void libraryWrite(Handle callerOrNull) {
    db.inTransaction(
        callerOrNull, h -> h.execute("UPDATE accounts SET balance = balance + 1 WHERE id = 1"));
  }

  /**
   * Two transactions move 10 between accounts 1 and 2 in opposite directions, each locking its
   * source row first and waiting until the other holds its own: PostgreSQL must detect a deadlock.
   */
  private static List<Integer> runCrossedUpdates(Db db, TransactionIsolationLevel isolation)
      throws Exception {
    CyclicBarrier bothLocked = new CyclicBarrier(2);
    AtomicInteger attempts = new AtomicInteger();
    Function<int[], Integer> move =
        pair ->
            db.inTransaction(
                isolation,
                h -> {
                  h.execute("UPDATE accounts SET balance = balance - 10 WHERE id = ?", pair[0]);
                  if (attempts.incrementAndGet() <= 2) {
                    await(bothLocked);
                  }
                  return h.execute(
                      "UPDATE accounts SET balance = balance + 10 WHERE id = ?", pair[1]);
                });
    List<Integer> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      Future<Integer> oneToTwo = pool.submit(() -> move.apply(new int[] {1, 2}));
      Future<Integer> twoToOne = pool.submit(() -> move.apply(new int[] {2, 1}));
      results.add(oneToTwo.get(30, TimeUnit.SECONDS));
      results.add(twoToOne.get(30, TimeUnit.SECONDS));
    }
    return results;
  }

  private int queryInt(String sql) {
    return db.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
  }

  private String queryString(String sql) {
    return db.withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
  }

  private List<Long> balances() {
    return db.withHandle(
        h -> h.createQuery("SELECT balance FROM accounts ORDER BY id").mapTo(Long.class).list());
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
