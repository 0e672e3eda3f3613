/**
 * The benchmark harness behind {@code ./odim bench NAME [--quick]}: each family prints one JSON
 * object per scenario on stdout (DESIGN.md, "Benchmarks"); progress goes to stderr.
 */
@NullMarked
package dev.odim.bench;

import org.jspecify.annotations.NullMarked;
