/**
 * The {@code ledger} family: ledger transfers under four mixes against the same work done the naive
 * way in SQL (one transaction per transfer, both rows locked), with every run verified afterwards.
 */
@NullMarked
package dev.odim.bench.ledger;

import org.jspecify.annotations.NullMarked;
