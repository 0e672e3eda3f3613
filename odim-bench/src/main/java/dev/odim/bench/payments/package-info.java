/**
 * {@code ./odim bench payments}: payments through the reference server and the Paystack simulator
 * over real HTTP, with the simulator's faults on, checked afterwards in the database.
 */
@NullMarked
package dev.odim.bench.payments;

import org.jspecify.annotations.NullMarked;
