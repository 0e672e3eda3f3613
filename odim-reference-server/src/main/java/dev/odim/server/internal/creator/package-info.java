/**
 * Creators' public profiles: {@code /api/creators/me/profile} (optimistic concurrency with ETag and
 * If-Match) and {@code /api/creators/{handle}}; bios are rich text sanitised on the way in and out.
 */
@NullMarked
package dev.odim.server.internal.creator;

import org.jspecify.annotations.NullMarked;
