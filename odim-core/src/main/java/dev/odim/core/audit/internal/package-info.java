/** The audit log's PostgreSQL implementation: appends under the chain head lock, hashing, SQL. */
@NullMarked
package dev.odim.core.audit.internal;

import org.jspecify.annotations.NullMarked;
