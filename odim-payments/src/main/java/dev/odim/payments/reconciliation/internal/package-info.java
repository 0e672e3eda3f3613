/** The SQL of reconciliation runs and discrepancies; not part of the API. */
@NullMarked
package dev.odim.payments.reconciliation.internal;

import org.jspecify.annotations.NullMarked;
