/**
 * The admin side of odim-payments' reconciliation: runs, discrepancies and their resolution, and
 * the alerts page.
 */
@NullMarked
package dev.odim.server.internal.reconciliation;

import org.jspecify.annotations.NullMarked;
