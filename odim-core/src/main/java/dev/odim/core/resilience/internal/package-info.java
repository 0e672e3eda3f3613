/**
 * Implementation details of {@link dev.odim.core.resilience}: the bridge from Failsafe's policy
 * events to Micrometer meters. Not part of the public API; it may change without notice.
 */
@NullMarked
package dev.odim.core.resilience.internal;

import org.jspecify.annotations.NullMarked;
