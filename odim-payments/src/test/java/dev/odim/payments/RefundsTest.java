package dev.odim.payments;

import static dev.odim.payments.MoneyOutRig.NGN;
import static dev.odim.payments.MoneyOutRig.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Money;
import dev.odim.ledger.Balance;
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
 * Refunds end to end: requested, sent by the worker to the simulator, processed by its webhook,
 * reversing the settlement in proportion with sums that stay exact.
 */
@ExtendWith(PostgresExtension.class)
class RefundsTest {
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
    return "rf-" + UUID.randomUUID().toString().substring(0, 23);
  }

  /** Requests a refund, waits until Paystack has it, processes it there and waits for the hook. */
  private static PaymentRefund refundThrough(String payment, Money amount) {
    String reference = reference();
    RefundResult result = rig.refunds.request(new NewRefund(reference, payment, amount));
    assertThat(result).isInstanceOf(RefundResult.Requested.class);
    await(
        "Paystack accepted the refund",
        () -> rig.refunds.find(reference).orElseThrow().status() == RefundStatus.SENT);
    long id = rig.refunds.find(reference).orElseThrow().providerRefundId();
    rig.control("/_control/pay", "{\"reference\":\"" + id + "\",\"outcome\":\"success\"}");
    await(
        "the refund is processed",
        () -> rig.refunds.find(reference).orElseThrow().status() == RefundStatus.PROCESSED);
    return rig.refunds.find(reference).orElseThrow();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void partialRefundsAddUpAndTheLastOneReversesTheRestExactly() {
    UUID creator = rig.creator(0);
    // 10,001 with a 10% fee: the fee is 1,000 (rounded down), the creator's share 9,001
    String payment = rig.paidPayment(creator, 10_001);
    Balance settled = rig.balance(creator);
    long feesBefore = rig.balance(rig.payments.feeAccount(NGN)).creditsPosted();
    assertThat(settled.available()).isEqualTo(9_001);

    PaymentRefund first = refundThrough(payment, Money.of(3_333, NGN));

    // floor(3,333 * 9,001 / 10,001) = 2,999 from the creator, 334 from the fee
    assertThat(first.creatorPart()).isEqualTo(Money.of(2_999, NGN));
    assertThat(first.feePart()).isEqualTo(Money.of(334, NGN));
    assertThat(rig.payments.find(payment).orElseThrow().status())
        .isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
    assertThat(rig.balance(creator).available()).isEqualTo(9_001 - 2_999);

    PaymentRefund second = refundThrough(payment, Money.of(3_333, NGN));
    PaymentRefund last = refundThrough(payment, null);

    assertThat(last.amount()).isEqualTo(Money.of(3_335, NGN));
    List<PaymentRefund> all = rig.refunds.forPayment(payment);
    assertThat(all).hasSize(3);
    assertThat(all.stream().mapToLong(r -> r.amount().minor()).sum()).isEqualTo(10_001);
    assertThat(all.stream().mapToLong(r -> r.creatorPart().minor()).sum()).isEqualTo(9_001);
    assertThat(all.stream().mapToLong(r -> r.feePart().minor()).sum()).isEqualTo(1_000);
    assertThat(second.creatorPart().minor() + second.feePart().minor()).isEqualTo(3_333);
    assertThat(rig.payments.find(payment).orElseThrow().status()).isEqualTo(PaymentStatus.REFUNDED);
    Balance refunded = rig.balance(creator);
    assertThat(refunded.available()).isZero();
    assertThat(refunded.debitsPending()).isZero();
    assertThat(rig.balance(rig.payments.feeAccount(NGN)).debitsPosted())
        .isGreaterThanOrEqualTo(1_000);
    assertThat(rig.balance(rig.payments.feeAccount(NGN)).creditsPosted()).isEqualTo(feesBefore);
    assertThat(rig.refundsAtSimulator(payment)).hasSize(3);
    assertThat(rig.ledger.verify()).isEmpty();

    // nothing is left: another refund is refused, and writes nothing
    assertThat(rig.refunds.request(NewRefund.full(reference(), payment)))
        .isInstanceOf(RefundResult.NotRefundable.class);
  }

  @Test
  void refundsQueuedDuringAnOutageAreSentOnceItEnds() {
    UUID creator = rig.creator(0);
    List<String> payments = new ArrayList<>();
    List<String> references = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      payments.add(rig.paidPayment(creator, 10_000));
    }
    rig.simulator.faults(Faults.NONE.withOutage(true));
    try {
      for (String payment : payments) {
        String reference = reference();
        references.add(reference);
        assertThat(rig.refunds.request(new NewRefund(reference, payment, Money.of(4_000, NGN))))
            .isInstanceOf(RefundResult.Requested.class);
      }
      sleep(1_500);
      for (int i = 0; i < payments.size(); i++) {
        assertThat(rig.refunds.find(references.get(i)).orElseThrow().status())
            .isIn(RefundStatus.REQUESTED, RefundStatus.SENDING, RefundStatus.UNKNOWN);
        assertThat(rig.refundsAtSimulator(payments.get(i))).isEmpty();
      }
    } finally {
      rig.simulator.faults(Faults.NONE);
    }

    await(
        "every refund is at Paystack",
        () ->
            references.stream()
                .allMatch(r -> rig.refunds.find(r).orElseThrow().status() == RefundStatus.SENT));
    for (String reference : references) {
      long id = rig.refunds.find(reference).orElseThrow().providerRefundId();
      rig.control("/_control/pay", "{\"reference\":\"" + id + "\",\"outcome\":\"success\"}");
    }
    await(
        "every refund is processed",
        () ->
            references.stream()
                .allMatch(
                    r -> rig.refunds.find(r).orElseThrow().status() == RefundStatus.PROCESSED));
    // the first attempts got 503s, which may or may not have refunded: each was looked up in
    // Paystack's list, not found, and only then sent again
    assertThat(
            rig.count(
                "SELECT count(DISTINCT reference) FROM odim_payments.refund_transitions"
                    + " WHERE from_status = 'unknown' AND to_status = 'requested'"
                    + " AND reference = ANY(?)",
                (Object) references.toArray(new String[0])))
        .isPositive();
    for (String payment : payments) {
      assertThat(rig.refundsAtSimulator(payment)).hasSize(1);
      assertThat(rig.payments.find(payment).orElseThrow().status())
          .isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
    }
    assertThat(rig.balance(creator).available()).isEqualTo(5 * (9_000 - 3_600));
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aRefundOfMoreThanIsLeftIsRefusedAndWritesNothing() {
    UUID creator = rig.creator(0);
    String payment = rig.paidPayment(creator, 50_000);
    String first = reference();
    assertThat(rig.refunds.request(new NewRefund(first, payment, Money.of(30_000, NGN))))
        .isInstanceOf(RefundResult.Requested.class);
    String tooMuch = reference();

    // the first refund is not processed yet, and it counts already
    RefundResult result =
        rig.refunds.request(new NewRefund(tooMuch, payment, Money.of(20_001, NGN)));

    assertThat(result)
        .isEqualTo(
            new RefundResult.ExceedsRefundable(Money.of(20_001, NGN), Money.of(20_000, NGN)));
    assertThat(rig.refunds.find(tooMuch)).isEmpty();
    assertThat(rig.refunds.forPayment(payment)).hasSize(1);
    assertThat(rig.refunds.request(new NewRefund(first, payment, Money.of(30_000, NGN))))
        .isInstanceOf(RefundResult.Exists.class);
    assertThat(rig.refunds.request(new NewRefund(first, payment, Money.of(29_000, NGN))))
        .isInstanceOf(RefundResult.ExistsWithDifferentFields.class);
    assertThat(rig.refunds.request(NewRefund.full(reference(), "pay-never-made")))
        .isEqualTo(new RefundResult.UnknownPayment("pay-never-made"));
  }

  @Test
  void racingPartialRefundsNeverAddUpToMoreThanThePayment() throws Exception {
    UUID creator = rig.creator(0);
    String payment = rig.paidPayment(creator, 10_000); // share 9,000, fee 1,000
    List<Callable<RefundResult>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      calls.add(() -> rig.refunds.request(new NewRefund(reference(), payment, Money.of(700, NGN))));
    }
    List<RefundResult> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
      for (Future<RefundResult> f : pool.invokeAll(calls)) {
        results.add(f.get());
      }
    }

    // 10,000 holds fourteen refunds of 700 (9,800), never a fifteenth
    assertThat(results).filteredOn(r -> r instanceof RefundResult.Requested).hasSize(14);
    assertThat(results).filteredOn(r -> r instanceof RefundResult.ExceedsRefundable).hasSize(26);
    assertThat(
            rig.count(
                "SELECT sum(amount_minor) FROM odim_payments.refunds WHERE payment_reference = ?",
                payment))
        .isEqualTo(9_800);
    assertThat(rig.refunds.request(NewRefund.full(reference(), payment)))
        .isInstanceOf(RefundResult.Requested.class);
    assertThat(
            rig.count(
                "SELECT sum(creator_part_minor) FROM odim_payments.refunds"
                    + " WHERE payment_reference = ?",
                payment))
        .isEqualTo(9_000);
    assertThat(rig.balance(creator).available()).isZero();
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aCreatorWhoseShareWasPaidOutCannotBeRefundedFrom() {
    UUID creator = rig.creator(0);
    String payment = rig.paidPayment(creator, 20_000); // share 18,000
    assertThat(
            rig.payouts.request(
                new NewPayout(
                    "po-" + UUID.randomUUID(),
                    creator,
                    Money.of(18_000, NGN),
                    rig.recipient,
                    null)))
        .isInstanceOf(PayoutResult.Requested.class);
    String reference = reference();

    RefundResult result = rig.refunds.request(NewRefund.full(reference, payment));

    assertThat(result)
        .isEqualTo(
            new RefundResult.InsufficientCreatorBalance(Money.of(18_000, NGN), Money.of(0, NGN)));
    assertThat(rig.refunds.find(reference)).isEmpty();
  }

  @Test
  void aDuplicateRefundProcessedChangesNothing() throws Exception {
    UUID creator = rig.creator(0);
    String payment = rig.paidPayment(creator, 40_000);
    PaymentRefund refund = refundThrough(payment, Money.of(10_000, NGN));
    Balance once = rig.balance(creator);
    var data =
        JSON.readTree(
            "{\"id\":"
                + refund.providerRefundId()
                + ",\"transaction_reference\":\""
                + payment
                + "\",\"amount\":10000,\"currency\":\"NGN\",\"status\":\"processed\"}");

    assertThat(rig.inTransaction(h -> rig.refunds.onRefundProcessed(h, data)))
        .isEqualTo(new EventOutcome.AlreadyApplied(refund.reference()));
    assertThat(rig.inTransaction(h -> rig.refunds.onRefundFailed(h, data)))
        .isInstanceOf(EventOutcome.Ignored.class);
    assertThat(rig.balance(creator)).isEqualTo(once);
    assertThat(rig.payments.find(payment).orElseThrow().status())
        .isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
    var stranger =
        JSON.readTree(
            "{\"id\":987654,\"transaction_reference\":\""
                + payment
                + "\",\"amount\":500,\"currency\":\"NGN\"}");
    assertThat(rig.inTransaction(h -> rig.refunds.onRefundProcessed(h, stranger)))
        .isEqualTo(new EventOutcome.Unknown("refund 987654"));
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aFailedRefundReleasesTheHoldAndTheAmountCanBeRefundedAgain() {
    UUID creator = rig.creator(0);
    String payment = rig.paidPayment(creator, 10_000); // share 9,000
    String reference = reference();
    rig.refunds.request(new NewRefund(reference, payment, Money.of(5_000, NGN)));
    await(
        "Paystack accepted the refund",
        () -> rig.refunds.find(reference).orElseThrow().status() == RefundStatus.SENT);
    assertThat(rig.balance(creator).available()).isEqualTo(9_000 - 4_500);
    long id = rig.refunds.find(reference).orElseThrow().providerRefundId();

    rig.control("/_control/pay", "{\"reference\":\"" + id + "\",\"outcome\":\"failed\"}");

    await(
        "the refund failed",
        () -> rig.refunds.find(reference).orElseThrow().status() == RefundStatus.FAILED);
    assertThat(rig.balance(creator).available()).isEqualTo(9_000);
    assertThat(rig.payments.find(payment).orElseThrow().status())
        .isEqualTo(PaymentStatus.SUCCEEDED);
    PaymentRefund again = refundThrough(payment, null);
    assertThat(again.amount()).isEqualTo(Money.of(10_000, NGN));
    assertThat(rig.payments.find(payment).orElseThrow().status()).isEqualTo(PaymentStatus.REFUNDED);
    assertThat(rig.ledger.verify()).isEmpty();
  }
}
