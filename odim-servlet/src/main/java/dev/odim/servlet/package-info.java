/**
 * A Jakarta Servlet adapter for Odim's framework-neutral HTTP handlers ({@link
 * dev.odim.core.http.HttpHandler}): {@link dev.odim.servlet.OdimServlet} lets a Spring, Quarkus or
 * plain Jetty host mount the webhook endpoint, and later the tus upload server, as an ordinary
 * servlet.
 */
@NullMarked
package dev.odim.servlet;

import org.jspecify.annotations.NullMarked;
