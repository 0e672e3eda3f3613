/**
 * A client for Paystack's API over the JDK's {@link java.net.http.HttpClient}: transactions
 * (initialize, verify, list, charge a saved authorization), payouts (transfer recipients and
 * transfers) and refunds. Every call goes through one {@link dev.odim.core.resilience.Resilience}
 * per client, and every answer a caller must act on is a {@link
 * dev.odim.payments.paystack.PaystackResult} value rather than an exception. Start with {@link
 * dev.odim.payments.paystack.PaystackClient#builder()}.
 */
@NullMarked
package dev.odim.payments.paystack;

import org.jspecify.annotations.NullMarked;
