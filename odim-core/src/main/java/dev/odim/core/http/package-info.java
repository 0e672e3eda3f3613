/**
 * The small request and response abstraction that Odim's HTTP protocols (webhook receipt, tus
 * uploads, the Paystack simulator) are written against, so that no module below the reference
 * server depends on a web framework. The reference server adapts it to Javalin; the {@code
 * odim-servlet} module adapts it to Jakarta Servlet for Spring, Quarkus or plain Jetty hosts.
 */
@NullMarked
package dev.odim.core.http;

import org.jspecify.annotations.NullMarked;
