/**
 * A stand-in for Paystack that the platform's tests, load scripts and local runs talk to instead of
 * the real thing: {@link dev.odim.testkit.paystack.PaystackSimulator} serves Paystack's API shapes
 * (transactions, recurring charges, transfers, refunds), a hosted checkout page, and sends signed
 * webhooks with Paystack's retry schedule, with faults that can be switched on while it runs.
 */
@NullMarked
package dev.odim.testkit.paystack;

import org.jspecify.annotations.NullMarked;
