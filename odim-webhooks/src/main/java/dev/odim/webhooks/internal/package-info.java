/** The inbox's SQL, its group commit and the dispatch job; not API. */
@NullMarked
package dev.odim.webhooks.internal;

import org.jspecify.annotations.NullMarked;
