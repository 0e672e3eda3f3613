/**
 * {@code ./odim bench uploads}: tus uploads through the reference server over loopback with
 * odim-uploads' Java client, beside the disk's own durable write rate.
 */
@NullMarked
package dev.odim.bench.uploads;

import org.jspecify.annotations.NullMarked;
