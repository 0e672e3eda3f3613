/**
 * The {@code db} family: what {@code Db.inTransaction} costs over raw JDBC, next to the commit rate
 * of the PostgreSQL server and the durable write rate of the disk it runs on.
 */
@NullMarked
package dev.odim.bench.db;

import org.jspecify.annotations.NullMarked;
