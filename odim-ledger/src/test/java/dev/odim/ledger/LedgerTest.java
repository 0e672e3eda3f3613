package dev.odim.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.odim.core.Money;
import dev.odim.core.db.Db;
import dev.odim.ledger.JournalEntry.Leg;
import dev.odim.testkit.PostgresExtension;
import dev.odim.testkit.SettableClock;
import dev.odim.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ledger's behaviour by example, through the public API, on a real database. Tests share the
 * class's schema and clock, so each uses accounts of its own and moves the clock only forward;
 * every test ends with {@link Ledger#verify()} finding nothing.
 */
@ExtendWith(PostgresExtension.class)
class LedgerTest {
  private static final Currency NGN = Currency.getInstance("NGN");
  private static final int SALE = 1;

  private static Db db;
  private static SettableClock clock;
  private static Ledger ledger;

  @BeforeAll
  static void start(TestDatabase database) {
    db = Db.builder(database.jdbcUrlWithCredentials()).maximumPoolSize(16).build();
    clock = SettableClock.standard();
    ledger = Ledger.builder(db).clock(clock).build();
  }

  @AfterAll
  static void stop() {
    ledger.close();
    db.close();
  }

  @AfterEach
  void invariantsHold() {
    assertThat(ledger.verify()).isEmpty();
  }

  // ---------------------------------------------------------------- immediate transfers

  @Test
  void immediateTransferMovesMoneyBetweenTwoAccounts() {
    UUID fan = account();
    UUID creator = account();
    UUID id = UUID.randomUUID();
    Instant now = clock.advance(Duration.ofSeconds(1));

    TransferResult result = ledger.transfer(Transfer.immediate(id, fan, creator, ngn(5_000), SALE));

    assertThat(result).isEqualTo(new TransferResult.Created(id, 5_000, now));
    assertThat(balanceOf(fan))
        .returns(5_000L, Balance::debitsPosted)
        .returns(0L, Balance::creditsPosted)
        .returns(0L, Balance::debitsPending)
        .returns(0L, Balance::creditsPending)
        .returns(1L, Balance::version)
        .returns(now, Balance::asOf);
    assertThat(balanceOf(creator))
        .returns(0L, Balance::debitsPosted)
        .returns(5_000L, Balance::creditsPosted)
        .returns(5_000L, Balance::available)
        .returns(1L, Balance::version);
  }

  @Test
  void aNewAccountHasZeroBalancesAndAnUnknownOneHasNone() {
    UUID id = account();

    assertThat(balanceOf(id))
        .returns(id, Balance::accountId)
        .returns(NGN, Balance::currency)
        .returns(0L, Balance::debitsPending)
        .returns(0L, Balance::debitsPosted)
        .returns(0L, Balance::creditsPending)
        .returns(0L, Balance::creditsPosted)
        .returns(0L, Balance::version);
    assertThat(ledger.balance(UUID.randomUUID())).isEmpty();
  }

  @Test
  void transferByIdReturnsWhatWasStored() {
    UUID fan = account();
    UUID creator = account();
    UUID id = UUID.randomUUID();
    Instant now = clock.advance(Duration.ofSeconds(1));
    ledger.transfer(
        Transfer.immediate(id, fan, creator, ngn(1_234), 7).withMetadata("{\"order\":\"o-1\"}"));

    TransferRecord stored = ledger.transferById(id).orElseThrow();

    assertThat(stored.id()).isEqualTo(id);
    assertThat(stored.kind()).isEqualTo(TransferKind.IMMEDIATE);
    assertThat(stored.debitAccountId()).isEqualTo(fan);
    assertThat(stored.creditAccountId()).isEqualTo(creator);
    assertThat(stored.amount()).isEqualTo(1_234);
    assertThat(stored.currency()).isEqualTo(NGN);
    assertThat(stored.code()).isEqualTo(7);
    assertThat(stored.pendingId()).isNull();
    assertThat(stored.reversesId()).isNull();
    assertThat(stored.pendingState()).isNull();
    assertThat(stored.timeoutAt()).isNull();
    assertThat(stored.reversedAmount()).isZero();
    assertThat(withoutSpaces(stored.metadata())).isEqualTo("{\"order\":\"o-1\"}");
    assertThat(stored.timestamp()).isEqualTo(now);
    assertThat(ledger.transferById(UUID.randomUUID())).isEmpty();
  }

  @Test
  void transfersAsyncCompletesWithTheResults() {
    UUID fan = account();
    UUID creator = account();
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();

    List<TransferResult> results =
        ledger
            .transfersAsync(
                List.of(
                    Transfer.immediate(first, fan, creator, ngn(10), SALE),
                    Transfer.immediate(second, fan, creator, ngn(20), SALE)))
            .join();

    assertThat(results).extracting(TransferResult::code).containsOnly(TransferCode.CREATED);
    assertThat(results).extracting(TransferResult::id).containsExactly(first, second);
    assertThat(balanceOf(creator).creditsPosted()).isEqualTo(30);
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  void sameIdWithSameFieldsAnswersExistsWithTheOriginalResultAndWritesNothing() {
    UUID fan = account();
    UUID creator = account();
    UUID id = UUID.randomUUID();
    Transfer transfer =
        Transfer.immediate(id, fan, creator, ngn(5_000), SALE).withMetadata("{\"order\":\"o-7\"}");
    Instant first = clock.advance(Duration.ofSeconds(1));
    ledger.transfer(transfer);
    clock.advance(Duration.ofMinutes(5));

    TransferResult again = ledger.transfer(transfer);

    assertThat(again).isEqualTo(new TransferResult.Exists(id, 5_000, first));
    assertThat(transferRows(id)).isEqualTo(1);
    assertThat(balanceOf(fan).debitsPosted()).isEqualTo(5_000);
    assertThat(balanceOf(creator).creditsPosted()).isEqualTo(5_000);
    assertThat(balanceOf(creator).version()).isEqualTo(1);
  }

  @Test
  void sameIdWithOtherFieldsIsRefusedFieldByFieldAndWritesNothing() {
    UUID fan = account();
    UUID creator = account();
    UUID other = account();
    UUID id = UUID.randomUUID();
    Transfer original =
        Transfer.immediate(id, fan, creator, ngn(5_000), SALE).withMetadata("{\"order\":\"o-8\"}");
    ledger.transfer(original);

    assertThat(
            ledger
                .transfer(
                    Transfer.immediate(id, fan, creator, ngn(5_001), SALE)
                        .withMetadata("{\"order\":\"o-8\"}"))
                .code())
        .isEqualTo(TransferCode.EXISTS_WITH_DIFFERENT_AMOUNT);
    assertThat(
            ledger
                .transfer(
                    Transfer.immediate(id, other, creator, ngn(5_000), SALE)
                        .withMetadata("{\"order\":\"o-8\"}"))
                .code())
        .isEqualTo(TransferCode.EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT);
    assertThat(
            ledger
                .transfer(
                    Transfer.immediate(id, fan, other, ngn(5_000), SALE)
                        .withMetadata("{\"order\":\"o-8\"}"))
                .code())
        .isEqualTo(TransferCode.EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT);
    assertThat(ledger.transfer(original.withCode(SALE + 1)).code())
        .isEqualTo(TransferCode.EXISTS_WITH_DIFFERENT_CODE);
    assertThat(ledger.transfer(original.withMetadata("{\"order\":\"o-9\"}")).code())
        .isEqualTo(TransferCode.EXISTS_WITH_DIFFERENT_METADATA);
    assertThat(
            ledger
                .transfer(
                    Transfer.pending(id, fan, creator, ngn(5_000), SALE, null)
                        .withMetadata("{\"order\":\"o-8\"}"))
                .code())
        .isEqualTo(TransferCode.EXISTS_WITH_DIFFERENT_KIND);

    assertThat(transferRows(id)).isEqualTo(1);
    assertThat(ledger.transferById(id).orElseThrow())
        .returns(5_000L, TransferRecord::amount)
        .returns(fan, TransferRecord::debitAccountId)
        .returns(creator, TransferRecord::creditAccountId)
        .returns(SALE, TransferRecord::code);
    assertThat(balanceOf(fan).debitsPosted()).isEqualTo(5_000);
    assertThat(balanceOf(creator).creditsPosted()).isEqualTo(5_000);
    assertThat(balanceOf(other).version()).isZero();
  }

  @Test
  void aRejectedTransferLeavesItsIdFreeForARetryOnceTheCauseIsGone() {
    UUID source = account();
    UUID wallet = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    UUID shop = account();
    UUID id = UUID.randomUUID();
    Transfer purchase = Transfer.immediate(id, wallet, shop, ngn(300), SALE);

    assertThat(ledger.transfer(purchase).code()).isEqualTo(TransferCode.EXCEEDS_CREDITS);
    assertThat(transferRows(id)).isZero();

    ledger.transfer(Transfer.immediate(UUID.randomUUID(), source, wallet, ngn(300), SALE));
    assertThat(ledger.transfer(purchase).code()).isEqualTo(TransferCode.CREATED);
    assertThat(balanceOf(wallet).available()).isZero();
  }

  // ---------------------------------------------------------------- invalid transfers

  @Test
  void invalidTransfersAreRejectedWithTheirCodeAndLeaveBalancesUntouched() {
    UUID a = account();
    UUID b = account();
    UUID dollars = account("USD");
    ledger.transfer(Transfer.immediate(UUID.randomUUID(), a, b, ngn(100), SALE));
    Balance aBefore = balanceOf(a);
    Balance bBefore = balanceOf(b);
    Balance dollarsBefore = balanceOf(dollars);

    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, b, ngn(0), SALE),
        TransferCode.AMOUNT_MUST_BE_POSITIVE);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, b, ngn(-5), SALE),
        TransferCode.AMOUNT_MUST_BE_POSITIVE);
    assertRejected(
        Transfer.pending(UUID.randomUUID(), a, b, ngn(0), SALE, null),
        TransferCode.AMOUNT_MUST_BE_POSITIVE);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), UUID.randomUUID(), b, ngn(10), SALE),
        TransferCode.ACCOUNT_NOT_FOUND);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, UUID.randomUUID(), ngn(10), SALE),
        TransferCode.ACCOUNT_NOT_FOUND);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, a, ngn(10), SALE),
        TransferCode.ACCOUNTS_MUST_BE_DIFFERENT);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, b, Money.of(10, "USD"), SALE),
        TransferCode.CURRENCY_MISMATCH);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, dollars, ngn(10), SALE),
        TransferCode.CURRENCY_MISMATCH);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, b, ngn(10), SALE).withMetadata("{not json"),
        TransferCode.INVALID_METADATA);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, b, ngn(10), SALE).withMetadata("[1,2]"),
        TransferCode.INVALID_METADATA);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, b, ngn(10), SALE).withMetadata("\"text\""),
        TransferCode.INVALID_METADATA);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, b, ngn(10), -1),
        TransferCode.CODE_MUST_NOT_BE_NEGATIVE);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, b, ngn(10), SALE).linkedToNext(),
        TransferCode.LINKED_CHAIN_OPEN);

    assertThat(balanceOf(a)).isEqualTo(aBefore);
    assertThat(balanceOf(b)).isEqualTo(bBefore);
    assertThat(balanceOf(dollars)).isEqualTo(dollarsBefore);
  }

  @Test
  void aClosedAccountTakesNoTransfersUntilReopened() {
    UUID a = account();
    UUID b = account();

    assertThat(ledger.closeAccount(b)).isTrue();
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), a, b, ngn(10), SALE), TransferCode.ACCOUNT_CLOSED);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), b, a, ngn(10), SALE), TransferCode.ACCOUNT_CLOSED);
    assertThat(balanceOf(a).version()).isZero();
    assertThat(balanceOf(b).version()).isZero();

    assertThat(ledger.reopenAccount(b)).isTrue();
    assertThat(ledger.transfer(Transfer.immediate(UUID.randomUUID(), a, b, ngn(10), SALE)).code())
        .isEqualTo(TransferCode.CREATED);
    assertThat(ledger.closeAccount(UUID.randomUUID())).isFalse();
    assertThat(ledger.reopenAccount(UUID.randomUUID())).isFalse();
  }

  // ---------------------------------------------------------------- accounts

  @Test
  void creatingAnAccountIsIdempotentAndRefusesAChangedOne() {
    UUID id = UUID.randomUUID();
    Account account =
        Account.of(id, "NGN", 10)
            .withFlags(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
            .withMetadata("{\"owner\":\"creator-1\"}");

    assertThat(ledger.createAccount(account)).isEqualTo(new AccountResult(id, AccountCode.CREATED));
    assertThat(ledger.createAccount(account)).isEqualTo(new AccountResult(id, AccountCode.EXISTS));
    assertThat(ledger.createAccount(account).ok()).isTrue();
    assertThat(
            ledger
                .createAccount(
                    new Account(
                        id, Currency.getInstance("USD"), 10, account.flags(), account.metadata()))
                .code())
        .isEqualTo(AccountCode.EXISTS_WITH_DIFFERENT_CURRENCY);
    assertThat(
            ledger
                .createAccount(new Account(id, NGN, 11, account.flags(), account.metadata()))
                .code())
        .isEqualTo(AccountCode.EXISTS_WITH_DIFFERENT_CODE);
    assertThat(ledger.createAccount(account.withFlags(AccountFlags.NONE)).code())
        .isEqualTo(AccountCode.EXISTS_WITH_DIFFERENT_FLAGS);
    assertThat(ledger.createAccount(account.withMetadata("{\"owner\":\"creator-2\"}")).code())
        .isEqualTo(AccountCode.EXISTS_WITH_DIFFERENT_METADATA);
    assertThat(ledger.createAccount(account.withFlags(AccountFlags.NONE)).ok()).isFalse();

    assertThat(accountRows(id)).isEqualTo(1);
    assertThat(balanceOf(id).currency()).isEqualTo(NGN);
  }

  @Test
  void invalidAccountsAreRefusedAndNotCreated() {
    UUID bothLimits = UUID.randomUUID();
    UUID notJson = UUID.randomUUID();
    UUID array = UUID.randomUUID();
    UUID negativeCode = UUID.randomUUID();
    UUID gold = UUID.randomUUID();
    UUID fine = UUID.randomUUID();

    List<AccountResult> results =
        ledger.createAccounts(
            List.of(
                Account.of(bothLimits, "NGN", 1)
                    .withFlags(new AccountFlags(true, true, false, false)),
                Account.of(notJson, "NGN", 1).withMetadata("{not json"),
                Account.of(array, "NGN", 1).withMetadata("[1,2]"),
                Account.of(negativeCode, "NGN", -1),
                Account.of(gold, "XAU", 1),
                Account.of(fine, "NGN", 1)));

    assertThat(results)
        .containsExactly(
            new AccountResult(bothLimits, AccountCode.FLAGS_ARE_MUTUALLY_EXCLUSIVE),
            new AccountResult(notJson, AccountCode.INVALID_METADATA),
            new AccountResult(array, AccountCode.INVALID_METADATA),
            new AccountResult(negativeCode, AccountCode.CODE_MUST_NOT_BE_NEGATIVE),
            new AccountResult(gold, AccountCode.INVALID_CURRENCY),
            new AccountResult(fine, AccountCode.CREATED));
    for (UUID refused : List.of(bothLimits, notJson, array, negativeCode, gold)) {
      assertThat(ledger.balance(refused)).as("balance of refused %s", refused).isEmpty();
      assertThat(accountRows(refused)).isZero();
    }
  }

  @Test
  void createAccountsWithAHandleJoinsTheCallersTransaction() {
    UUID kept = UUID.randomUUID();
    UUID rolledBack = UUID.randomUUID();

    db.useTransaction(
        h -> ledger.createAccounts(h, List.of(Account.of(kept, "NGN", 1))).getFirst());
    assertThatThrownBy(
            () ->
                db.useTransaction(
                    h -> {
                      assertThat(
                              ledger.createAccounts(h, List.of(Account.of(rolledBack, "NGN", 1))))
                          .extracting(AccountResult::code)
                          .containsExactly(AccountCode.CREATED);
                      throw new IllegalStateException("the host's work failed");
                    }))
        .hasMessage("the host's work failed");

    assertThat(ledger.balance(kept)).isPresent();
    assertThat(ledger.balance(rolledBack)).isEmpty();
  }

  // ---------------------------------------------------------------- limits and balancing

  @Test
  void debitsMayNotExceedCreditsOnALimitedAccountCountingHolds() {
    UUID source = account();
    UUID wallet = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    UUID shop = account();
    ledger.transfer(Transfer.immediate(UUID.randomUUID(), source, wallet, ngn(1_000), SALE));

    assertRejected(
        Transfer.immediate(UUID.randomUUID(), wallet, shop, ngn(1_001), SALE),
        TransferCode.EXCEEDS_CREDITS);
    assertThat(
            ledger
                .transfer(Transfer.pending(UUID.randomUUID(), wallet, shop, ngn(600), SALE, null))
                .code())
        .isEqualTo(TransferCode.CREATED);
    assertRejected(
        Transfer.immediate(UUID.randomUUID(), wallet, shop, ngn(401), SALE),
        TransferCode.EXCEEDS_CREDITS);
    assertThat(
            ledger
                .transfer(Transfer.immediate(UUID.randomUUID(), wallet, shop, ngn(400), SALE))
                .code())
        .isEqualTo(TransferCode.CREATED);

    assertThat(balanceOf(wallet))
        .returns(1_000L, Balance::creditsPosted)
        .returns(400L, Balance::debitsPosted)
        .returns(600L, Balance::debitsPending)
        .returns(0L, Balance::available);
  }

  @Test
  void creditsMayNotExceedDebitsOnTheMirroredLimit() {
    UUID clearing = account(AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS);
    UUID bank = account();

    assertRejected(
        Transfer.immediate(UUID.randomUUID(), bank, clearing, ngn(1), SALE),
        TransferCode.EXCEEDS_DEBITS);
    ledger.transfer(Transfer.immediate(UUID.randomUUID(), clearing, bank, ngn(500), SALE));
    assertThat(
            ledger
                .transfer(Transfer.immediate(UUID.randomUUID(), bank, clearing, ngn(500), SALE))
                .code())
        .isEqualTo(TransferCode.CREATED);
    assertThat(balanceOf(clearing).availableDebit()).isZero();
  }

  @Test
  void balancingDebitMovesOnlyWhatIsAvailable() {
    UUID source = account();
    UUID wallet = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    UUID payout = account();
    ledger.transfer(Transfer.immediate(UUID.randomUUID(), source, wallet, ngn(400), SALE));
    UUID sweep = UUID.randomUUID();

    TransferResult result =
        ledger.transfer(
            Transfer.immediate(sweep, wallet, payout, ngn(1_000), SALE)
                .withBalancing(Balancing.DEBIT));

    assertThat(result).isInstanceOf(TransferResult.Created.class);
    assertThat(((TransferResult.Created) result).amount()).isEqualTo(400);
    assertThat(ledger.transferById(sweep).orElseThrow().amount()).isEqualTo(400);
    assertThat(balanceOf(wallet).available()).isZero();
    assertThat(balanceOf(payout).creditsPosted()).isEqualTo(400);
    assertThat(
            ledger.transfer(
                Transfer.immediate(sweep, wallet, payout, ngn(1_000), SALE)
                    .withBalancing(Balancing.DEBIT)))
        .as("the retry answers with what moved, not what was asked")
        .isInstanceOf(TransferResult.Exists.class)
        .extracting(r -> ((TransferResult.Exists) r).amount())
        .isEqualTo(400L);
  }

  @Test
  void balancingCreditMovesOnlyWhatTheCreditAccountCanTake() {
    UUID clearing = account(AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS);
    UUID bank = account();
    ledger.transfer(Transfer.immediate(UUID.randomUUID(), clearing, bank, ngn(300), SALE));

    TransferResult result =
        ledger.transfer(
            Transfer.immediate(UUID.randomUUID(), bank, clearing, ngn(1_000), SALE)
                .withBalancing(Balancing.CREDIT));

    assertThat(result).isInstanceOf(TransferResult.Created.class);
    assertThat(((TransferResult.Created) result).amount()).isEqualTo(300);
    assertThat(balanceOf(clearing).availableDebit()).isZero();
  }

  // ---------------------------------------------------------------- pending transfers

  @Test
  void aHoldShowsAsPendingOnBothAccounts() {
    UUID fan = account();
    UUID creator = account();
    UUID hold = UUID.randomUUID();

    assertThat(ledger.transfer(Transfer.pending(hold, fan, creator, ngn(700), SALE, null)).code())
        .isEqualTo(TransferCode.CREATED);

    assertThat(balanceOf(fan))
        .returns(700L, Balance::debitsPending)
        .returns(0L, Balance::debitsPosted);
    assertThat(balanceOf(creator))
        .returns(700L, Balance::creditsPending)
        .returns(0L, Balance::creditsPosted)
        .returns(0L, Balance::available);
    assertThat(ledger.transferById(hold).orElseThrow())
        .returns(TransferKind.PENDING, TransferRecord::kind)
        .returns("pending", TransferRecord::pendingState);
  }

  @Test
  void postingAHoldInFullMovesItFromPendingToPosted() {
    UUID fan = account();
    UUID creator = account();
    UUID hold = UUID.randomUUID();
    UUID post = UUID.randomUUID();
    ledger.transfer(Transfer.pending(hold, fan, creator, ngn(700), SALE, null));

    TransferResult result = ledger.transfer(Transfer.postPending(post, hold));

    assertThat(result).isInstanceOf(TransferResult.Created.class);
    assertThat(((TransferResult.Created) result).amount()).isEqualTo(700);
    assertThat(balanceOf(fan))
        .returns(0L, Balance::debitsPending)
        .returns(700L, Balance::debitsPosted);
    assertThat(balanceOf(creator))
        .returns(0L, Balance::creditsPending)
        .returns(700L, Balance::creditsPosted);
    assertThat(ledger.transferById(hold).orElseThrow().pendingState()).isEqualTo("posted");
    assertThat(ledger.transferById(post).orElseThrow())
        .returns(TransferKind.POST_PENDING, TransferRecord::kind)
        .returns(hold, TransferRecord::pendingId)
        .returns(fan, TransferRecord::debitAccountId)
        .returns(creator, TransferRecord::creditAccountId)
        .returns(700L, TransferRecord::amount);
  }

  @Test
  void postingPartOfAHoldReleasesTheRest() {
    UUID fan = account();
    UUID creator = account();
    UUID hold = UUID.randomUUID();
    ledger.transfer(Transfer.pending(hold, fan, creator, ngn(700), SALE, null));

    assertThat(ledger.transfer(Transfer.postPending(UUID.randomUUID(), hold, ngn(300))).code())
        .isEqualTo(TransferCode.CREATED);

    assertThat(balanceOf(fan))
        .returns(0L, Balance::debitsPending)
        .returns(300L, Balance::debitsPosted);
    assertThat(balanceOf(creator))
        .returns(0L, Balance::creditsPending)
        .returns(300L, Balance::creditsPosted);
    assertThat(ledger.transferById(hold).orElseThrow().pendingState()).isEqualTo("posted");
  }

  @Test
  void voidingAHoldReleasesItAndMovesNothing() {
    UUID fan = account();
    UUID creator = account();
    UUID hold = UUID.randomUUID();
    ledger.transfer(Transfer.pending(hold, fan, creator, ngn(700), SALE, null));

    assertThat(ledger.transfer(Transfer.voidPending(UUID.randomUUID(), hold)).code())
        .isEqualTo(TransferCode.CREATED);

    assertThat(balanceOf(fan))
        .returns(0L, Balance::debitsPending)
        .returns(0L, Balance::debitsPosted);
    assertThat(balanceOf(creator))
        .returns(0L, Balance::creditsPending)
        .returns(0L, Balance::creditsPosted);
    assertThat(ledger.transferById(hold).orElseThrow().pendingState()).isEqualTo("voided");
  }

  @Test
  void aHoldIsResolvedOnlyOnce() {
    UUID fan = account();
    UUID creator = account();
    UUID posted = UUID.randomUUID();
    UUID voided = UUID.randomUUID();
    ledger.transfer(Transfer.pending(posted, fan, creator, ngn(100), SALE, null));
    ledger.transfer(Transfer.pending(voided, fan, creator, ngn(200), SALE, null));
    ledger.transfer(Transfer.postPending(UUID.randomUUID(), posted));
    ledger.transfer(Transfer.voidPending(UUID.randomUUID(), voided));
    Balance fanBefore = balanceOf(fan);

    assertRejected(
        Transfer.postPending(UUID.randomUUID(), posted), TransferCode.PENDING_ALREADY_POSTED);
    assertRejected(
        Transfer.voidPending(UUID.randomUUID(), posted), TransferCode.PENDING_ALREADY_POSTED);
    assertRejected(
        Transfer.postPending(UUID.randomUUID(), voided), TransferCode.PENDING_ALREADY_VOIDED);
    assertRejected(
        Transfer.voidPending(UUID.randomUUID(), voided), TransferCode.PENDING_ALREADY_VOIDED);

    assertThat(balanceOf(fan)).isEqualTo(fanBefore);
    assertThat(resolutionRows(posted)).isEqualTo(1);
    assertThat(resolutionRows(voided)).isEqualTo(1);
  }

  @Test
  void invalidPostsAndVoidsAreRejected() {
    UUID fan = account();
    UUID creator = account();
    UUID hold = UUID.randomUUID();
    UUID immediate = UUID.randomUUID();
    ledger.transfer(Transfer.pending(hold, fan, creator, ngn(700), SALE, null));
    ledger.transfer(Transfer.immediate(immediate, fan, creator, ngn(50), SALE));
    Balance fanBefore = balanceOf(fan);

    assertRejected(
        Transfer.postPending(UUID.randomUUID(), hold, ngn(701)),
        TransferCode.EXCEEDS_PENDING_AMOUNT);
    assertRejected(
        Transfer.postPending(UUID.randomUUID(), UUID.randomUUID()), TransferCode.PENDING_NOT_FOUND);
    assertRejected(Transfer.postPending(UUID.randomUUID(), immediate), TransferCode.NOT_PENDING);
    assertRejected(Transfer.voidPending(UUID.randomUUID(), immediate), TransferCode.NOT_PENDING);
    assertRejected(
        Transfer.pending(UUID.randomUUID(), fan, creator, ngn(5), SALE, Duration.ofSeconds(-1)),
        TransferCode.INVALID_TIMEOUT);

    assertThat(balanceOf(fan)).isEqualTo(fanBefore);
    assertThat(ledger.transferById(hold).orElseThrow().pendingState()).isEqualTo("pending");
  }

  @Test
  void aHoldPastItsTimeoutCannotBePostedAndExpiryReleasesIt() {
    SettableClock ownClock = SettableClock.standard();
    // A ledger of its own: expirePendingTransfers() counts every expired hold of its schema.
    try (Ledger expiring = Ledger.builder(db).schema("l_expiry").clock(ownClock).build()) {
      UUID fan = UUID.randomUUID();
      UUID creator = UUID.randomUUID();
      expiring.createAccounts(List.of(Account.of(fan, "NGN", 1), Account.of(creator, "NGN", 1)));
      UUID shortHold = UUID.randomUUID();
      UUID otherShortHold = UUID.randomUUID();
      UUID longHold = UUID.randomUUID();
      UUID noTimeout = UUID.randomUUID();
      Instant start = ownClock.instant();
      expiring.transfer(Transfer.pending(shortHold, fan, creator, ngn(100), SALE, minutes(1)));
      expiring.transfer(Transfer.pending(otherShortHold, fan, creator, ngn(20), SALE, minutes(1)));
      expiring.transfer(
          Transfer.pending(longHold, fan, creator, ngn(3), SALE, Duration.ofHours(1)));
      expiring.transfer(Transfer.pending(noTimeout, fan, creator, ngn(4), SALE, null));
      assertThat(expiring.transferById(shortHold).orElseThrow().timeoutAt())
          .isEqualTo(start.plus(minutes(1)));
      assertThat(expiring.transferById(noTimeout).orElseThrow().timeoutAt()).isNull();

      ownClock.advance(Duration.ofSeconds(59));
      assertThat(expiring.expirePendingTransfers()).isZero();
      ownClock.advance(Duration.ofSeconds(2));

      assertThat(expiring.transfer(Transfer.postPending(UUID.randomUUID(), shortHold)).code())
          .isEqualTo(TransferCode.PENDING_EXPIRED);
      assertThat(expiring.transfer(Transfer.voidPending(UUID.randomUUID(), otherShortHold)).code())
          .isEqualTo(TransferCode.PENDING_EXPIRED);
      // The rejected post may already have released its hold ("it was, or is now, released"), so
      // only the total after expiry is exact, not the count.
      assertThat(expiring.expirePendingTransfers()).isBetween(0, 2);
      assertThat(expiring.expirePendingTransfers()).isZero();

      assertThat(expiring.balance(fan).orElseThrow())
          .returns(7L, Balance::debitsPending)
          .returns(0L, Balance::debitsPosted);
      assertThat(expiring.balance(creator).orElseThrow())
          .returns(7L, Balance::creditsPending)
          .returns(0L, Balance::creditsPosted);
      assertThat(expiring.transferById(shortHold).orElseThrow().pendingState())
          .isEqualTo("expired");
      assertThat(expiring.transferById(otherShortHold).orElseThrow().pendingState())
          .isEqualTo("expired");
      assertThat(expiring.transferById(longHold).orElseThrow().pendingState()).isEqualTo("pending");
      assertThat(expiring.transfer(Transfer.postPending(UUID.randomUUID(), shortHold)).code())
          .isEqualTo(TransferCode.PENDING_EXPIRED);

      ownClock.advance(Duration.ofHours(2));
      assertThat(expiring.expirePendingTransfers()).isEqualTo(1);
      assertThat(expiring.balance(fan).orElseThrow().debitsPending()).isEqualTo(4);
      assertThat(expiring.transferById(noTimeout).orElseThrow().pendingState())
          .isEqualTo("pending");
      assertThat(expiring.history(fan, null, 10).postings())
          .extracting(Posting::event)
          .contains("expire");
      assertThat(expiring.verify()).isEmpty();
    }
  }

  @Test
  void expiryReturnsHowManyHoldsItReleased() {
    SettableClock ownClock = SettableClock.standard();
    try (Ledger expiring = Ledger.builder(db).schema("l_expiry_count").clock(ownClock).build()) {
      UUID fan = UUID.randomUUID();
      UUID creator = UUID.randomUUID();
      expiring.createAccounts(List.of(Account.of(fan, "NGN", 1), Account.of(creator, "NGN", 1)));
      for (int i = 0; i < 5; i++) {
        expiring.transfer(
            Transfer.pending(UUID.randomUUID(), fan, creator, ngn(10), SALE, minutes(1 + i)));
      }

      ownClock.advance(Duration.ofSeconds(150));
      assertThat(expiring.expirePendingTransfers()).isEqualTo(2);
      assertThat(expiring.balance(fan).orElseThrow().debitsPending()).isEqualTo(30);
      ownClock.advance(Duration.ofMinutes(10));
      assertThat(expiring.expirePendingTransfers()).isEqualTo(3);
      assertThat(expiring.balance(fan).orElseThrow().debitsPending()).isZero();
      assertThat(expiring.balance(creator).orElseThrow().creditsPending()).isZero();
      assertThat(expiring.verify()).isEmpty();
    }
  }

  // ---------------------------------------------------------------- reversals

  @Test
  void reversalsMoveMoneyBackInPartsUpToTheOriginalAmount() {
    UUID fan = account();
    UUID creator = account();
    UUID sale = UUID.randomUUID();
    UUID partial = UUID.randomUUID();
    UUID rest = UUID.randomUUID();
    ledger.transfer(Transfer.immediate(sale, fan, creator, ngn(1_000), SALE));

    TransferResult first = ledger.transfer(Transfer.reversal(partial, sale, ngn(300)));
    assertThat(first).isInstanceOf(TransferResult.Created.class);
    assertThat(((TransferResult.Created) first).amount()).isEqualTo(300);
    assertThat(ledger.transferById(partial).orElseThrow())
        .returns(TransferKind.REVERSAL, TransferRecord::kind)
        .returns(sale, TransferRecord::reversesId)
        .returns(creator, TransferRecord::debitAccountId)
        .returns(fan, TransferRecord::creditAccountId);
    assertThat(ledger.transferById(sale).orElseThrow().reversedAmount()).isEqualTo(300);

    TransferResult second = ledger.transfer(Transfer.reversal(rest, sale));
    assertThat(second).isInstanceOf(TransferResult.Created.class);
    assertThat(((TransferResult.Created) second).amount()).isEqualTo(700);

    assertRejected(
        Transfer.reversal(UUID.randomUUID(), sale, ngn(1)), TransferCode.EXCEEDS_REVERSIBLE_AMOUNT);
    assertThat(ledger.transferById(sale).orElseThrow().reversedAmount()).isEqualTo(1_000);
    assertThat(balanceOf(fan))
        .returns(1_000L, Balance::debitsPosted)
        .returns(1_000L, Balance::creditsPosted);
    assertThat(balanceOf(creator))
        .returns(1_000L, Balance::creditsPosted)
        .returns(1_000L, Balance::debitsPosted)
        .returns(0L, Balance::available);
  }

  @Test
  void aReversalBeyondWhatRemainsIsRejected() {
    UUID fan = account();
    UUID creator = account();
    UUID sale = UUID.randomUUID();
    ledger.transfer(Transfer.immediate(sale, fan, creator, ngn(1_000), SALE));
    ledger.transfer(Transfer.reversal(UUID.randomUUID(), sale, ngn(600)));

    assertRejected(
        Transfer.reversal(UUID.randomUUID(), sale, ngn(401)),
        TransferCode.EXCEEDS_REVERSIBLE_AMOUNT);
    assertThat(balanceOf(creator).available()).isEqualTo(400);
  }

  @Test
  void onlyMoneyThatMovedCanBeReversed() {
    UUID fan = account();
    UUID creator = account();
    UUID hold = UUID.randomUUID();
    UUID voidedHold = UUID.randomUUID();
    UUID voiding = UUID.randomUUID();
    UUID posted = UUID.randomUUID();
    UUID post = UUID.randomUUID();
    ledger.transfer(Transfer.pending(hold, fan, creator, ngn(100), SALE, null));
    ledger.transfer(Transfer.pending(voidedHold, fan, creator, ngn(100), SALE, null));
    ledger.transfer(Transfer.voidPending(voiding, voidedHold));
    ledger.transfer(Transfer.pending(posted, fan, creator, ngn(100), SALE, null));
    ledger.transfer(Transfer.postPending(post, posted, ngn(80)));

    assertRejected(Transfer.reversal(UUID.randomUUID(), hold), TransferCode.NOT_REVERSIBLE);
    assertRejected(Transfer.reversal(UUID.randomUUID(), voiding), TransferCode.NOT_REVERSIBLE);
    assertRejected(
        Transfer.reversal(UUID.randomUUID(), UUID.randomUUID()), TransferCode.TRANSFER_NOT_FOUND);

    TransferResult refund = ledger.transfer(Transfer.reversal(UUID.randomUUID(), post));
    assertThat(refund).isInstanceOf(TransferResult.Created.class);
    assertThat(((TransferResult.Created) refund).amount()).isEqualTo(80);
    assertThat(balanceOf(creator))
        .returns(80L, Balance::creditsPosted)
        .returns(80L, Balance::debitsPosted)
        .returns(100L, Balance::creditsPending);
  }

  @Test
  void aReversalRespectsTheLimitOfTheAccountItDebits() {
    UUID fan = account();
    UUID creator = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    UUID bank = account();
    UUID sale = UUID.randomUUID();
    ledger.transfer(Transfer.immediate(sale, fan, creator, ngn(1_000), SALE));
    ledger.transfer(Transfer.immediate(UUID.randomUUID(), creator, bank, ngn(900), SALE));

    assertRejected(Transfer.reversal(UUID.randomUUID(), sale), TransferCode.EXCEEDS_CREDITS);
    assertThat(ledger.transferById(sale).orElseThrow().reversedAmount()).isZero();
    assertThat(balanceOf(creator).available()).isEqualTo(100);
  }

  // ---------------------------------------------------------------- linked chains and journals

  @Test
  void aLinkedChainWhoseLastTransferFailsAppliesNothing() {
    UUID fan = account();
    UUID creator = account();
    UUID platform = account();
    UUID empty = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    Transfer first = Transfer.immediate(UUID.randomUUID(), fan, creator, ngn(100), SALE);
    Transfer second = Transfer.immediate(UUID.randomUUID(), creator, platform, ngn(10), SALE);
    Transfer failing = Transfer.immediate(UUID.randomUUID(), empty, platform, ngn(1), SALE);
    Transfer independent = Transfer.immediate(UUID.randomUUID(), fan, platform, ngn(5), SALE);

    List<TransferResult> results =
        ledger.transfers(
            List.of(first.linkedToNext(), second.linkedToNext(), failing, independent));

    assertThat(results)
        .extracting(TransferResult::code)
        .containsExactly(
            TransferCode.LINKED_EVENT_FAILED,
            TransferCode.LINKED_EVENT_FAILED,
            TransferCode.EXCEEDS_CREDITS,
            TransferCode.CREATED);
    assertThat(ledger.transferById(first.id())).isEmpty();
    assertThat(ledger.transferById(second.id())).isEmpty();
    assertThat(ledger.transferById(failing.id())).isEmpty();
    assertThat(balanceOf(creator).version()).isZero();
    assertThat(balanceOf(empty).version()).isZero();
    assertThat(balanceOf(fan).debitsPosted()).isEqualTo(5);
    assertThat(balanceOf(platform).creditsPosted()).isEqualTo(5);
  }

  @Test
  void aLinkedChainSeesItsOwnEarlierTransfers() {
    UUID source = account();
    UUID wallet = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    UUID shop = account();

    List<TransferResult> results =
        ledger.transfers(
            List.of(
                Transfer.immediate(UUID.randomUUID(), source, wallet, ngn(250), SALE)
                    .linkedToNext(),
                Transfer.immediate(UUID.randomUUID(), wallet, shop, ngn(250), SALE)));

    assertThat(results).extracting(TransferResult::code).containsOnly(TransferCode.CREATED);
    assertThat(balanceOf(wallet).available()).isZero();
    assertThat(balanceOf(shop).creditsPosted()).isEqualTo(250);
  }

  @Test
  void aBatchEndingInAnOpenChainFailsThatChainOnly() {
    UUID a = account();
    UUID b = account();
    Transfer alone = Transfer.immediate(UUID.randomUUID(), a, b, ngn(1), SALE);
    Transfer chained = Transfer.immediate(UUID.randomUUID(), a, b, ngn(2), SALE);
    Transfer open = Transfer.immediate(UUID.randomUUID(), a, b, ngn(4), SALE);

    List<TransferResult> results =
        ledger.transfers(List.of(alone, chained.linkedToNext(), open.linkedToNext()));

    assertThat(results)
        .extracting(TransferResult::code)
        .containsExactly(
            TransferCode.CREATED, TransferCode.LINKED_EVENT_FAILED, TransferCode.LINKED_CHAIN_OPEN);
    assertThat(balanceOf(b).creditsPosted()).isEqualTo(1);
    assertThat(ledger.transferById(chained.id())).isEmpty();
    assertThat(ledger.transferById(open.id())).isEmpty();
  }

  @Test
  void aJournalEntrySplitsAPaymentBetweenCreatorAndPlatform() {
    UUID fan = account();
    UUID creator = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    UUID platform = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    JournalEntry entry =
        JournalEntry.of(
            UUID.randomUUID(),
            SALE,
            Leg.debit(fan, ngn(10_000)),
            Leg.credit(creator, ngn(9_000)),
            Leg.credit(platform, ngn(1_000)));

    JournalResult result = ledger.post(entry);

    assertThat(result.ok()).isTrue();
    assertThat(result.code()).isEqualTo(TransferCode.CREATED);
    assertThat(result.rejectedBecause()).isNull();
    assertThat(result.transfers()).isNotEmpty().allMatch(TransferResult::ok);
    assertThat(balanceOf(fan).debitsPosted()).isEqualTo(10_000);
    assertThat(balanceOf(creator).available()).isEqualTo(9_000);
    assertThat(balanceOf(platform).available()).isEqualTo(1_000);

    JournalResult again = ledger.post(entry);
    assertThat(again.ok()).isTrue();
    assertThat(again.code()).isEqualTo(TransferCode.EXISTS);
    assertThat(balanceOf(fan).debitsPosted()).isEqualTo(10_000);
    assertThat(balanceOf(creator).available()).isEqualTo(9_000);
  }

  @Test
  void malformedJournalEntriesAreRefusedBeforeAnyTransfer() {
    UUID fan = account();
    UUID creator = account();
    UUID platform = account();

    JournalResult unbalanced =
        ledger.post(
            JournalEntry.of(
                UUID.randomUUID(),
                SALE,
                Leg.debit(fan, ngn(10_000)),
                Leg.credit(creator, ngn(9_000)),
                Leg.credit(platform, ngn(900))));
    JournalResult oneLeg =
        ledger.post(JournalEntry.of(UUID.randomUUID(), SALE, Leg.debit(fan, ngn(10))));
    JournalResult zeroLeg =
        ledger.post(
            JournalEntry.of(
                UUID.randomUUID(), SALE, Leg.debit(fan, ngn(0)), Leg.credit(creator, ngn(0))));

    assertThat(unbalanced.ok()).isFalse();
    assertThat(unbalanced.rejectedBecause()).isEqualTo(JournalResult.JournalCode.NOT_BALANCED);
    assertThat(unbalanced.transfers()).isEmpty();
    assertThat(oneLeg.rejectedBecause()).isEqualTo(JournalResult.JournalCode.TOO_FEW_LEGS);
    assertThat(zeroLeg.rejectedBecause())
        .isEqualTo(JournalResult.JournalCode.AMOUNT_MUST_BE_POSITIVE);
    for (UUID id : List.of(fan, creator, platform)) {
      assertThat(balanceOf(id).version()).isZero();
    }
  }

  @Test
  void aJournalEntryWithAFailingLegAppliesNoLeg() {
    UUID fan = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    UUID creator = account();
    UUID platform = account();

    JournalResult result =
        ledger.post(
            JournalEntry.of(
                UUID.randomUUID(),
                SALE,
                Leg.debit(fan, ngn(10_000)),
                Leg.credit(creator, ngn(9_000)),
                Leg.credit(platform, ngn(1_000))));

    assertThat(result.ok()).isFalse();
    assertThat(result.code()).isNotIn(TransferCode.CREATED, TransferCode.EXISTS);
    assertThat(result.transfers())
        .extracting(TransferResult::code)
        .contains(TransferCode.EXCEEDS_CREDITS);
    for (UUID id : List.of(fan, creator, platform)) {
      assertThat(balanceOf(id).version()).isZero();
    }
  }

  @Test
  void entriesPostedTogetherEachSucceedOrFailAlone() {
    UUID fan = account();
    UUID poor = account(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    UUID creator = account();
    UUID platform = account();
    JournalEntry first =
        JournalEntry.of(
            UUID.randomUUID(),
            SALE,
            Leg.debit(fan, ngn(10_000)),
            Leg.credit(creator, ngn(9_000)),
            Leg.credit(platform, ngn(1_000)));
    JournalEntry refused =
        JournalEntry.of(
            UUID.randomUUID(), SALE, Leg.debit(poor, ngn(500)), Leg.credit(creator, ngn(500)));
    JournalEntry malformed = JournalEntry.of(UUID.randomUUID(), SALE, Leg.debit(fan, ngn(10)));
    JournalEntry last =
        JournalEntry.of(
            UUID.randomUUID(), SALE, Leg.debit(fan, ngn(2_000)), Leg.credit(creator, ngn(2_000)));

    List<JournalResult> results =
        db.inTransaction(h -> ledger.post(h, List.of(first, refused, malformed, last, first)));

    assertThat(results)
        .extracting(JournalResult::code)
        .containsExactly(
            TransferCode.CREATED,
            TransferCode.EXCEEDS_CREDITS,
            TransferCode.INVALID_JOURNAL_ENTRY,
            TransferCode.CREATED,
            TransferCode.EXISTS);
    assertThat(balanceOf(creator).creditsPosted()).isEqualTo(11_000);
    assertThat(balanceOf(fan).debitsPosted()).isEqualTo(12_000);
    assertThat(balanceOf(poor).version()).isZero();
    assertThat(ledger.verify()).isEmpty();
  }

  // ---------------------------------------------------------------- point in time and history

  @Test
  void balanceAsOfAndAfterATransferShowThePast() {
    UUID fan = account();
    UUID creator = account();
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    UUID third = UUID.randomUUID();
    Instant t1 = clock.advance(Duration.ofMinutes(1));
    ledger.transfer(Transfer.immediate(first, fan, creator, ngn(100), SALE));
    Instant t2 = clock.advance(Duration.ofMinutes(1));
    ledger.transfer(Transfer.immediate(second, fan, creator, ngn(200), SALE));
    Instant t3 = clock.advance(Duration.ofMinutes(1));
    ledger.transfer(Transfer.immediate(third, creator, fan, ngn(50), SALE));
    clock.advance(Duration.ofMinutes(1));

    assertThat(ledger.balanceAsOf(fan, t1.minusSeconds(30)).orElseThrow())
        .returns(0L, Balance::debitsPosted)
        .returns(0L, Balance::creditsPosted)
        .returns(0L, Balance::version);
    assertThat(ledger.balanceAsOf(fan, t1.plusSeconds(30)).orElseThrow())
        .returns(100L, Balance::debitsPosted)
        .returns(1L, Balance::version)
        .returns(t1, Balance::asOf);
    assertThat(ledger.balanceAsOf(fan, t2.plusSeconds(30)).orElseThrow())
        .returns(300L, Balance::debitsPosted)
        .returns(0L, Balance::creditsPosted)
        .returns(t2, Balance::asOf);
    assertThat(ledger.balanceAsOf(creator, t3.plusSeconds(30)).orElseThrow())
        .returns(300L, Balance::creditsPosted)
        .returns(50L, Balance::debitsPosted)
        .returns(3L, Balance::version);

    assertThat(ledger.balanceAfter(creator, first).orElseThrow())
        .returns(100L, Balance::creditsPosted)
        .returns(1L, Balance::version);
    assertThat(ledger.balanceAfter(creator, second).orElseThrow())
        .returns(300L, Balance::creditsPosted)
        .returns(0L, Balance::debitsPosted);
    assertThat(ledger.balanceAfter(fan, third).orElseThrow())
        .returns(300L, Balance::debitsPosted)
        .returns(50L, Balance::creditsPosted)
        .returns(t3, Balance::asOf);
    assertThat(ledger.balanceAfter(fan, UUID.randomUUID())).isEmpty();
    assertThat(ledger.balanceAsOf(UUID.randomUUID(), t3)).isEmpty();
  }

  @Test
  void historyPagesCoverEveryPostingOnceNewestFirst() {
    UUID subject = account();
    UUID other = account();
    List<UUID> changes = new ArrayList<>();
    for (int i = 0; i < 22; i++) {
      clock.advance(Duration.ofSeconds(1));
      UUID id = UUID.randomUUID();
      ledger.transfer(
          i % 2 == 0
              ? Transfer.immediate(id, subject, other, ngn(10 + i), SALE)
              : Transfer.immediate(id, other, subject, ngn(10 + i), SALE));
      changes.add(id);
    }
    UUID hold = UUID.randomUUID();
    UUID post = UUID.randomUUID();
    ledger.transfer(Transfer.pending(hold, subject, other, ngn(99), SALE, null));
    ledger.transfer(Transfer.postPending(post, hold));
    changes.add(hold);
    changes.add(post);

    List<Posting> all = new ArrayList<>();
    Set<String> cursors = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      HistoryPage page = ledger.history(subject, cursor, 5);
      assertThat(page.postings()).hasSizeLessThanOrEqualTo(5);
      all.addAll(page.postings());
      cursor = page.nextCursor();
      assertThat(cursor == null || cursors.add(cursor)).as("a cursor never repeats").isTrue();
      pages++;
    } while (cursor != null && pages < 20);

    assertThat(pages).isBetween(5, 6);
    assertThat(all).hasSize(24);
    assertThat(all).extracting(Posting::accountId).containsOnly(subject);
    assertThat(all)
        .extracting(Posting::transferId)
        .containsExactlyInAnyOrderElementsOf(changes)
        .doesNotHaveDuplicates();
    assertThat(all).extracting(Posting::version).isSortedAccordingTo((x, y) -> Long.compare(y, x));
    assertThat(all.getFirst().version()).isEqualTo(24);
    assertThat(all.getLast().version()).isEqualTo(1);
    assertThat(all).extracting(Posting::timestamp).isSortedAccordingTo((x, y) -> y.compareTo(x));
    assertThat(all.getFirst().event()).isEqualTo("post");
    assertThat(all.getFirst().transferId()).isEqualTo(post);
    assertThat(all.getFirst().balance()).isEqualTo(balanceOf(subject));
    for (Posting posting : all) {
      assertThat(ledger.balanceAfter(subject, posting.transferId()))
          .as("balance after %s", posting.transferId())
          .contains(posting.balance());
    }
  }

  // ---------------------------------------------------------------- the caller's transaction

  @Test
  void aTransferInTheCallersTransactionIsRolledBackWithIt() {
    UUID fan = account();
    UUID creator = account();
    UUID id = UUID.randomUUID();
    Transfer transfer = Transfer.immediate(id, fan, creator, ngn(500), SALE);

    assertThatThrownBy(
            () ->
                db.inTransaction(
                    handle -> {
                      assertThat(ledger.transfer(handle, transfer).code())
                          .isEqualTo(TransferCode.CREATED);
                      throw new IllegalStateException("the subscription could not be activated");
                    }))
        .hasMessage("the subscription could not be activated");

    assertThat(ledger.transferById(id)).isEmpty();
    assertThat(transferRows(id)).isZero();
    assertThat(balanceOf(fan).version()).isZero();
    assertThat(balanceOf(creator).version()).isZero();
    assertThat(ledger.transfer(transfer).code())
        .as("the id of a rolled-back transfer is free again")
        .isEqualTo(TransferCode.CREATED);
  }

  @Test
  void transfersInTheCallersTransactionCommitWithIt() {
    UUID fan = account();
    UUID creator = account();

    List<TransferResult> results =
        db.inTransaction(
            handle ->
                ledger.transfers(
                    handle,
                    List.of(
                        Transfer.immediate(UUID.randomUUID(), fan, creator, ngn(1), SALE),
                        Transfer.immediate(UUID.randomUUID(), fan, creator, ngn(2), SALE))));

    assertThat(results).extracting(TransferResult::code).containsOnly(TransferCode.CREATED);
    assertThat(balanceOf(creator).creditsPosted()).isEqualTo(3);
  }

  @Test
  void idempotencyHoldsAcrossTheCallersTransactionAndGroupCommit() {
    UUID fan = account();
    UUID creator = account();
    Transfer viaHandle = Transfer.immediate(UUID.randomUUID(), fan, creator, ngn(7), SALE);
    Transfer viaGroupCommit = Transfer.immediate(UUID.randomUUID(), fan, creator, ngn(11), SALE);
    Instant now = clock.advance(Duration.ofSeconds(1));

    db.inTransaction(handle -> ledger.transfer(handle, viaHandle));
    ledger.transfer(viaGroupCommit);
    clock.advance(Duration.ofSeconds(1));

    assertThat(ledger.transfer(viaHandle))
        .isEqualTo(new TransferResult.Exists(viaHandle.id(), 7, now));
    TransferResult retried = db.inTransaction(handle -> ledger.transfer(handle, viaGroupCommit));
    assertThat(retried).isEqualTo(new TransferResult.Exists(viaGroupCommit.id(), 11, now));
    assertThat(balanceOf(creator).creditsPosted()).isEqualTo(18);
  }

  // ---------------------------------------------------------------- helpers

  private static Money ngn(long minor) {
    return Money.of(minor, "NGN");
  }

  private static Duration minutes(long minutes) {
    return Duration.ofMinutes(minutes);
  }

  private static UUID account() {
    return account(AccountFlags.NONE);
  }

  private static UUID account(AccountFlags flags) {
    UUID id = UUID.randomUUID();
    assertThat(ledger.createAccount(Account.of(id, "NGN", 1).withFlags(flags)).code())
        .isEqualTo(AccountCode.CREATED);
    return id;
  }

  private static UUID account(String currency) {
    UUID id = UUID.randomUUID();
    assertThat(ledger.createAccount(Account.of(id, currency, 1)).code())
        .isEqualTo(AccountCode.CREATED);
    return id;
  }

  private static Balance balanceOf(UUID accountId) {
    return ledger.balance(accountId).orElseThrow();
  }

  private static void assertRejected(Transfer transfer, TransferCode code) {
    assertThat(ledger.transfer(transfer))
        .as("%s %s", transfer.kind(), transfer.id())
        .isEqualTo(new TransferResult.Rejected(transfer.id(), code));
    assertThat(transferRows(transfer.id())).as("rows of rejected %s", transfer.id()).isZero();
  }

  private static long transferRows(UUID id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM odim_ledger.transfers WHERE id = :id")
                .bind("id", id)
                .mapTo(Long.class)
                .one());
  }

  private static long resolutionRows(UUID pendingId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM odim_ledger.transfers WHERE pending_id = :id")
                .bind("id", pendingId)
                .mapTo(Long.class)
                .one());
  }

  private static long accountRows(UUID id) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT count(*) FROM odim_ledger.accounts WHERE id = :id")
                .bind("id", id)
                .mapTo(Long.class)
                .one());
  }

  private static String withoutSpaces(String json) {
    return json.replace(" ", "");
  }
}
