package dev.odim.testkit.paystack.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.testkit.paystack.internal.Store.Authorization;
import dev.odim.testkit.paystack.internal.Store.Customer;
import dev.odim.testkit.paystack.internal.Store.Recipient;
import dev.odim.testkit.paystack.internal.Store.Refund;
import dev.odim.testkit.paystack.internal.Store.Transaction;
import dev.odim.testkit.paystack.internal.Store.Transfer;
import java.time.Instant;

/**
 * Records rendered the way Paystack's API and webhooks show them (field names and nesting follow
 * Paystack's published responses). Called while holding the store's monitor.
 */
final class Views {
  private static final String DOMAIN = "test";

  private Views() {}

  static ObjectNode transaction(Transaction t) {
    ObjectNode n = Json.object();
    n.put("id", t.id);
    n.put("domain", DOMAIN);
    n.put("status", t.status);
    n.put("reference", t.reference);
    n.putNull("receipt_number");
    n.put("amount", t.amount);
    n.putNull("message");
    n.put("gateway_response", t.gatewayResponse);
    Json.putTime(n, "paid_at", t.paidAt);
    Json.putTime(n, "created_at", t.createdAt);
    n.put("channel", "card");
    n.put("currency", t.currency);
    n.putNull("ip_address");
    if (t.metadata == null) {
      n.putNull("metadata");
    } else {
      n.set("metadata", t.metadata.deepCopy());
    }
    n.putNull("log");
    if (t.fees == null) {
      n.putNull("fees");
    } else {
      n.put("fees", t.fees);
    }
    n.putNull("fees_split");
    n.set(
        "authorization", t.authorization == null ? Json.object() : authorization(t.authorization));
    n.set("customer", customer(t.customer));
    n.putNull("plan");
    n.putObject("split");
    n.putNull("order_id");
    Json.putTime(n, "paidAt", t.paidAt);
    Json.putTime(n, "createdAt", t.createdAt);
    n.put("requested_amount", t.amount);
    n.putNull("pos_transaction_data");
    n.putNull("source");
    n.putNull("fees_breakdown");
    n.putNull("connect");
    Json.putTime(n, "transaction_date", t.createdAt);
    n.putObject("plan_object");
    n.putObject("subaccount");
    return n;
  }

  static ObjectNode authorization(Authorization a) {
    ObjectNode n = Json.object();
    n.put("authorization_code", a.code);
    n.put("bin", "408408");
    n.put("last4", "4081");
    n.put("exp_month", "12");
    n.put("exp_year", "2030");
    n.put("channel", "card");
    n.put("card_type", "visa");
    n.put("bank", "TEST BANK");
    n.put("country_code", "NG");
    n.put("brand", "visa");
    n.put("reusable", a.reusable);
    n.put("signature", a.signature);
    n.putNull("account_name");
    return n;
  }

  static ObjectNode customer(Customer c) {
    ObjectNode n = Json.object();
    n.put("id", c.id);
    n.putNull("first_name");
    n.putNull("last_name");
    n.put("email", c.email);
    n.put("customer_code", c.code);
    n.putNull("phone");
    n.putNull("metadata");
    n.put("risk_action", "default");
    n.putNull("international_format_phone");
    return n;
  }

  static ObjectNode recipient(Recipient r) {
    ObjectNode n = Json.object();
    n.put("active", true);
    Json.putTime(n, "createdAt", r.createdAt);
    n.put("currency", r.currency);
    n.put("description", r.description);
    n.put("domain", DOMAIN);
    n.putNull("email");
    n.put("id", r.id);
    n.put("integration", Store.INTEGRATION);
    if (r.metadata == null) {
      n.putNull("metadata");
    } else {
      n.set("metadata", r.metadata.deepCopy());
    }
    n.put("name", r.name);
    n.put("recipient_code", r.code);
    n.put("type", r.type);
    Json.putTime(n, "updatedAt", r.createdAt);
    n.put("is_deleted", false);
    n.put("isDeleted", false);
    ObjectNode details = n.putObject("details");
    details.put("authorization_code", r.authorizationCode);
    details.put("account_number", r.accountNumber);
    details.put("account_name", r.name);
    details.put("bank_code", r.bankCode);
    details.put("bank_name", r.bankCode == null ? null : "Test Bank " + r.bankCode);
    return n;
  }

  /**
   * A transfer. Paystack's initiate answer names the recipient by id; fetch, verify, list and the
   * webhooks nest the recipient object.
   */
  static ObjectNode transfer(Transfer t, boolean nestRecipient) {
    ObjectNode n = Json.object();
    n.put("integration", Store.INTEGRATION);
    n.put("domain", DOMAIN);
    n.put("amount", t.amount);
    n.put("currency", t.currency);
    n.put("source", "balance");
    n.put("reason", t.reason);
    if (nestRecipient) {
      n.set("recipient", recipient(t.recipient));
    } else {
      n.put("recipient", t.recipient.id);
    }
    n.put("status", t.status);
    n.put("transfer_code", t.code);
    n.put("reference", t.reference);
    n.put("id", t.id);
    n.putNull("failures");
    n.putNull("titan_code");
    Json.putTime(n, "transferred_at", t.transferredAt);
    Json.putTime(n, "createdAt", t.createdAt);
    Json.putTime(n, "updatedAt", t.updatedAt);
    Json.putTime(n, "created_at", t.createdAt);
    Json.putTime(n, "updated_at", t.updatedAt);
    return n;
  }

  /**
   * A refund. The create answer nests the transaction; fetch and list name it by id, and {@code
   * transaction_reference} is there for readers that match by reference.
   */
  static ObjectNode refund(Refund r, boolean nestTransaction) {
    ObjectNode n = Json.object();
    if (nestTransaction) {
      n.set("transaction", transaction(r.transaction));
    } else {
      n.put("transaction", r.transaction.id);
    }
    n.put("transaction_reference", r.transaction.reference);
    n.put("integration", Store.INTEGRATION);
    n.put("deducted_amount", r.amount);
    n.putNull("channel");
    n.put("merchant_note", r.merchantNote);
    n.put("customer_note", r.customerNote);
    n.put("status", r.status);
    n.put("refunded_by", "simulator@odim.dev");
    Json.putTime(n, "expected_at", r.createdAt);
    n.put("currency", r.currency);
    n.put("domain", DOMAIN);
    n.put("amount", r.amount);
    n.put("fully_deducted", true);
    n.put("id", r.id);
    Json.putTime(n, "createdAt", r.createdAt);
    Json.putTime(n, "updatedAt", r.updatedAt);
    return n;
  }

  /** The {@code data} of a {@code refund.*} webhook. */
  static ObjectNode refundEvent(Refund r) {
    ObjectNode n = Json.object();
    n.put("status", r.status);
    n.put("transaction_reference", r.transaction.reference);
    n.putNull("refund_reference");
    n.put("amount", r.amount);
    n.put("currency", r.currency);
    n.put("processor", "card");
    ObjectNode customer = n.putObject("customer");
    customer.putNull("first_name");
    customer.putNull("last_name");
    customer.put("email", r.transaction.customer.email);
    n.put("integration", Store.INTEGRATION);
    n.put("domain", DOMAIN);
    n.put("id", r.id);
    return n;
  }

  /** The {@code data} of a {@code charge.dispute.create} webhook. */
  static ObjectNode dispute(long id, Transaction t, Instant now) {
    ObjectNode n = Json.object();
    n.put("id", id);
    n.put("refund_amount", t.amount - t.refunded);
    n.put("currency", t.currency);
    n.put("status", "awaiting-merchant-feedback");
    n.putNull("resolution");
    n.put("domain", DOMAIN);
    n.set("transaction", transaction(t));
    n.putNull("transaction_reference");
    n.put("category", "chargeback");
    n.set("customer", customer(t.customer));
    n.putNull("bin");
    n.putNull("last4");
    Json.putTime(n, "dueAt", now.plus(java.time.Duration.ofDays(1)));
    n.putNull("resolvedAt");
    n.putNull("evidence");
    n.putNull("attachments");
    n.putNull("note");
    n.putArray("history");
    n.putArray("messages");
    Json.putTime(n, "created_at", now);
    Json.putTime(n, "updated_at", now);
    return n;
  }
}
