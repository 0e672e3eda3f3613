package dev.odim.testkit.paystack.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * The simulator's in-memory records. Not thread-safe by itself: every read and write happens while
 * holding the store's monitor ({@code synchronized (store)}), which {@link Api} does, so that a
 * change and the JSON rendered from it are one consistent step.
 */
final class Store {
  /** Paystack's id for the simulated merchant ("integration"). */
  static final long INTEGRATION = 100_001;

  final Map<String, Transaction> transactionsByReference = new LinkedHashMap<>();
  final Map<Long, Transaction> transactionsById = new HashMap<>();
  final Map<String, Transaction> transactionsByAccessCode = new HashMap<>();
  final Map<String, Customer> customersByEmail = new HashMap<>();
  final Map<String, Authorization> authorizations = new HashMap<>();
  final Map<String, Recipient> recipients = new LinkedHashMap<>();
  final Map<String, Transfer> transfersByCode = new LinkedHashMap<>();
  final Map<String, Transfer> transfersByReference = new HashMap<>();
  final Map<Long, Refund> refunds = new LinkedHashMap<>();

  private final Random random;
  private long nextTransactionId;
  private long nextCustomerId = 200_001;
  private long nextRecipientId = 300_001;
  private long nextTransferId = 400_001;
  private long nextRefundId = 600_001;
  private long nextDisputeId = 700_001;

  Store(Random random) {
    this.random = random;
    // Ids start somewhere random, so that a restarted simulator is unlikely to hand out an id a
    // host still remembers from the last run.
    this.nextTransactionId = 1_000_000_000L + random.nextInt(1_000_000) * 1_000L;
  }

  long transactionId() {
    return nextTransactionId++;
  }

  long recipientId() {
    return nextRecipientId++;
  }

  long transferId() {
    return nextTransferId++;
  }

  long refundId() {
    return nextRefundId++;
  }

  long disputeId() {
    return nextDisputeId++;
  }

  /** A code such as {@code RCP_x8k2m0q9d1zt4wv}: the prefix and random lower-case letters. */
  String code(String prefix, int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder code = new StringBuilder(prefix);
    for (int i = 0; i < length; i++) {
      code.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return code.toString();
  }

  Customer customer(String email, Instant now) {
    return customersByEmail.computeIfAbsent(
        email, e -> new Customer(nextCustomerId++, code("CUS_", 15), e, now));
  }

  void add(Transaction transaction) {
    transactionsByReference.put(transaction.reference, transaction);
    transactionsById.put(transaction.id, transaction);
    transactionsByAccessCode.put(transaction.accessCode, transaction);
  }

  /** Transactions, newest first (Paystack lists that way). */
  List<Transaction> transactionsNewestFirst() {
    List<Transaction> all = new ArrayList<>(transactionsByReference.values());
    java.util.Collections.reverse(all);
    return all;
  }

  static final class Customer {
    final long id;
    final String code;
    final String email;
    final Instant createdAt;

    Customer(long id, String code, String email, Instant createdAt) {
      this.id = id;
      this.code = code;
      this.email = email;
      this.createdAt = createdAt;
    }
  }

  /**
   * A card that paid once, and that a reusable authorization code lets the merchant charge again.
   */
  static final class Authorization {
    final String code;
    final String signature;
    final Customer customer;
    final boolean reusable;

    /** Charges of this card are declined (insufficient funds), as set by the control API. */
    boolean declines;

    Authorization(String code, String signature, Customer customer, boolean reusable) {
      this.code = code;
      this.signature = signature;
      this.customer = customer;
      this.reusable = reusable;
    }
  }

  static final class Transaction {
    final long id;
    final String reference;
    final String accessCode;
    final long amount;
    final String currency;
    final Customer customer;
    final @Nullable String callbackUrl;
    final @Nullable JsonNode metadata;
    final Instant createdAt;
    String status = "ongoing";
    String gatewayResponse = "The transaction is in progress";
    @Nullable Instant paidAt;
    @Nullable Long fees;
    @Nullable Authorization authorization;
    long refunded;

    Transaction(
        long id,
        String reference,
        String accessCode,
        long amount,
        String currency,
        Customer customer,
        @Nullable String callbackUrl,
        @Nullable JsonNode metadata,
        Instant createdAt) {
      this.id = id;
      this.reference = reference;
      this.accessCode = accessCode;
      this.amount = amount;
      this.currency = currency;
      this.customer = customer;
      this.callbackUrl = callbackUrl;
      this.metadata = metadata;
      this.createdAt = createdAt;
    }
  }

  static final class Recipient {
    final long id;
    final String code;
    final String type;
    final String name;
    final @Nullable String accountNumber;
    final @Nullable String bankCode;
    final @Nullable String authorizationCode;
    final String currency;
    final @Nullable String description;
    final @Nullable JsonNode metadata;
    final Instant createdAt;

    Recipient(
        long id,
        String code,
        String type,
        String name,
        @Nullable String accountNumber,
        @Nullable String bankCode,
        @Nullable String authorizationCode,
        String currency,
        @Nullable String description,
        @Nullable JsonNode metadata,
        Instant createdAt) {
      this.id = id;
      this.code = code;
      this.type = type;
      this.name = name;
      this.accountNumber = accountNumber;
      this.bankCode = bankCode;
      this.authorizationCode = authorizationCode;
      this.currency = currency;
      this.description = description;
      this.metadata = metadata;
      this.createdAt = createdAt;
    }
  }

  static final class Transfer {
    final long id;
    final String code;
    final String reference;
    final long amount;
    final String currency;
    final Recipient recipient;
    final @Nullable String reason;
    final Instant createdAt;
    String status = "pending";
    Instant updatedAt;
    @Nullable Instant transferredAt;

    Transfer(
        long id,
        String code,
        String reference,
        long amount,
        String currency,
        Recipient recipient,
        @Nullable String reason,
        Instant createdAt) {
      this.id = id;
      this.code = code;
      this.reference = reference;
      this.amount = amount;
      this.currency = currency;
      this.recipient = recipient;
      this.reason = reason;
      this.createdAt = createdAt;
      this.updatedAt = createdAt;
    }
  }

  static final class Refund {
    final long id;
    final Transaction transaction;
    final long amount;
    final String currency;
    final @Nullable String customerNote;
    final @Nullable String merchantNote;
    final Instant createdAt;
    String status = "pending";
    Instant updatedAt;

    Refund(
        long id,
        Transaction transaction,
        long amount,
        String currency,
        @Nullable String customerNote,
        @Nullable String merchantNote,
        Instant createdAt) {
      this.id = id;
      this.transaction = transaction;
      this.amount = amount;
      this.currency = currency;
      this.customerNote = customerNote;
      this.merchantNote = merchantNote;
      this.createdAt = createdAt;
      this.updatedAt = createdAt;
    }
  }
}
