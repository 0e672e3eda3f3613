/**
 * The parts of odim-payments that are not API: reading Paystack's event objects and job payloads,
 * and the arithmetic of proportional refunds. May change in any release.
 */
@NullMarked
package dev.odim.payments.internal;

import org.jspecify.annotations.NullMarked;
