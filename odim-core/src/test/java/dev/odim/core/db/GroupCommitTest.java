package dev.odim.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.OdimConfigException;
import dev.odim.core.OdimException;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class GroupCommitTest {
  private static Db db;
  private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @BeforeEach
  void table() {
    db.useTransaction(
        h -> {
          h.execute("DROP TABLE IF EXISTS group_commit_rows");
          h.execute("CREATE TABLE group_commit_rows (n integer PRIMARY KEY CHECK (n >= 0))");
        });
  }

  private List<Integer> insert(Handle handle, List<Integer> rows) {
    batchSizes.add(rows.size());
    var batch = handle.prepareBatch("INSERT INTO group_commit_rows (n) VALUES (?)");
    rows.forEach(n -> batch.add(n));
    batch.execute();
    return rows;
  }

  private long rows() {
    return db.inTransaction(
        h -> h.createQuery("SELECT count(*) FROM group_commit_rows").mapTo(Long.class).one());
  }

  @Test
  void concurrentRequestsShareCommitsAndEachIsDurableWhenAnswered() throws Exception {
    int threads = 64;
    int each = 50;
    try (GroupCommit<Integer, Integer> inserts =
        GroupCommit.builder(db, this::insert).maxBatchSize(500).build()) {
      List<Future<Long>> seen = new ArrayList<>();
      try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
        for (int t = 0; t < threads; t++) {
          int thread = t;
          seen.add(
              pool.submit(
                  () -> {
                    long visible = 0;
                    for (int i = 0; i < each; i++) {
                      int n = thread * each + i;
                      assertThat(inserts.call(n)).isEqualTo(n);
                      // committed before the answer: another connection sees it at once
                      visible +=
                          db.inTransaction(
                              h ->
                                  h.createQuery(
                                          "SELECT count(*) FROM group_commit_rows WHERE n = ?")
                                      .bind(0, n)
                                      .mapTo(Long.class)
                                      .one());
                    }
                    return visible;
                  }));
        }
      }
      long visible = 0;
      for (Future<Long> f : seen) {
        visible += f.get();
      }
      assertThat(visible).isEqualTo((long) threads * each);
    }
    assertThat(rows()).isEqualTo((long) threads * each);
    assertThat(batchSizes).as("some commits carried several requests").anyMatch(size -> size > 1);
  }

  @Test
  void aFailingRequestFailsAloneAndItsNeighboursCommit() throws Exception {
    try (GroupCommit<Integer, Integer> inserts =
        GroupCommit.builder(db, this::insert).writers(1).build()) {
      List<CompletableFuture<Integer>> results = new ArrayList<>();
      for (int n = -3; n < 20; n++) {
        results.add(inserts.submit(n)); // negative numbers break the check constraint
      }
      int failed = 0;
      for (CompletableFuture<Integer> result : results) {
        try {
          result.get();
        } catch (java.util.concurrent.ExecutionException e) {
          failed++;
          assertThat(e.getCause()).hasMessageContaining("group_commit_rows_n_check");
        }
      }
      assertThat(failed).isEqualTo(3);
    }
    assertThat(rows()).isEqualTo(20);
  }

  @Test
  void closingFinishesQueuedWorkAndRefusesNewWork() throws Exception {
    AtomicInteger applied = new AtomicInteger();
    GroupCommit<Integer, Integer> inserts =
        GroupCommit.<Integer, Integer>builder(
                db,
                (handle, rows) -> {
                  applied.addAndGet(rows.size());
                  return insert(handle, rows);
                })
            .build();
    List<CompletableFuture<Integer>> queued = new ArrayList<>();
    for (int n = 0; n < 200; n++) {
      queued.add(inserts.submit(n));
    }

    inserts.close();

    for (CompletableFuture<Integer> f : queued) {
      assertThat(f).succeedsWithin(java.time.Duration.ofSeconds(10));
    }
    assertThat(rows()).isEqualTo(200);
    assertThatThrownBy(() -> inserts.call(500)).isInstanceOf(OdimException.class);
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> GroupCommit.builder(db, this::insert).writers(0).build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageContaining("writers");
    assertThatThrownBy(() -> GroupCommit.builder(db, this::insert).maxBatchSize(0).build())
        .isInstanceOf(OdimConfigException.class)
        .hasMessageContaining("maxBatchSize");
  }
}
