/**
 * The statements and row mappings behind {@link dev.odim.queue.postgres.PostgresBackend}; not API.
 */
@NullMarked
package dev.odim.queue.postgres.internal;

import org.jspecify.annotations.NullMarked;
