/** The queue benchmark: enqueue and processing rates per backend, and a crash scenario. */
@NullMarked
package dev.odim.bench.queue;

import org.jspecify.annotations.NullMarked;
