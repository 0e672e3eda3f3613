/**
 * Creators' content: tus uploads mounted at {@code /uploads/} (odim-uploads), the content record
 * each finished upload becomes in the same transaction, {@code GET /api/creators/me/contents}, and
 * the recurring clean-up of expired uploads.
 */
@NullMarked
package dev.odim.server.internal.content;

import org.jspecify.annotations.NullMarked;
