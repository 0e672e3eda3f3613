package dev.odim.payments;

import static dev.odim.payments.MoneyOutRig.NGN;
import static dev.odim.payments.MoneyOutRig.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Money;
import dev.odim.ledger.Balance;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.TestDatabase;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Disputes: charge.dispute.create from the simulator holds; winning releases, losing posts. */
@ExtendWith(PostgresExtension.class)
class DisputesTest {
  private static MoneyOutRig rig;

  @BeforeAll
  static void open(TestDatabase database) {
    rig = new MoneyOutRig(database);
  }

  @AfterAll
  static void close() {
    rig.close();
  }

  /** Opens a dispute of {@code payment} at the simulator and waits for our record of it. */
  private static Dispute disputed(String payment) {
    String id =
        rig.control("/_control/dispute", "{\"reference\":\"" + payment + "\"}")
            .path("data")
            .path("id")
            .asText();
    await("the dispute is recorded", () -> rig.disputes.find(id).isPresent());
    return rig.disputes.find(id).orElseThrow();
  }

  @Test
  void aDisputeHoldsTheAmountAndWinningReleasesIt() {
    UUID creator = rig.creator(5_000); // earlier earnings, so the balance covers the whole amount
    String payment = rig.paidPayment(creator, 20_000); // + 18,000

    Dispute dispute = disputed(payment);

    assertThat(dispute.amount()).isEqualTo(Money.of(20_000, NGN));
    assertThat(dispute.held()).isEqualTo(Money.of(20_000, NGN));
    assertThat(dispute.status()).isEqualTo(DisputeStatus.OPEN);
    assertThat(rig.payments.find(payment).orElseThrow().status()).isEqualTo(PaymentStatus.DISPUTED);
    assertThat(rig.balance(creator).available()).isEqualTo(3_000);

    assertThat(rig.disputes.resolve(dispute.id(), DisputeStatus.WON))
        .isInstanceOf(EventOutcome.Applied.class);

    assertThat(rig.balance(creator).available()).isEqualTo(23_000);
    assertThat(rig.balance(creator).debitsPending()).isZero();
    assertThat(rig.payments.find(payment).orElseThrow().status())
        .isEqualTo(PaymentStatus.SUCCEEDED);
    assertThat(rig.disputes.resolve(dispute.id(), DisputeStatus.WON))
        .isEqualTo(new EventOutcome.AlreadyApplied(dispute.id()));
    assertThat(rig.disputes.resolve(dispute.id(), DisputeStatus.LOST))
        .isInstanceOf(EventOutcome.Ignored.class);
    assertThat(rig.balance(creator).available()).isEqualTo(23_000);
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aLostDisputeTakesWhatWasHeldAndNoMore() {
    UUID creator = rig.creator(0);
    String payment = rig.paidPayment(creator, 20_000); // the creator has 18,000

    Dispute dispute = disputed(payment);

    // the balance covers 18,000 of the 20,000: that much is held, the rest is the platform's risk
    assertThat(dispute.held()).isEqualTo(Money.of(18_000, NGN));
    assertThat(rig.disputes.resolve(dispute.id(), DisputeStatus.LOST))
        .isInstanceOf(EventOutcome.Applied.class);

    Balance after = rig.balance(creator);
    assertThat(after.available()).isZero();
    assertThat(after.debitsPending()).isZero();
    assertThat(after.debitsPosted()).isEqualTo(18_000);
    assertThat(rig.balance(rig.disputes.disputesAccount(NGN)).creditsPosted())
        .isGreaterThanOrEqualTo(18_000);
    assertThat(rig.payments.find(payment).orElseThrow().status()).isEqualTo(PaymentStatus.DISPUTED);
    assertThat(rig.disputes.find(dispute.id()).orElseThrow().status())
        .isEqualTo(DisputeStatus.LOST);
    assertThat(rig.ledger.verify()).isEmpty();
  }

  @Test
  void aRepeatedDisputeWebhookChangesNothing() throws Exception {
    UUID creator = rig.creator(0);
    String payment = rig.paidPayment(creator, 10_000);
    Dispute dispute = disputed(payment);
    Balance once = rig.balance(creator);
    var data =
        new ObjectMapper()
            .readTree(
                "{\"id\":\""
                    + dispute.id()
                    + "\",\"refund_amount\":10000,\"currency\":\"NGN\",\"transaction\":"
                    + "{\"reference\":\""
                    + payment
                    + "\",\"amount\":10000,\"currency\":\"NGN\"}}");

    assertThat(rig.inTransaction(h -> rig.disputes.onDisputeCreated(h, data)))
        .isEqualTo(new EventOutcome.AlreadyApplied(dispute.id()));
    assertThat(rig.balance(creator)).isEqualTo(once);
    assertThat(rig.received)
        .filteredOn(e -> e.startsWith("charge.dispute.create"))
        .allMatch(e -> !e.contains("failed"));
    // a refund waits while the payment is disputed
    assertThat(rig.refunds.request(NewRefund.full("rf-" + UUID.randomUUID(), payment)))
        .isInstanceOf(RefundResult.NotRefundable.class);
    assertThat(rig.ledger.verify()).isEmpty();
  }
}
