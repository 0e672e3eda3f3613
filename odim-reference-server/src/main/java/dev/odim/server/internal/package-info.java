/**
 * The reference server's machinery, not an API: the problem+json table and rendering, request ids,
 * JSON body reading with size and media-type limits, HTTP metrics, the readiness check, the record
 * of running server instances and the embedded PostgreSQL used when no {@code DATABASE_URL} is
 * given.
 */
@NullMarked
package dev.odim.server.internal;

import org.jspecify.annotations.NullMarked;
