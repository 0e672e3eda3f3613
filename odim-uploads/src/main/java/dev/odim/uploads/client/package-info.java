/**
 * A tus 1.0 client on {@code java.net.http}: uploads a file to any tus server (Odim's handler or
 * another), resuming from the server's offset after a broken connection, so a flaky network costs
 * at most the unacknowledged part of one chunk instead of the whole file. Start at {@link
 * dev.odim.uploads.client.TusClient#builder(java.net.URI)}.
 */
@NullMarked
package dev.odim.uploads.client;

import org.jspecify.annotations.NullMarked;
