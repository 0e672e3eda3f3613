/**
 * Accounts and sessions: users with argon2id password hashes and encrypted, blind-indexed emails;
 * opaque session tokens stored only as hashes, with idle and absolute timeouts; the {@code
 * /api/auth} and {@code /api/me} routes.
 */
@NullMarked
package dev.odim.server.internal.account;

import org.jspecify.annotations.NullMarked;
