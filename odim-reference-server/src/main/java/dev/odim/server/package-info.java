/**
 * The Odim reference server: a runnable creator platform on the Odim SDK. {@link
 * dev.odim.server.Main} is the command line ({@code serve}, {@code migrate}); {@link
 * dev.odim.server.ServerConfig} reads and validates the environment and flags once; {@link
 * dev.odim.server.OdimServer} starts the HTTP server in-process (tests start it on port 0) and
 * stops it gracefully. Everything else lives in {@code dev.odim.server.internal}.
 */
@NullMarked
package dev.odim.server;

import org.jspecify.annotations.NullMarked;
