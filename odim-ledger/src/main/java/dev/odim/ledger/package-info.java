/**
 * A double-entry ledger on PostgreSQL: accounts with balances the database keeps consistent,
 * idempotent transfers (immediate, pending holds, post, void, reversal, balancing, linked chains),
 * journal entries, point-in-time balances and history. Concurrent writes are combined into one
 * database transaction (group commit), so a hot account is not a bottleneck.
 */
@NullMarked
package dev.odim.ledger;

import org.jspecify.annotations.NullMarked;
