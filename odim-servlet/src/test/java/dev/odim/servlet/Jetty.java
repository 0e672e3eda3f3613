package dev.odim.servlet;

import dev.odim.core.http.HttpHandler;
import java.net.URI;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real Jetty 12 (ee10) on a random local port, with one {@link OdimServlet} mounted. */
final class Jetty implements AutoCloseable {
  private final Server server;
  private final int port;

  private Jetty(Server server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Mounts {@code handler} at {@code /*} of the root context. */
  static Jetty serve(HttpHandler handler) throws Exception {
    return serve(handler, "/", "/*");
  }

  /** Mounts {@code handler} at {@code mapping} inside the context at {@code contextPath}. */
  static Jetty serve(HttpHandler handler, String contextPath, String mapping) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(contextPath);
    context.addServlet(new ServletHolder(new OdimServlet(handler)), mapping);
    server.setHandler(context);
    server.start();
    return new Jetty(server, connector.getLocalPort());
  }

  int port() {
    return port;
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
