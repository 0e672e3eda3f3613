/** The ledger's engine: group commit, in-memory validation of a batch, and its SQL. */
@NullMarked
package dev.odim.ledger.internal;

import org.jspecify.annotations.NullMarked;
