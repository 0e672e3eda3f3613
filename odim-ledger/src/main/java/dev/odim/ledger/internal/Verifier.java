package dev.odim.ledger.internal;

import dev.odim.ledger.Violation;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Checks the ledger's invariants from its tables alone, recomputing every balance from the
 * transfers rather than trusting the running totals: sums use {@code numeric}, so they cannot
 * overflow while they check.
 */
final class Verifier {
  private final String s;

  Verifier(String schemaPrefix) {
    this.s = schemaPrefix;
  }

  List<Violation> verify(Handle handle) {
    List<Violation> violations = new ArrayList<>();
    check(
        handle,
        violations,
        "debits_equal_credits",
        "SELECT 'currency ' || currency || ': debits posted ' || sum(debits_posted)"
            + " || ', credits posted ' || sum(credits_posted) || ', debits pending '"
            + " || sum(debits_pending) || ', credits pending ' || sum(credits_pending) FROM "
            + s
            + "accounts GROUP BY currency HAVING sum(debits_posted) <> sum(credits_posted)"
            + " OR sum(debits_pending) <> sum(credits_pending)");
    check(
        handle,
        violations,
        "balances_equal_transfers",
        "WITH moves AS ("
            + " SELECT debit_account_id AS account, amount AS dpo, 0 AS cpo, 0 AS dp, 0 AS cp FROM "
            + s
            + "transfers WHERE kind IN ('immediate', 'post_pending', 'reversal')"
            + " UNION ALL SELECT credit_account_id, 0, amount, 0, 0 FROM "
            + s
            + "transfers WHERE kind IN ('immediate', 'post_pending', 'reversal')"
            + " UNION ALL SELECT debit_account_id, 0, 0, amount, 0 FROM "
            + s
            + "transfers WHERE kind = 'pending' AND pending_state = 'pending'"
            + " UNION ALL SELECT credit_account_id, 0, 0, 0, amount FROM "
            + s
            + "transfers WHERE kind = 'pending' AND pending_state = 'pending'),"
            + " sums AS (SELECT account, sum(dpo) AS dpo, sum(cpo) AS cpo, sum(dp) AS dp,"
            + " sum(cp) AS cp FROM moves GROUP BY account)"
            + " SELECT 'account ' || a.id || ' holds ' || a.debits_posted || '/' || a.credits_posted"
            + " || '/' || a.debits_pending || '/' || a.credits_pending"
            + " || ' (debits/credits posted, debits/credits pending), its transfers sum to '"
            + " || coalesce(x.dpo, 0) || '/' || coalesce(x.cpo, 0) || '/' || coalesce(x.dp, 0)"
            + " || '/' || coalesce(x.cp, 0) FROM "
            + s
            + "accounts a LEFT JOIN sums x ON x.account = a.id"
            + " WHERE a.debits_posted <> coalesce(x.dpo, 0) OR a.credits_posted <> coalesce(x.cpo, 0)"
            + " OR a.debits_pending <> coalesce(x.dp, 0) OR a.credits_pending <> coalesce(x.cp, 0)");
    check(
        handle,
        violations,
        "balances_equal_last_posting",
        "SELECT 'account ' || a.id || ' at version ' || a.version || ' differs from its last"
            + " posting (version ' || coalesce(p.version, 0) || ')' FROM "
            + s
            + "accounts a LEFT JOIN LATERAL (SELECT * FROM "
            + s
            + "postings WHERE account_id = a.id ORDER BY version DESC LIMIT 1) p ON true"
            + " WHERE coalesce(p.version, 0) <> a.version OR (p.version IS NOT NULL AND"
            + " (p.debits_pending, p.debits_posted, p.credits_pending, p.credits_posted)"
            + " <> (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted))");
    check(
        handle,
        violations,
        "postings_contiguous",
        "SELECT 'account ' || account_id || ' has ' || count(*) || ' postings up to version '"
            + " || max(version) FROM "
            + s
            + "postings GROUP BY account_id HAVING count(*) <> max(version) OR min(version) <> 1");
    check(
        handle,
        violations,
        "limits_respected",
        "SELECT 'account ' || id || ' is beyond its limit' FROM "
            + s
            + "accounts WHERE (debits_must_not_exceed_credits"
            + " AND debits_pending + debits_posted > credits_posted)"
            + " OR (credits_must_not_exceed_debits AND credits_pending + credits_posted > debits_posted)");
    check(
        handle,
        violations,
        "pending_resolved_once",
        "SELECT 'pending ' || p.id || ' is ' || p.pending_state || ' with ' || count(r.id)"
            + " || ' resolutions' FROM "
            + s
            + "transfers p LEFT JOIN "
            + s
            + "transfers r ON r.pending_id = p.id WHERE p.kind = 'pending'"
            + " GROUP BY p.id, p.pending_state"
            + " HAVING count(r.id) > 1"
            + " OR (p.pending_state IN ('posted', 'voided') AND count(r.id) <> 1)"
            + " OR (p.pending_state IN ('pending', 'expired') AND count(r.id) <> 0)"
            + " OR (p.pending_state = 'posted' AND bool_or(r.kind <> 'post_pending'))"
            + " OR (p.pending_state = 'voided' AND bool_or(r.kind <> 'void_pending'))");
    check(
        handle,
        violations,
        "reversals_within_original",
        "SELECT 'transfer ' || o.id || ' records ' || o.reversed_amount || ' reversed, its"
            + " reversals sum to ' || coalesce(sum(r.amount), 0) FROM "
            + s
            + "transfers o LEFT JOIN "
            + s
            + "transfers r ON r.reverses_id = o.id GROUP BY o.id, o.reversed_amount, o.amount"
            + " HAVING o.reversed_amount <> coalesce(sum(r.amount), 0) OR o.reversed_amount > o.amount");
    check(
        handle,
        violations,
        "postings_belong_to_transfers",
        "SELECT 'posting ' || p.account_id || '/' || p.version || ' has no transfer or account'"
            + " FROM "
            + s
            + "postings p LEFT JOIN "
            + s
            + "transfers t ON t.id = p.transfer_id LEFT JOIN "
            + s
            + "accounts a ON a.id = p.account_id WHERE t.id IS NULL OR a.id IS NULL");
    return violations;
  }

  private static void check(
      Handle handle, List<Violation> violations, String invariant, String sql) {
    for (String detail : handle.createQuery(sql).mapTo(String.class).list()) {
      violations.add(new Violation(invariant, detail));
    }
  }
}
