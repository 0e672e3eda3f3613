/**
 * The database bootstrap every module builds on: a HikariCP pool and a Jdbi instance from one URL,
 * Flyway migrations per module schema, and transactions that retry serialization failures and
 * deadlocks.
 */
@NullMarked
package dev.odim.core.db;

import org.jspecify.annotations.NullMarked;
