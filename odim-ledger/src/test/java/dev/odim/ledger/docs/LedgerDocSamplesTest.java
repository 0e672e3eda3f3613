package dev.odim.ledger.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.Ids;
import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.ledger.Account;
import dev.odim.ledger.AccountCode;
import dev.odim.ledger.AccountFlags;
import dev.odim.ledger.AccountResult;
import dev.odim.ledger.Balance;
import dev.odim.ledger.HistoryPage;
import dev.odim.ledger.JournalEntry;
import dev.odim.ledger.JournalEntry.Leg;
import dev.odim.ledger.JournalResult;
import dev.odim.ledger.Ledger;
import dev.odim.ledger.Posting;
import dev.odim.ledger.Transfer;
import dev.odim.ledger.TransferCode;
import dev.odim.ledger.TransferResult;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every Java sample of docs/ledger.md, compiled and run. A region between {@code // doc:NAME start}
 * and {@code // doc:NAME end} appears in the doc verbatim (less its indentation) after the marker
 * {@code <!-- sample: NAME -->}; {@link DocSamplesMatchTheDocTest} keeps the two equal.
 */
@ExtendWith(PostgresExtension.class)
class LedgerDocSamplesTest {

  // doc:codes start
  // The host's account types and transfer types: any non-negative ints the host chooses.
  static final int PAYSTACK_CLEARING = 100;
  static final int CREATOR_BALANCE = 200;
  static final int PLATFORM_FEES = 300;

  static final int FAN_PAYMENT = 1;
  static final int PAYOUT = 2;
  static final int TIP = 3;

  // doc:codes end

  private final TestDatabase database;
  private final SettableClock clock = SettableClock.standard();
  private final Ids ids = new Ids(clock);
  private Db db;
  private Ledger ledger;
  private UUID clearing;
  private UUID creator;
  private UUID fees;

  LedgerDocSamplesTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void open() {
    db = Db.builder(database.jdbcUrlWithCredentials()).build();
    // No background sweep: the hold-timeout sample releases lapsed holds itself, deterministically.
    ledger = Ledger.builder(db).clock(clock).expiryInterval(Duration.ZERO).build();
    openAccounts();
  }

  @AfterEach
  void close() {
    ledger.close();
    db.close();
  }

  private void openAccounts() {
    // doc:accounts start
    UUID clearing = ids.next(); // what Paystack owes the platform: debited as fans pay
    UUID creator = ids.next(); // what the platform owes one creator
    UUID fees = ids.next(); // the platform's own revenue
    List<AccountResult> opened =
        ledger.createAccounts(
            List.of(
                Account.of(clearing, "NGN", PAYSTACK_CLEARING),
                Account.of(creator, "NGN", CREATOR_BALANCE)
                    .withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
                    .withMetadata("{\"creator\": \"ada\"}"),
                Account.of(fees, "NGN", PLATFORM_FEES)));
    // doc:accounts end
    assertThat(opened).extracting(AccountResult::code).containsOnly(AccountCode.CREATED);
    this.clearing = clearing;
    this.creator = creator;
    this.fees = fees;
  }

  // doc:ids start
  /** An id derived from an outside event: the same event gives the same id, on every retry. */
  static UUID idOf(String... parts) {
    return UUID.nameUUIDFromBytes(String.join("/", parts).getBytes(UTF_8));
  }

  // doc:ids end

  // doc:fan-payment start
  /** Paystack's charge.success for a fan's payment: 90% to the creator, 10% to the platform. */
  JournalResult recordFanPayment(String paystackReference, Money paid) {
    List<Money> split = paid.allocate(90, 10); // exact: the parts add up to the kobo
    return ledger.post(
        JournalEntry.of(
            idOf("charge", paystackReference), // a redelivered webhook answers EXISTS
            FAN_PAYMENT,
            Leg.debit(clearing, paid),
            Leg.credit(creator, split.get(0)),
            Leg.credit(fees, split.get(1))));
  }

  // doc:fan-payment end

  // doc:payout start
  /** The creator asks to be paid: hold the money now, so it cannot be spent twice. */
  TransferResult holdPayout(UUID payoutId, Money amount) {
    // No timeout: once Paystack has the transfer, only Paystack's answer may release the money.
    return ledger.transfer(Transfer.pending(payoutId, creator, clearing, amount, PAYOUT, null));
  }

  /** Paystack's transfer.success: the held money leaves. */
  TransferResult payoutSucceeded(UUID payoutId) {
    return ledger.transfer(
        Transfer.postPending(idOf("payout-post", payoutId.toString()), payoutId));
  }

  /** Paystack's transfer.failed or transfer.reversed: the hold goes back to the creator. */
  TransferResult payoutFailed(UUID payoutId) {
    return ledger.transfer(
        Transfer.voidPending(idOf("payout-void", payoutId.toString()), payoutId));
  }

  // doc:payout end

  // doc:refund start
  /** A full refund: every transfer of the payment moves back, all together or none. */
  List<TransferResult> refundFanPayment(String refundReference, JournalResult payment) {
    List<TransferResult> paid = payment.transfers();
    List<Transfer> reversals = new ArrayList<>();
    for (int i = 0; i < paid.size(); i++) {
      Transfer reversal =
          Transfer.reversal(idOf("refund", refundReference, Integer.toString(i)), paid.get(i).id());
      reversals.add(i < paid.size() - 1 ? reversal.linkedToNext() : reversal);
    }
    return ledger.transfers(reversals);
  }

  // doc:refund end

  // doc:in-transaction start
  /** A tip with a message: the host's row and the ledger's transfer commit as one. */
  TransferResult recordTip(UUID tipId, Money amount, String message) {
    return db.inTransaction(
        handle -> {
          TransferResult result =
              ledger.transfer(handle, Transfer.immediate(tipId, clearing, creator, amount, TIP));
          // A rejected transfer wrote nothing; EXISTS means this tip was recorded before.
          if (result.code() == TransferCode.CREATED) {
            handle.execute(
                "INSERT INTO app.tips (id, creator_account, amount, message) VALUES (?, ?, ?, ?)",
                tipId,
                creator,
                amount.minor(),
                message);
          }
          return result;
        });
  }

  // doc:in-transaction end

  // doc:results start
  /** What the payout endpoint answers: expected outcomes are codes, not exceptions. */
  String requestPayout(UUID payoutId, Money amount) {
    return switch (holdPayout(payoutId, amount)) {
      case TransferResult.Created created -> "payout_pending";
      case TransferResult.Exists retried -> "payout_pending"; // the same request, sent again
      case TransferResult.Rejected r when r.code() == TransferCode.EXCEEDS_CREDITS ->
          "insufficient_funds";
      case TransferResult.Rejected r -> throw new IllegalStateException("payout " + r.code());
    };
  }

  // doc:results end

  // doc:history start
  /** Every change to an account, newest first, one page at a time. */
  List<Posting> fullHistory(UUID account, int pageSize) {
    List<Posting> postings = new ArrayList<>();
    @Nullable String cursor = null;
    do {
      HistoryPage page = ledger.history(account, cursor, pageSize); // 1 to 1000 a page
      postings.addAll(page.postings());
      cursor = page.nextCursor(); // null after the last page
    } while (cursor != null);
    return postings;
  }

  // doc:history end

  private Balance balance(UUID account) {
    return ledger.balance(account).orElseThrow();
  }

  private static Money naira(long naira) {
    return Money.of(naira * 100, "NGN");
  }

  private String newReference() {
    return "T-" + ids.next();
  }

  @Test
  void buildsALedgerOnADatabase() {
    String url = database.jdbcUrlWithCredentials(); // your DATABASE_URL
    // doc:build start
    Db db = Db.builder(url).build(); // postgresql://... or jdbc:postgresql://...
    Ledger ledger =
        Ledger.builder(db)
            .schema("odim_ledger") // the default; build() applies the migrations to it
            .clock(clock) // timestamps and hold timeouts read this clock
            .maxBatchSize(8192) // the default: most transfers in one group commit
            .expiryInterval(Duration.ofSeconds(1)) // the default: how often lapsed holds go back
            .build();
    // doc:build end
    try {
      assertThat(ledger.verify()).isEmpty();
    } finally {
      ledger.close();
      db.close();
    }
  }

  @Test
  void accountsAreCreatedOnceAndARetryAnswersExists() {
    AccountResult again =
        ledger.createAccount(
            Account.of(creator, "NGN", CREATOR_BALANCE)
                .withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
                .withMetadata("{\"creator\": \"ada\"}"));
    AccountResult otherCode = ledger.createAccount(Account.of(fees, "NGN", CREATOR_BALANCE));

    assertThat(again.code()).isEqualTo(AccountCode.EXISTS);
    assertThat(otherCode.code()).isEqualTo(AccountCode.EXISTS_WITH_DIFFERENT_CODE);
    assertThat(balance(creator).version()).isZero();
  }

  @Test
  void aRetriedTransferIsWrittenOnceAndAChangedOneIsRefused() {
    // doc:idempotency start
    UUID tipId = ids.next();
    Transfer tip = Transfer.immediate(tipId, clearing, creator, naira(200), TIP);
    TransferResult first = ledger.transfer(tip); // Created
    TransferResult retry = ledger.transfer(tip); // Exists: nothing written
    TransferResult changed =
        ledger.transfer(Transfer.immediate(tipId, clearing, creator, naira(300), TIP));
    // changed is Rejected with EXISTS_WITH_DIFFERENT_AMOUNT: nothing written
    // doc:idempotency end

    assertThat(first).isInstanceOf(TransferResult.Created.class);
    assertThat(retry).isInstanceOf(TransferResult.Exists.class);
    assertThat(changed.code()).isEqualTo(TransferCode.EXISTS_WITH_DIFFERENT_AMOUNT);
    assertThat(balance(creator).creditsPosted()).isEqualTo(20_000);
    assertThat(balance(clearing).debitsPosted()).isEqualTo(20_000);
  }

  @Test
  void aFanPaymentIsSplitNinetyTenAndARedeliveredWebhookChangesNothing() {
    String reference = newReference();

    JournalResult payment = recordFanPayment(reference, naira(5_000));
    JournalResult redelivered = recordFanPayment(reference, naira(5_000));

    assertThat(payment.ok()).isTrue();
    assertThat(payment.code()).isEqualTo(TransferCode.CREATED);
    assertThat(redelivered.code()).isEqualTo(TransferCode.EXISTS);
    assertThat(balance(clearing).debitsPosted()).isEqualTo(500_000);
    assertThat(balance(creator).creditsPosted()).isEqualTo(450_000);
    assertThat(balance(creator).available()).isEqualTo(450_000);
    assertThat(balance(fees).creditsPosted()).isEqualTo(50_000);
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void aPayoutIsHeldThenPostedWhenPaystackConfirms() {
    recordFanPayment(newReference(), naira(5_000));
    UUID payoutId = ids.next();

    assertThat(holdPayout(payoutId, naira(4_000)).code()).isEqualTo(TransferCode.CREATED);
    Balance held = balance(creator);
    assertThat(held.debitsPending()).isEqualTo(400_000);
    assertThat(held.available()).isEqualTo(50_000);
    assertThat(holdPayout(ids.next(), naira(1_000)).code()).isEqualTo(TransferCode.EXCEEDS_CREDITS);

    assertThat(payoutSucceeded(payoutId).code()).isEqualTo(TransferCode.CREATED);
    assertThat(payoutSucceeded(payoutId).code()).isEqualTo(TransferCode.EXISTS);
    assertThat(payoutFailed(payoutId).code()).isEqualTo(TransferCode.PENDING_ALREADY_POSTED);

    Balance paid = balance(creator);
    assertThat(paid.debitsPending()).isZero();
    assertThat(paid.debitsPosted()).isEqualTo(400_000);
    assertThat(paid.available()).isEqualTo(50_000);
    assertThat(balance(clearing).creditsPosted()).isEqualTo(400_000);
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void aFailedPayoutReleasesTheHold() {
    recordFanPayment(newReference(), naira(5_000));
    UUID payoutId = ids.next();
    holdPayout(payoutId, naira(4_000));

    assertThat(payoutFailed(payoutId).code()).isEqualTo(TransferCode.CREATED);

    Balance released = balance(creator);
    assertThat(released.debitsPending()).isZero();
    assertThat(released.debitsPosted()).isZero();
    assertThat(released.available()).isEqualTo(450_000);
    assertThat(balance(clearing).creditsPosted()).isZero();
  }

  @Test
  void aRefundMovesTheWholePaymentBack() {
    JournalResult payment = recordFanPayment(newReference(), naira(5_000));

    List<TransferResult> refund = refundFanPayment("RF-1", payment);

    assertThat(refund).allMatch(TransferResult::ok);
    assertThat(balance(creator).available()).isZero();
    assertThat(balance(creator).creditsPosted()).isEqualTo(450_000);
    assertThat(balance(fees).debitsPosted()).isEqualTo(50_000);
    Balance clearingAfter = balance(clearing);
    assertThat(clearingAfter.debitsPosted()).isEqualTo(clearingAfter.creditsPosted());
    assertThat(refundFanPayment("RF-1", payment))
        .extracting(TransferResult::code)
        .containsOnly(TransferCode.EXISTS);
    assertThat(ledger.verify()).isEmpty();
  }

  @Test
  void aRefundTheCreatorCannotCoverChangesNothing() {
    JournalResult payment = recordFanPayment(newReference(), naira(5_000));
    holdPayout(ids.next(), naira(4_000)); // only 500 naira left to take back

    List<TransferResult> refund = refundFanPayment("RF-2", payment);

    assertThat(refund)
        .extracting(TransferResult::code)
        .containsExactlyInAnyOrder(TransferCode.EXCEEDS_CREDITS, TransferCode.LINKED_EVENT_FAILED);
    assertThat(balance(creator).debitsPosted()).isZero();
    assertThat(balance(fees).debitsPosted()).isZero();
  }

  @Test
  void aTipAndTheHostsRowCommitTogether() {
    db.useTransaction(
        handle -> {
          handle.execute("CREATE SCHEMA IF NOT EXISTS app");
          handle.execute(
              "CREATE TABLE IF NOT EXISTS app.tips (id uuid PRIMARY KEY, creator_account uuid NOT"
                  + " NULL, amount bigint NOT NULL, message text NOT NULL)");
        });
    UUID tipId = ids.next();

    assertThat(recordTip(tipId, naira(1_000), "Loved the stream").code())
        .isEqualTo(TransferCode.CREATED);
    assertThat(recordTip(tipId, naira(1_000), "Loved the stream").code())
        .isEqualTo(TransferCode.EXISTS);
    UUID failing = ids.next();
    assertThatThrownBy(
            () ->
                db.useTransaction(
                    handle -> {
                      ledger.transfer(
                          handle, Transfer.immediate(failing, clearing, creator, naira(50), TIP));
                      throw new IllegalStateException("the host's own write failed");
                    }))
        .hasMessageContaining("host's own write failed");

    long rows =
        db.withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM app.tips WHERE id = ?")
                    .bind(0, tipId)
                    .mapTo(Long.class)
                    .one());
    assertThat(rows).isEqualTo(1);
    assertThat(ledger.transferById(failing)).isEmpty();
    assertThat(balance(creator).creditsPosted()).isEqualTo(100_000);
  }

  @Test
  void payoutRequestsAnswerWithCodes() {
    recordFanPayment(newReference(), naira(5_000));
    UUID payoutId = ids.next();

    assertThat(requestPayout(payoutId, naira(4_000))).isEqualTo("payout_pending");
    assertThat(requestPayout(payoutId, naira(4_000))).isEqualTo("payout_pending");
    assertThat(requestPayout(ids.next(), naira(1_000))).isEqualTo("insufficient_funds");
    assertThat(balance(creator).debitsPending()).isEqualTo(400_000);
  }

  @Test
  void anUnreviewedHoldLapsesAndTheMoneyComesBack() {
    recordFanPayment(newReference(), naira(5_000));
    // doc:hold-timeout start
    // A large payout waits for an admin's review; unreviewed after 72 hours, it lapses.
    UUID review = ids.next();
    ledger.transfer(
        Transfer.pending(review, creator, clearing, naira(3_000), PAYOUT, Duration.ofHours(72)));
    // doc:hold-timeout end
    assertThat(balance(creator).available()).isEqualTo(150_000);
    clock.advance(Duration.ofHours(73));

    // doc:expire start
    int lapsed = ledger.expirePendingTransfers(); // with expiryInterval(ZERO), from your scheduler
    // doc:expire end

    assertThat(lapsed).isEqualTo(1);
    assertThat(balance(creator).available()).isEqualTo(450_000);
    assertThat(ledger.transfer(Transfer.postPending(ids.next(), review)).code())
        .isEqualTo(TransferCode.PENDING_EXPIRED);
    assertThat(ledger.transferById(review).orElseThrow().pendingState()).isEqualTo("expired");
  }

  @Test
  void balancesCanBeReadAsOfAnyTime() {
    recordFanPayment(newReference(), naira(5_000)); // 2026-01-01
    clock.set(Instant.parse("2026-02-10T12:00:00Z"));
    recordFanPayment(newReference(), naira(1_000));

    // doc:balance-as-of start
    Instant endOfJanuary = Instant.parse("2026-02-01T00:00:00Z");
    Balance then = ledger.balanceAsOf(creator, endOfJanuary).orElseThrow();
    Balance now = ledger.balance(creator).orElseThrow();
    long earnedSinceJanuary = now.creditsPosted() - then.creditsPosted(); // in kobo
    // doc:balance-as-of end

    assertThat(then.creditsPosted()).isEqualTo(450_000);
    assertThat(then.version()).isEqualTo(1);
    assertThat(earnedSinceJanuary).isEqualTo(90_000);
  }

  @Test
  void historyPagesNewestFirst() {
    recordFanPayment(newReference(), naira(1_000));
    recordFanPayment(newReference(), naira(2_000));
    recordFanPayment(newReference(), naira(3_000));
    UUID payoutId = ids.next();
    holdPayout(payoutId, naira(4_000));
    payoutSucceeded(payoutId);

    List<Posting> history = fullHistory(creator, 2);

    assertThat(history).extracting(Posting::version).containsExactly(5L, 4L, 3L, 2L, 1L);
    assertThat(history)
        .extracting(Posting::event)
        .containsExactly("post", "transfer", "transfer", "transfer", "transfer");
    assertThat(history.get(0).balance().available()).isEqualTo(140_000);
  }
}
