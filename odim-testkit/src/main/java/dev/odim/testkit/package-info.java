/** Placeholder. */
@NullMarked
package dev.odim.testkit;

import org.jspecify.annotations.NullMarked;
