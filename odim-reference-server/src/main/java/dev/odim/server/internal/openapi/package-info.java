/**
 * The server's API described from its route declarations: {@link
 * dev.odim.server.internal.openapi.OpenApiDocument} turns the {@link
 * dev.odim.server.internal.web.Endpoint}s into an OpenAPI 3.1 document, with JSON Schemas made by
 * reflection from the body records and their Jakarta Validation constraints, and {@link
 * dev.odim.server.internal.openapi.ApiPage} renders the same document as an HTML page. Nothing here
 * is written by hand per route, so the description cannot drift from what the routes enforce.
 */
@NullMarked
package dev.odim.server.internal.openapi;

import org.jspecify.annotations.NullMarked;
