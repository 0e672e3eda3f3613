/**
 * Odim's foundation: money, ids, the root exception and the problem value that every module and the
 * HTTP layer share.
 */
@NullMarked
package dev.odim.core;

import org.jspecify.annotations.NullMarked;
