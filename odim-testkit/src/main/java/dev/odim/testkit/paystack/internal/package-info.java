/**
 * Implementation of the Paystack simulator: its state, routes, checkout page and webhook sender.
 */
@NullMarked
package dev.odim.testkit.paystack.internal;

import org.jspecify.annotations.NullMarked;
