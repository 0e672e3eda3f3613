/**
 * The audit log: an append-only, hash-chained record of sensitive operations (sign-ins and their
 * failures, payment transitions, payouts, refunds, admin actions, permission and profile changes)
 * with who did it, from where, under which request, to what, and when. The database refuses to
 * change or remove rows, and {@link dev.odim.core.audit.AuditLog#verifyChain()} finds any row that
 * was changed, removed or inserted behind the library's back. Summaries and details must hold
 * masked personal data only; {@link dev.odim.core.audit.Mask} does the masking.
 */
@NullMarked
package dev.odim.core.audit;

import org.jspecify.annotations.NullMarked;
