/**
 * The tus protocol handler and what it stands on: the upload table, writer leases with their
 * heartbeat, the releasable request body, metadata and checksum parsing, media type sniffing. Not
 * an API: it may change in any release.
 */
@NullMarked
package dev.odim.uploads.internal;

import org.jspecify.annotations.NullMarked;
