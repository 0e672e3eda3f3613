/**
 * Implementation details of {@link dev.odim.core.ratelimit}: the translation of policies into
 * Bucket4j configurations, bucket keys, and the bridge from {@link java.time.Clock} to Bucket4j's
 * time meter. Not part of the public API; it may change without notice.
 */
@NullMarked
package dev.odim.core.ratelimit.internal;

import org.jspecify.annotations.NullMarked;
