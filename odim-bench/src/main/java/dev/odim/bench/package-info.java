/** Placeholder. */
@NullMarked
package dev.odim.bench;

import org.jspecify.annotations.NullMarked;
