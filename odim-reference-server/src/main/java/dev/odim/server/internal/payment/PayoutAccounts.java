package dev.odim.server.internal.payment;

import dev.odim.core.audit.AuditEvent;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.crypto.FieldCipher;
import dev.odim.core.db.Db;
import dev.odim.payments.paystack.PaystackResult;
import dev.odim.payments.paystack.Recipient;
import dev.odim.payments.paystack.RecipientRequest;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.RequestIds;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.RetryLaterException;
import dev.odim.server.internal.web.Role;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Creators' bank accounts for payouts: {@code GET|PUT /api/creators/me/payout-account}.
 *
 * <p>A change is first registered with Paystack as a transfer recipient ({@code nuban}, NGN), and
 * only then stored, with the recipient code, in one transaction with its audit entry: a row always
 * names a recipient Paystack knows. While Paystack is unavailable the change is refused with a
 * retryable 503 and nothing is stored (the creator is there to try again; a queued change would
 * leave them believing an account was set that Paystack may still refuse). The account number and
 * the holder's name are stored only encrypted; answers and audit entries show the last four digits.
 *
 * <p>Payouts read the recipient with {@link #recipientCode(Handle, UUID)}.
 */
public final class PayoutAccounts {
  private final Db db;
  private final Clock clock;
  private final FieldCipher cipher;
  private final AuditLog audit;
  private final PaystackConnection paystack;

  public PayoutAccounts(
      Db db, Clock clock, FieldCipher cipher, AuditLog audit, PaystackConnection paystack) {
    this.db = db;
    this.clock = clock;
    this.cipher = cipher;
    this.audit = audit;
    this.paystack = paystack;
  }

  /** {@code PUT /api/creators/me/payout-account}: a Nigerian bank account (NUBAN). */
  public record PayoutAccountChange(
      @NotNull @Pattern(regexp = "^[0-9]{3,9}$", message = "must be the bank's code, 3 to 9 digits")
          String bankCode,
      @NotNull @Pattern(regexp = "^[0-9]{10}$", message = "must be a 10-digit NUBAN account number")
          String accountNumber,
      @NotBlank @Size(max = 100) @Pattern(regexp = "^[^\\p{Cntrl}]*$") String accountName) {
    @Override
    public String toString() {
      // The whole account number stays out of logs and error reports.
      return "PayoutAccountChange["
          + bankCode
          + ", ******"
          + (accountNumber == null ? "" : last4(accountNumber))
          + "]";
    }
  }

  /** A payout account as its creator sees it: never the whole number. */
  public record PayoutAccountView(
      String bankCode, String accountLast4, String accountName, Instant updatedAt) {}

  /** Declares the routes. */
  public void register(Api api) {
    api.get("/api/creators/me/payout-account")
        .summary("The signed-in creator's payout bank account (last four digits only)")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .responds(200, PayoutAccountView.class)
        .handle(
            call ->
                call.ctx()
                    .json(
                        find(call.principal().userId())
                            .orElseThrow(
                                () ->
                                    ProblemCode.NOT_FOUND.exception(
                                        "You have no payout account yet; PUT one."))));
    api.put("/api/creators/me/payout-account")
        .summary("Set the bank account payouts go to (registered with Paystack first)")
        .tag("creators")
        .access(Access.role(Role.CREATOR))
        .body(PayoutAccountChange.class)
        .responds(200, PayoutAccountView.class)
        .handle(this::save);
  }

  /**
   * The Paystack transfer recipient of {@code creatorId}'s payout account, read in the caller's
   * transaction; empty when the creator has set none. What a payout names in {@code
   * TransferRequest.recipientCode}.
   */
  public Optional<String> recipientCode(Handle handle, UUID creatorId) {
    return handle
        .createQuery("SELECT recipient_code FROM odim_server.payout_accounts WHERE creator_id = :c")
        .bind("c", creatorId)
        .mapTo(String.class)
        .findOne();
  }

  /** The creator's payout account, for display. */
  public Optional<PayoutAccountView> find(UUID creatorId) {
    return db.withHandle(
        h ->
            h.createQuery("SELECT * FROM odim_server.payout_accounts WHERE creator_id = :c")
                .bind("c", creatorId)
                .map((rs, c) -> view(rs))
                .findOne());
  }

  private void save(Call call) {
    PayoutAccountChange change = call.body(PayoutAccountChange.class);
    UUID creator = call.principal().userId();
    String name = change.accountName().strip();
    Recipient recipient =
        recipient(
            paystack
                .client()
                .createTransferRecipient(
                    RecipientRequest.nuban(name, change.accountNumber(), change.bankCode())));
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    PayoutAccountView saved =
        db.inTransaction(
            h -> {
              int version =
                  h.createQuery(
                          """
                          INSERT INTO odim_server.payout_accounts AS p (creator_id, bank_code,
                              account_number_encrypted, account_name_encrypted, recipient_code,
                              version, created_at, updated_at)
                          VALUES (:c, :bank, :number, :name, :recipient, 1, :now, :now)
                          ON CONFLICT (creator_id) DO UPDATE SET bank_code = excluded.bank_code,
                              account_number_encrypted = excluded.account_number_encrypted,
                              account_name_encrypted = excluded.account_name_encrypted,
                              recipient_code = excluded.recipient_code,
                              version = p.version + 1, updated_at = excluded.updated_at
                          RETURNING version
                          """)
                      .bind("c", creator)
                      .bind("bank", change.bankCode())
                      .bind(
                          "number", cipher.encrypt(change.accountNumber(), numberContext(creator)))
                      .bind("name", cipher.encrypt(name, nameContext(creator)))
                      .bind("recipient", recipient.recipientCode())
                      .bind("now", now)
                      .mapTo(Integer.class)
                      .one();
              audit.record(
                  h,
                  AuditEvent.builder("creator.payout_account.changed")
                      .actor("user:" + creator)
                      .actorIp(call.clientIp())
                      .requestId(RequestIds.of(call.ctx()))
                      .target("creator:" + creator)
                      .summary(
                          (version == 1 ? "Payout account set" : "Payout account replaced")
                              + ": bank "
                              + change.bankCode()
                              + ", account ending "
                              + last4(change.accountNumber()))
                      .detail("bankCode", change.bankCode())
                      .detail("accountLast4", last4(change.accountNumber()))
                      .detail("recipientCode", recipient.recipientCode())
                      .build());
              return new PayoutAccountView(
                  change.bankCode(), last4(change.accountNumber()), name, now);
            });
    call.ctx().json(saved);
  }

  /** Paystack's recipient, or the problem to answer: retryable while it is unavailable. */
  private static Recipient recipient(PaystackResult<Recipient> result) {
    return switch (result) {
      case PaystackResult.Ok<Recipient> ok -> ok.value();
      case PaystackResult.Unavailable<Recipient> unavailable ->
          throw new RetryLaterException(
              ProblemCode.PROVIDER_UNAVAILABLE,
              "Paystack is not answering, so the account could not be registered for payouts."
                  + " Nothing was saved; try again in a moment.",
              unavailable.retryAfter().isZero() ? Duration.ofSeconds(30) : unavailable.retryAfter(),
              Map.of());
      case PaystackResult.Refused<Recipient> refused ->
          throw ProblemCode.PAYOUT_ACCOUNT_REJECTED.exception(
              "Paystack did not accept this account: " + refused.message());
      case PaystackResult.NotFound<Recipient> notFound ->
          throw ProblemCode.PAYOUT_ACCOUNT_REJECTED.exception(
              "Paystack did not accept this account: " + notFound.message());
      case PaystackResult.DuplicateReference<Recipient> duplicate ->
          throw ProblemCode.PAYOUT_ACCOUNT_REJECTED.exception(
              "Paystack did not accept this account: " + duplicate.message());
    };
  }

  private PayoutAccountView view(ResultSet rs) throws SQLException {
    UUID creator = rs.getObject("creator_id", UUID.class);
    return new PayoutAccountView(
        rs.getString("bank_code"),
        last4(cipher.decrypt(rs.getString("account_number_encrypted"), numberContext(creator))),
        cipher.decrypt(rs.getString("account_name_encrypted"), nameContext(creator)),
        rs.getTimestamp("updated_at").toInstant());
  }

  private static String last4(String accountNumber) {
    return accountNumber.length() <= 4
        ? accountNumber
        : accountNumber.substring(accountNumber.length() - 4);
  }

  static String numberContext(UUID creator) {
    return "odim_server.payout_accounts.account_number_encrypted:" + creator;
  }

  static String nameContext(UUID creator) {
    return "odim_server.payout_accounts.account_name_encrypted:" + creator;
  }
}
