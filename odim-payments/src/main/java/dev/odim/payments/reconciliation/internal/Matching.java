package dev.odim.payments.reconciliation.internal;

/**
 * The SQL that pairs the provider's records (copied into a staging table) with ours and classifies
 * each pair. One place, so that a run, its dry run and its repairs judge alike.
 */
final class Matching {
  private Matching() {}

  /** Our statuses that mean the payment's money is counted. */
  static final String SETTLED = "('succeeded', 'refunded', 'partially_refunded', 'disputed')";

  /** An amount the way {@code Money.toString()} writes it for Paystack's two-decimal currencies. */
  static String money(String amount, String currency) {
    return "(" + currency + " || ' ' || to_char(" + amount + " / 100.0, 'FM9999999999999990.00'))";
  }

  /**
   * Every provider transaction of the run with our intent of its reference (if any), its category
   * and whether it is repairable. Binds {@code :run}, {@code :tolerance}, {@code :duplicateWindow}
   * (an interval in microseconds).
   */
  private static String transactionPairs(String schema, String staging) {
    return "WITH p AS (SELECT s.reference, s.provider_id, s.status AS p_status,"
        + " s.amount_minor AS p_amount, s.currency AS p_currency,"
        + " i.status AS l_status, i.amount_minor AS l_amount, i.currency AS l_currency,"
        + " i.created_at AS l_created, i.payer, i.purpose, i.purpose_id,"
        + " s.status IN ('success', 'reversed') AS p_paid,"
        + " coalesce(i.status IN "
        + SETTLED
        + ", false) AS l_settled,"
        + " i.reference IS NOT NULL AS known"
        + " FROM "
        + staging
        + " s LEFT JOIN "
        + schema
        + ".payment_intents i ON i.reference = s.reference"
        + " WHERE s.run_id = :run AND s.kind = 'transaction'),"
        + " c AS (SELECT p.*, CASE"
        + " WHEN NOT known THEN CASE WHEN p_paid THEN 'missing_locally' ELSE 'ignored' END"
        + " WHEN p_currency <> l_currency THEN 'currency_mismatch'"
        + " WHEN abs(p_amount - l_amount) > :tolerance THEN 'amount_mismatch'"
        + " WHEN p_paid AND l_settled THEN CASE WHEN EXISTS (SELECT 1 FROM "
        + schema
        + ".payment_intents d WHERE d.purpose = p.purpose AND d.purpose_id = p.purpose_id"
        + " AND d.payer = p.payer AND d.reference <> p.reference AND d.status IN "
        + SETTLED
        + " AND d.created_at < p.l_created"
        + " AND d.created_at >= p.l_created - make_interval(secs => :duplicateWindow))"
        + " THEN 'duplicate' ELSE 'matched' END"
        + " WHEN p_paid THEN 'status_mismatch'"
        + " WHEN p_status IN ('failed', 'abandoned') AND l_status IN ('failed', 'abandoned')"
        + " THEN 'matched'"
        + " WHEN p_status IN ('failed', 'abandoned') THEN 'status_mismatch'"
        + " WHEN l_settled THEN 'status_mismatch'"
        + " ELSE 'matched' END AS category FROM p),"
        + " t AS (SELECT c.*, category = 'status_mismatch' AND NOT l_settled"
        + " AND (p_paid OR l_status IN ('created', 'pending')) AS repairable FROM c)";
  }

  /** Writes each provider transaction's category and repairability onto its staging row. */
  static String classifyTransactions(String schema, String staging) {
    return transactionPairs(schema, staging)
        + " UPDATE "
        + staging
        + " s SET category = t.category, repairable = t.repairable FROM t"
        + " WHERE s.run_id = :run AND s.kind = 'transaction' AND s.provider_id = t.provider_id";
  }

  /** Writes each provider transfer's category onto its staging row. */
  static String classifyTransfers(String schema, String staging) {
    return "UPDATE "
        + staging
        + " s SET category = x.category FROM ("
        + transferPairs(schema, staging)
        + ") x WHERE s.run_id = :run AND s.kind = 'transfer' AND s.provider_id = x.provider_id";
  }

  /** The classified provider transactions beside our intents, for the discrepancies' evidence. */
  static String classifiedTransactions(String schema, String staging) {
    return "SELECT s.reference, s.provider_id, s.status AS p_status, s.amount_minor AS p_amount,"
        + " s.currency AS p_currency, s.category, s.repairable, i.status AS l_status,"
        + " i.amount_minor AS l_amount, i.currency AS l_currency, i.created_at AS l_created"
        + " FROM "
        + staging
        + " s LEFT JOIN "
        + schema
        + ".payment_intents i ON i.reference = s.reference"
        + " WHERE s.run_id = :run AND s.kind = 'transaction'";
  }

  /** The classified provider transfers beside our payouts. */
  static String classifiedTransfers(String schema, String staging) {
    return "SELECT s.reference, s.provider_id, s.status AS p_status, s.amount_minor AS p_amount,"
        + " s.currency AS p_currency, s.category, o.status AS l_status,"
        + " o.amount_minor AS l_amount, o.currency AS l_currency, o.created_at AS l_created"
        + " FROM "
        + staging
        + " s LEFT JOIN "
        + schema
        + ".payouts o ON o.reference = s.reference"
        + " WHERE s.run_id = :run AND s.kind = 'transfer'";
  }

  /**
   * Our intents of the window that the provider has no record of in the run. Binds {@code :run},
   * {@code :from}, {@code :localTo}.
   */
  static String localOnlyIntents(String schema, String staging) {
    return "SELECT i.reference, i.status AS l_status, i.amount_minor AS l_amount,"
        + " i.currency AS l_currency, i.created_at AS l_created,"
        + " CASE WHEN i.status IN "
        + SETTLED
        + " THEN 'missing_at_provider' ELSE 'matched' END AS category"
        + " FROM "
        + schema
        + ".payment_intents i WHERE i.created_at >= :from AND i.created_at < :localTo"
        + " AND NOT EXISTS (SELECT 1 FROM "
        + staging
        + " s WHERE s.run_id = :run AND s.kind = 'transaction' AND s.reference = i.reference)";
  }

  /** Every provider transfer of the run with our payout of its reference. Binds as above. */
  private static String transferPairs(String schema, String staging) {
    return "SELECT s.provider_id, CASE"
        + " WHEN o.reference IS NULL THEN CASE WHEN s.status IN ('failed', 'reversed')"
        + " THEN 'ignored' ELSE 'missing_locally' END"
        + " WHEN s.currency <> o.currency THEN 'currency_mismatch'"
        + " WHEN abs(s.amount_minor - o.amount_minor) > :tolerance THEN 'amount_mismatch'"
        + " WHEN (s.status, o.status) IN (('success', 'paid'), ('failed', 'failed'),"
        + " ('reversed', 'reversed')) THEN 'matched'"
        + " WHEN s.status NOT IN ('success', 'failed', 'reversed')"
        + " AND o.status IN ('requested', 'sent') THEN 'matched'"
        + " ELSE 'status_mismatch' END AS category"
        + " FROM "
        + staging
        + " s LEFT JOIN "
        + schema
        + ".payouts o ON o.reference = s.reference"
        + " WHERE s.run_id = :run AND s.kind = 'transfer'";
  }

  /** Our payouts of the window that the provider has no transfer for. Binds as above. */
  static String localOnlyPayouts(String schema, String staging) {
    return "SELECT o.reference, o.status AS l_status, o.amount_minor AS l_amount,"
        + " o.currency AS l_currency, o.created_at AS l_created,"
        + " CASE WHEN o.status IN ('sent', 'paid', 'reversed') THEN 'missing_at_provider'"
        + " ELSE 'matched' END AS category"
        + " FROM "
        + schema
        + ".payouts o WHERE o.created_at >= :from AND o.created_at < :localTo"
        + " AND NOT EXISTS (SELECT 1 FROM "
        + staging
        + " s WHERE s.run_id = :run AND s.kind = 'transfer' AND s.reference = o.reference)";
  }

  /**
   * Each creator's posted ledger balance beside what their settled payments, paid payouts,
   * processed refunds and lost disputes say it should be, where the two differ. One statement, so
   * both sides come from one snapshot (a settlement writes the intent and the ledger in one
   * transaction).
   */
  static String drift(String schema, String ledgerSchema) {
    return "WITH earned AS (SELECT creator_account AS account, currency,"
        + " sum(amount_minor - fee_minor) AS s FROM "
        + schema
        + ".payment_intents WHERE settled_at IS NOT NULL GROUP BY 1, 2),"
        + " paid AS (SELECT creator_account AS account, sum(amount_minor) AS s FROM "
        + schema
        + ".payouts WHERE status = 'paid' GROUP BY 1),"
        + " refunded AS (SELECT i.creator_account AS account, sum(r.creator_part_minor) AS s FROM "
        + schema
        + ".refunds r JOIN "
        + schema
        + ".payment_intents i ON i.reference = r.payment_reference"
        + " WHERE r.status = 'processed' GROUP BY 1),"
        + " lost AS (SELECT i.creator_account AS account, sum(d.held_minor) AS s FROM "
        + schema
        + ".disputes d JOIN "
        + schema
        + ".payment_intents i ON i.reference = d.payment_reference"
        + " WHERE d.status = 'lost' GROUP BY 1),"
        + " expected AS (SELECT e.account, e.currency,"
        + " e.s - coalesce(p.s, 0) - coalesce(r.s, 0) - coalesce(l.s, 0) AS expected"
        + " FROM earned e LEFT JOIN paid p USING (account) LEFT JOIN refunded r USING (account)"
        + " LEFT JOIN lost l USING (account))"
        + " SELECT x.account, x.currency, x.expected,"
        + " coalesce(a.credits_posted - a.debits_posted, 0) AS posted"
        + " FROM expected x LEFT JOIN "
        + ledgerSchema
        + ".accounts a ON a.id = x.account"
        + " WHERE x.expected <> coalesce(a.credits_posted - a.debits_posted, 0)";
  }
}
