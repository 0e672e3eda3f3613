/**
 * How the tus client moves bytes: the file-region body publisher and the per-upload transfer loop.
 * Not an API; it may change in any release.
 */
@NullMarked
package dev.odim.uploads.client.internal;

import org.jspecify.annotations.NullMarked;
