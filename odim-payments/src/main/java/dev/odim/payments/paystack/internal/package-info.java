/** The Paystack client's plumbing: failures it signals to the resilience policies, JSON reading. */
@NullMarked
package dev.odim.payments.paystack.internal;

import org.jspecify.annotations.NullMarked;
