/**
 * Resumable uploads over tus 1.0: {@link dev.odim.uploads.Uploads} is the entry point; its {@link
 * dev.odim.uploads.Uploads#handler()} speaks the protocol through odim-core's framework-neutral
 * HTTP abstraction, upload state lives in PostgreSQL and bytes in an {@link
 * dev.odim.uploads.store.UploadStore}, so any instance can continue an upload another started.
 */
@NullMarked
package dev.odim.uploads;

import org.jspecify.annotations.NullMarked;
