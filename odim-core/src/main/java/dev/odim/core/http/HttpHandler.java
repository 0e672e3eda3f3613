package dev.odim.core.http;

import java.io.IOException;

/**
 * A framework-neutral HTTP handler: one request in, one complete response out. Implementations
 * answer bad input with a 4xx response rather than throwing; an {@link IOException} means the
 * request body could not be read (the client went away), and adapters answer it as they answer any
 * broken connection.
 */
@FunctionalInterface
public interface HttpHandler {
  HttpResponse handle(HttpRequest request) throws IOException;
}
