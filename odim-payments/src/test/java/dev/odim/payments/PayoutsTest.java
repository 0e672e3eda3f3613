package dev.odim.payments;

import static dev.odim.payments.MoneyOutRig.NGN;
import static dev.odim.payments.MoneyOutRig.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Money;
import dev.odim.ledger.Balance;
import dev.odim.payments.paystack.TransferRequest;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import dev.odim.testkit.paystack.Faults;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Payouts end to end: held on request, sent by the queue worker to the Paystack simulator, settled
 * by its webhooks; never overdrawn, never paid twice.
 */
@ExtendWith(PostgresExtension.class)
class PayoutsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MoneyOutRig rig;

  @BeforeAll
  static void open(TestDatabase database) {
    rig = new MoneyOutRig(database);
  }

  @AfterAll
  static void close() {
    rig.close();
  }

  private static String reference() {
    return "po-" + UUID.randomUUID().toString().substring(0, 23);
  }

  private static NewPayout payout(String reference, UUID creator, long kobo) {
    return new NewPayout(reference, creator, Money.of(kobo, NGN), rig.recipient, "earnings");
  }

  @Test
  void aPayoutIsHeldSentAndPostedWhenPaystackPaysIt() {
    UUID creator = rig.creator(100_000);
    String reference = reference();

    PayoutResult result = rig.payouts.request(payout(reference, creator, 30_000));

    assertThat(result).isInstanceOf(PayoutResult.Requested.class);
    Balance held = rig.balance(creator);
    assertThat(held.available()).isEqualTo(70_000);
    assertThat(held.debitsPending()).isEqualTo(30_000);
    await("the transfer is sent", () -> rig.payoutStatus(reference) == PayoutStatus.SENT);
    assertThat(rig.payouts.find(reference).orElseThrow().transferCode()).startsWith("TRF_");

    rig.settleTransfer(reference, "success");

    await("the payout is paid", () -> rig.payoutStatus(reference) == PayoutStatus.PAID);
    Balance paid = rig.balance(creator);
    assertThat(paid.debitsPending()).isZero();
    assertThat(paid.debitsPosted()).isEqualTo(30_000);
    assertThat(paid.available()).isEqualTo(70_000);
    assertThat(rig.balance(rig.payouts.inTransitAccount(NGN)).creditsPosted())
        .isGreaterThanOrEqualTo(30_000);
    assertThat(rig.transfersAtSimulator(reference)).hasSize(1);
    assertThat(rig.payouts.transitions(reference))
        .containsExactly(
            " -> requested (api)", "requested -> sent (job)", "sent -> paid (webhook)");
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aFailedTransferVoidsTheHoldAndTheMoneyIsBack() {
    UUID creator = rig.creator(50_000);
    String reference = reference();
    rig.payouts.request(payout(reference, creator, 50_000));
    await("the transfer is sent", () -> rig.payoutStatus(reference) == PayoutStatus.SENT);
    assertThat(rig.balance(creator).available()).isZero();

    rig.settleTransfer(reference, "failed");

    await("the payout failed", () -> rig.payoutStatus(reference) == PayoutStatus.FAILED);
    Balance back = rig.balance(creator);
    assertThat(back.available()).isEqualTo(50_000);
    assertThat(back.debitsPending()).isZero();
    assertThat(back.debitsPosted()).isZero();
    assertThat(rig.payouts.find(reference).orElseThrow().failure()).isNotEmpty();
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aTransferReversedAfterSuccessMovesTheMoneyBackToTheCreator() {
    UUID creator = rig.creator(40_000);
    String reference = reference();
    rig.payouts.request(payout(reference, creator, 25_000));
    await("the transfer is sent", () -> rig.payoutStatus(reference) == PayoutStatus.SENT);
    rig.settleTransfer(reference, "success");
    await("the payout is paid", () -> rig.payoutStatus(reference) == PayoutStatus.PAID);
    assertThat(rig.balance(creator).available()).isEqualTo(15_000);

    rig.settleTransfer(reference, "reversed");

    await("the payout is reversed", () -> rig.payoutStatus(reference) == PayoutStatus.REVERSED);
    Balance back = rig.balance(creator);
    assertThat(back.available()).isEqualTo(40_000);
    assertThat(back.debitsPosted()).isEqualTo(25_000); // the payout, then its reversal's credit
    assertThat(back.creditsPosted()).isEqualTo(40_000 + 25_000);
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aShortBalanceIsAnswerWritingNothing() {
    UUID creator = rig.creator(10_000);
    String reference = reference();
    Balance before = rig.balance(creator);

    PayoutResult result = rig.payouts.request(payout(reference, creator, 10_001));

    assertThat(result)
        .isEqualTo(
            new PayoutResult.InsufficientBalance(Money.of(10_001, NGN), Money.of(10_000, NGN)));
    assertThat(rig.balance(creator)).isEqualTo(before);
    assertThat(rig.payouts.find(reference)).isEmpty();
    assertThat(
            rig.count(
                "SELECT count(*) FROM odim_payments.payout_transitions WHERE reference = ?",
                reference))
        .isZero();
    assertThat(
            rig.count(
                "SELECT count(*) FROM odim_queue.jobs WHERE payload::jsonb ->> 'reference' = ?",
                reference))
        .isZero();
  }

  @Test
  void theSameReferenceIsOneHoldAndOneTransferWhoeverAsks() throws Exception {
    UUID creator = rig.creator(100_000);
    String reference = reference();
    List<Callable<PayoutResult>> calls = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      calls.add(() -> rig.payouts.request(payout(reference, creator, 20_000)));
    }
    List<PayoutResult> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
      for (Future<PayoutResult> f : pool.invokeAll(calls)) {
        results.add(f.get());
      }
    }

    assertThat(results).filteredOn(r -> r instanceof PayoutResult.Requested).hasSize(1);
    assertThat(results).filteredOn(r -> r instanceof PayoutResult.Exists).hasSize(15);
    assertThat(rig.balance(creator).debitsPending()).isEqualTo(20_000);
    assertThat(rig.payouts.request(payout(reference, creator, 20_001)))
        .isInstanceOf(PayoutResult.ExistsWithDifferentFields.class);
    await("the transfer is sent", () -> rig.payoutStatus(reference) == PayoutStatus.SENT);
    assertThat(rig.transfersAtSimulator(reference)).hasSize(1);
  }

  @Test
  void concurrentPayoutsAgainstOneBalanceNeverOverdrawIt() throws Exception {
    UUID creator = rig.creator(100_000);
    List<Callable<PayoutResult>> calls = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      calls.add(() -> rig.payouts.request(payout(reference(), creator, 7_000)));
    }
    List<PayoutResult> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(30)) {
      for (Future<PayoutResult> f : pool.invokeAll(calls)) {
        results.add(f.get());
      }
    }

    // 100,000 holds fourteen payouts of 7,000 (98,000), never a fifteenth
    assertThat(results).filteredOn(r -> r instanceof PayoutResult.Requested).hasSize(14);
    assertThat(results).filteredOn(r -> r instanceof PayoutResult.InsufficientBalance).hasSize(46);
    assertThat(
            rig.count(
                "SELECT coalesce(sum(amount_minor), 0) FROM odim_payments.payouts"
                    + " WHERE creator_account = ?",
                creator))
        .isEqualTo(98_000);
    Balance balance = rig.balance(creator);
    assertThat(balance.debitsPending() + balance.debitsPosted()).isEqualTo(98_000);
    assertThat(balance.available()).isEqualTo(2_000);
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void queuedPayoutsDrainByThemselvesAfterAnOutage() {
    UUID creator = rig.creator(1_000_000);
    rig.simulator.faults(Faults.NONE.withOutage(true));
    int attemptsBefore = rig.jobEvents("started " + Payouts.SEND_JOB);
    List<String> references = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        String reference = reference();
        references.add(reference);
        assertThat(rig.payouts.request(payout(reference, creator, 10_000)))
            .isInstanceOf(PayoutResult.Requested.class);
      }
      // the worker keeps trying and Paystack keeps refusing: nothing is sent, everything waits
      sleep(1_500);
      for (String reference : references) {
        assertThat(rig.payoutStatus(reference)).isEqualTo(PayoutStatus.REQUESTED);
        assertThat(rig.transfersAtSimulator(reference)).isEmpty();
      }
      assertThat(rig.balance(creator).debitsPending()).isEqualTo(100_000);
      // each payout's job was tried more than once meanwhile, and none was given up
      assertThat(rig.jobEvents("started " + Payouts.SEND_JOB) - attemptsBefore)
          .isGreaterThan(2 * references.size());
      assertThat(rig.jobEvents("dead " + Payouts.SEND_JOB)).isZero();
    } finally {
      rig.simulator.faults(Faults.NONE);
    }

    await(
        "every payout is sent",
        () -> references.stream().allMatch(r -> rig.payoutStatus(r) == PayoutStatus.SENT));
    references.forEach(r -> rig.settleTransfer(r, "success"));
    await(
        "every payout is paid",
        () -> references.stream().allMatch(r -> rig.payoutStatus(r) == PayoutStatus.PAID));
    for (String reference : references) {
      assertThat(rig.transfersAtSimulator(reference)).hasSize(1);
    }
    Balance balance = rig.balance(creator);
    assertThat(balance.debitsPending()).isZero();
    assertThat(balance.debitsPosted()).isEqualTo(100_000);
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void duplicateTransferWebhooksChangeNothing() throws Exception {
    UUID creator = rig.creator(30_000);
    String reference = reference();
    rig.payouts.request(payout(reference, creator, 30_000));
    await("the transfer is sent", () -> rig.payoutStatus(reference) == PayoutStatus.SENT);
    rig.simulator.faults(Faults.NONE.withWebhookDuplicateRate(1.0));
    try {
      rig.settleTransfer(reference, "success");
      await(
          "both deliveries are handled",
          () ->
              rig.received.stream()
                      .filter(e -> e.startsWith("transfer.success") && e.contains(reference))
                      .count()
                  == 2);
    } finally {
      rig.simulator.faults(Faults.NONE);
    }
    assertThat(rig.received)
        .filteredOn(e -> e.contains(reference))
        .anyMatch(e -> e.contains("AlreadyApplied"));
    Balance once = rig.balance(creator);
    assertThat(once.debitsPosted()).isEqualTo(30_000);

    var data =
        JSON.readTree(
            "{\"reference\":\"" + reference + "\",\"amount\":30000,\"currency\":\"NGN\"}");
    assertThat(rig.inTransaction(h -> rig.payouts.onTransferSuccess(h, data)))
        .isEqualTo(new EventOutcome.AlreadyApplied(reference));
    assertThat(rig.inTransaction(h -> rig.payouts.onTransferFailed(h, data)))
        .isInstanceOf(EventOutcome.Ignored.class);
    assertThat(rig.balance(creator)).isEqualTo(once);
    assertThat(rig.payoutStatus(reference)).isEqualTo(PayoutStatus.PAID);
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aPayoutWhoseWebhookIsLostIsSettledByVerification() {
    UUID creator = rig.creator(20_000);
    String reference = reference();
    rig.payouts.request(payout(reference, creator, 20_000));
    await("the transfer is sent", () -> rig.payoutStatus(reference) == PayoutStatus.SENT);
    rig.simulator.faults(Faults.NONE.withWebhookDropRate(1.0));
    try {
      rig.settleTransfer(reference, "success");

      await("the payout is paid", () -> rig.payoutStatus(reference) == PayoutStatus.PAID);
    } finally {
      rig.simulator.faults(Faults.NONE);
    }
    assertThat(rig.payouts.transitions(reference)).contains("sent -> paid (verify)");
    assertThat(rig.received).noneMatch(e -> e.contains(reference));
    assertThat(rig.balance(creator).debitsPosted()).isEqualTo(20_000);
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aTransferAnEarlierRunSentButDidNotRecordIsTakenUpNotSentAgain() {
    UUID creator = rig.creator(60_000);
    String reference = reference();
    // as if a job had reached Paystack and died before recording the answer
    rig.paystack
        .initiateTransfer(
            new TransferRequest(Money.of(30_000, NGN), rig.recipient, "earnings", reference))
        .orElseThrow();

    rig.payouts.request(payout(reference, creator, 30_000));

    await("the transfer is taken up", () -> rig.payoutStatus(reference) == PayoutStatus.SENT);
    assertThat(rig.transfersAtSimulator(reference)).hasSize(1);

    // another transfer under the reference (another amount) is not ours: the payout fails
    String taken = reference();
    rig.paystack
        .initiateTransfer(new TransferRequest(Money.of(1_000, NGN), rig.recipient, "other", taken))
        .orElseThrow();
    rig.payouts.request(payout(taken, creator, 30_000));
    await("the payout fails", () -> rig.payoutStatus(taken) == PayoutStatus.FAILED);
    assertThat(rig.balance(creator).debitsPending()).isEqualTo(30_000); // only the first holds
    assertThat(rig.transfersAtSimulator(taken)).hasSize(1);
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void anEventForAPayoutWeNeverMadeIsUnknownAndWritesNothing() throws Exception {
    var data = JSON.readTree("{\"reference\":\"po-nobody\",\"amount\":100,\"currency\":\"NGN\"}");

    assertThat(rig.inTransaction(h -> rig.payouts.onTransferSuccess(h, data)))
        .isEqualTo(new EventOutcome.Unknown("po-nobody"));
    assertThat(rig.payouts.find("po-nobody")).isEmpty();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
