/** Placeholder. */
@NullMarked
package dev.odim.server;

import org.jspecify.annotations.NullMarked;
