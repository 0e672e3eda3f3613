/** The admin's routes ({@code /api/admin/*}): only the admin role may call them. */
@NullMarked
package dev.odim.server.internal.admin;

import org.jspecify.annotations.NullMarked;
