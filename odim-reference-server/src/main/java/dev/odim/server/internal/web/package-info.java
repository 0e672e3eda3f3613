/**
 * How every route of the server is declared and guarded: an {@link Endpoint} names its access, body
 * type and limits where it is registered through {@link Api}, and a route registered any other way
 * stops start-up (deny by default). Around every route: rate limiting, CSRF refusal, security
 * headers, session authentication, body binding with validation.
 */
@NullMarked
package dev.odim.server.internal.web;

import org.jspecify.annotations.NullMarked;
