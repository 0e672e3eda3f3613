/**
 * The storage SPI for upload bytes ({@link dev.odim.uploads.store.UploadStore}) and its
 * implementations. Upload state (offset, length, lease) is not the store's business: it lives in
 * PostgreSQL, kept by the protocol handler, so a store only ever moves bytes.
 */
@NullMarked
package dev.odim.uploads.store;

import org.jspecify.annotations.NullMarked;
