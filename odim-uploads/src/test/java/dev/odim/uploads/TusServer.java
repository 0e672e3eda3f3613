package dev.odim.uploads;

import dev.odim.core.http.HttpHandler;
import dev.odim.servlet.OdimServlet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A handler mounted through odim-servlet in a real Jetty at {@code /uploads/*}, and a tus client's
 * requests as {@link HttpClient} sends them. The caller is named by the {@code X-User} header.
 */
final class TusServer implements AutoCloseable {
  static final String USER = "X-User";

  private final @org.jspecify.annotations.Nullable Server server;
  private final int port;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TusServer(@org.jspecify.annotations.Nullable Server server, int port) {
    this.server = server;
    this.port = port;
  }

  /** A client of a server running elsewhere (another JVM) on {@code port}; close stops nothing. */
  static TusServer clientOf(int port) {
    return new TusServer(null, port);
  }

  static TusServer serve(HttpHandler handler) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(new OdimServlet(handler)), "/uploads/*");
    server.setHandler(context);
    server.start();
    return new TusServer(server, connector.getLocalPort());
  }

  /** The access hook of the tests: the caller is whoever {@code X-User} names. */
  static UploadAccess byHeader() {
    return request -> java.util.Optional.ofNullable(request.header(USER));
  }

  int port() {
    return port;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  HttpRequest.Builder request(String path, String user) {
    return HttpRequest.newBuilder(uri(path))
        .timeout(Duration.ofSeconds(30))
        .header("Tus-Resumable", "1.0.0")
        .header(USER, user);
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Sends on a connection of its own: a refusal answered before the body was read ends its
   * connection, and a client that pooled it could send the next request into the closing socket
   * ("header parser received no bytes"), a failure of the test's transport, not of the server.
   */
  HttpResponse<String> sendAlone(HttpRequest request) throws IOException, InterruptedException {
    try (HttpClient alone = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      return alone.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  /** POST /uploads/ with a length and metadata; the new upload's path. */
  String create(String user, long length, Map<String, String> metadata) throws Exception {
    HttpRequest.Builder post =
        request("/uploads/", user)
            .header("Upload-Length", Long.toString(length))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (!metadata.isEmpty()) {
      post.header("Upload-Metadata", metadata(metadata));
    }
    HttpResponse<String> created = send(post.build());
    if (created.statusCode() != 201) {
      throw new AssertionError("creation answered " + created.statusCode() + " " + created.body());
    }
    return created.headers().firstValue("Location").orElseThrow();
  }

  HttpResponse<String> patch(String path, String user, long offset, byte[] body) throws Exception {
    return send(patchRequest(path, user, offset, body));
  }

  HttpRequest patchRequest(String path, String user, long offset, byte[] body) {
    return request(path, user)
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Offset", Long.toString(offset))
        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  HttpResponse<String> head(String path, String user) throws Exception {
    return send(request(path, user).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
  }

  long offset(String path, String user) throws Exception {
    HttpResponse<String> head = head(path, user);
    if (head.statusCode() != 200) {
      throw new AssertionError("HEAD answered " + head.statusCode());
    }
    return Long.parseLong(head.headers().firstValue("Upload-Offset").orElseThrow());
  }

  static String metadata(Map<String, String> pairs) {
    return pairs.entrySet().stream()
        .map(
            e ->
                e.getKey()
                    + " "
                    + Base64.getEncoder()
                        .encodeToString(
                            e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .collect(Collectors.joining(","));
  }

  @Override
  public void close() throws Exception {
    client.close();
    if (server != null) {
      server.stop();
    }
  }
}
