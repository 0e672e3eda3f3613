package dev.odim.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The group-commit path: many callers' transfers in one transaction, each with its own result. */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupCommitTest {
  private Db db;
  private Ledger ledger;

  @BeforeAll
  void open(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(8).build();
    ledger = Ledger.builder(db).expiryInterval(Duration.ZERO).build();
  }

  @AfterAll
  void close() {
    ledger.close();
    db.close();
  }

  @Test
  void concurrentCallersShareBatchesAndARejectedTransferFailsNoNeighbour() {
    UUID source = UUID.randomUUID();
    UUID limited = UUID.randomUUID();
    UUID target = UUID.randomUUID();
    ledger.createAccounts(
        List.of(
            Account.of(source, "NGN", 1),
            Account.of(limited, "NGN", 2).withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS),
            Account.of(target, "NGN", 3)));

    List<CompletableFuture<List<TransferResult>>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(
          ledger.transfersAsync(
              List.of(
                  Transfer.immediate(UUID.randomUUID(), source, target, Money.of(10, "NGN"), 1),
                  // The limited account has nothing: refused, alone.
                  Transfer.immediate(UUID.randomUUID(), limited, target, Money.of(1, "NGN"), 1))));
    }
    long created = 0;
    long refused = 0;
    for (CompletableFuture<List<TransferResult>> call : calls) {
      List<TransferResult> results = call.join();
      assertThat(results.get(0).code()).isEqualTo(TransferCode.CREATED);
      assertThat(results.get(1).code()).isEqualTo(TransferCode.EXCEEDS_CREDITS);
      created++;
      refused++;
    }
    assertThat(created).isEqualTo(200);
    assertThat(refused).isEqualTo(200);
    assertThat(ledger.balance(target).orElseThrow().creditsPosted()).isEqualTo(2_000);
    assertThat(ledger.balance(source).orElseThrow().debitsPosted()).isEqualTo(2_000);
    assertThat(ledger.balance(target).orElseThrow().version()).isEqualTo(200);
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void everyRequestIsAnsweredOnceWithManyWritersAndSmallBatches() {
    // Regression: with several writers the drain loop once peeked a request, lost the race for it
    // to another writer, and removed (and never answered) the next one instead.
    try (Ledger small =
        Ledger.builder(db).writers(4).maxBatchSize(3).expiryInterval(Duration.ZERO).build()) {
      UUID from = UUID.randomUUID();
      UUID to = UUID.randomUUID();
      small.createAccounts(List.of(Account.of(from, "NGN", 1), Account.of(to, "NGN", 1)));
      List<CompletableFuture<List<TransferResult>>> calls = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        int size = 1 + i % 3;
        List<Transfer> request = new ArrayList<>();
        for (int k = 0; k < size; k++) {
          request.add(Transfer.immediate(UUID.randomUUID(), from, to, Money.of(1, "NGN"), 1));
        }
        calls.add(small.transfersAsync(request));
      }
      long moved = 0;
      for (CompletableFuture<List<TransferResult>> call : calls) {
        for (TransferResult result :
            call.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join()) {
          assertThat(result.code()).isEqualTo(TransferCode.CREATED);
          moved++;
        }
      }
      assertThat(moved).isEqualTo(1_200);
      assertThat(small.balance(to).orElseThrow().creditsPosted()).isEqualTo(1_200);
      assertThat(small.verify()).isEmpty();
    }
  }

  @Test
  void closeStopsEveryWriterPromptly() {
    // Regression: the first writer to see the stop signal used to swallow the others' signals, so
    // close() waited 30 s for each remaining writer.
    Ledger many = Ledger.builder(db).writers(4).expiryInterval(Duration.ZERO).build();
    long started = System.nanoTime();
    many.close();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void pendingPostVoidAndReversalKeepTheBooksBalanced() {
    UUID fan = UUID.randomUUID();
    UUID creator = UUID.randomUUID();
    ledger.createAccounts(List.of(Account.of(fan, "NGN", 1), Account.of(creator, "NGN", 2)));
    UUID hold = UUID.randomUUID();
    assertThat(
            ledger
                .transfer(Transfer.pending(hold, fan, creator, Money.of(500, "NGN"), 7, null))
                .code())
        .isEqualTo(TransferCode.CREATED);
    assertThat(ledger.balance(creator).orElseThrow().creditsPending()).isEqualTo(500);
    UUID post = UUID.randomUUID();
    assertThat(ledger.transfer(Transfer.postPending(post, hold, Money.of(300, "NGN"))).code())
        .isEqualTo(TransferCode.CREATED);
    assertThat(ledger.transfer(Transfer.voidPending(UUID.randomUUID(), hold)).code())
        .isEqualTo(TransferCode.PENDING_ALREADY_POSTED);
    Balance after = ledger.balance(creator).orElseThrow();
    assertThat(after.creditsPending()).isZero();
    assertThat(after.creditsPosted()).isEqualTo(300);
    assertThat(ledger.transfer(Transfer.reversal(UUID.randomUUID(), post)).code())
        .isEqualTo(TransferCode.CREATED);
    assertThat(ledger.balance(creator).orElseThrow().debitsPosted()).isEqualTo(300);
    assertThat(ledger.transfer(Transfer.postPending(post, hold, Money.of(300, "NGN"))).code())
        .isEqualTo(TransferCode.EXISTS);
    assertThat(ledger.verify()).isEmpty();
  }
}
