package dev.odim.uploads.client;

import dev.odim.core.db.Db;
import dev.odim.core.http.ForwardingHttpRequest;
import dev.odim.core.http.HttpHandler;
import dev.odim.core.http.HttpRequest;
import dev.odim.core.http.HttpResponse;
import dev.odim.servlet.OdimServlet;
import dev.odim.testkit.TestDatabase;
import dev.odim.uploads.UploadAccess;
import dev.odim.uploads.UploadInfo;
import dev.odim.uploads.Uploads;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;

/**
 * The real tus handler ({@link Uploads}) in a real Jetty through the Servlet adapter, on a random
 * loopback port, with upload state in the test's PostgreSQL and bytes in a temporary directory.
 * Between the adapter and the handler sits a switch that can answer the next requests with a
 * failure, or flip a byte of the next PATCH body, to show what the client does about them: the
 * handler itself is never imitated.
 */
final class TusServer implements AutoCloseable {
  private final Db db;
  private final Uploads uploads;
  private final Server jetty;
  private final int port;
  private final Faults faults = new Faults();

  private TusServer(Db db, Uploads uploads, Server jetty, int port) {
    this.db = db;
    this.uploads = uploads;
    this.jetty = jetty;
    this.port = port;
  }

  static TusServer start(TestDatabase database, Path directory) throws Exception {
    Db db = Db.builder(database.jdbcUrlWithCredentials()).build();
    Uploads uploads =
        Uploads.builder(db)
            .directory(directory)
            .access(UploadAccess.anonymous())
            .leaseTimeout(Duration.ofSeconds(1))
            .build();
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    TusServer[] self = new TusServer[1];
    HttpHandler handler = request -> self[0].faults.handle(request, uploads.handler());
    context.addServlet(new ServletHolder(new OdimServlet(handler)), "/uploads/*");
    jetty.setHandler(context);
    jetty.start();
    self[0] = new TusServer(db, uploads, jetty, connector.getLocalPort());
    return self[0];
  }

  int port() {
    return port;
  }

  /** The creation endpoint. */
  URI endpoint() {
    return endpoint(port);
  }

  /** The creation endpoint as seen through a proxy on {@code port}. */
  static URI endpoint(int port) {
    return URI.create("http://127.0.0.1:" + port + "/uploads/");
  }

  Faults faults() {
    return faults;
  }

  /** What the database knows of the upload at {@code url}. */
  @Nullable UploadInfo info(URI url) {
    return uploads.find(id(url)).orElse(null);
  }

  /** The SHA-256 of the finished upload's bytes, read back from the store. */
  String sha256(URI url) throws IOException {
    try (InputStream in = uploads.store().open(id(url).toString())) {
      return digest(in);
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return digest(in);
    }
  }

  private static String digest(InputStream in) throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        sha.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static UUID id(URI url) {
    String path = url.getPath();
    return UUID.fromString(path.substring(path.lastIndexOf('/') + 1));
  }

  @Override
  public void close() throws Exception {
    jetty.stop();
    uploads.close();
    db.close();
  }

  /** Failures to inject in front of the handler; each is used up by the requests it hits. */
  static final class Faults {
    private final AtomicInteger failures = new AtomicInteger();
    private volatile Set<String> methods = Set.of();
    private volatile int status = 503;
    private volatile @Nullable String retryAfter;
    private volatile boolean readBody = true;
    private volatile Duration stall = Duration.ZERO;
    private volatile CountDownLatch unstall = new CountDownLatch(1);
    private final AtomicInteger corruptions = new AtomicInteger();
    private final AtomicInteger patches = new AtomicInteger();

    /** The next {@code count} requests with one of {@code methods} get {@code status}. */
    void fail(int count, int status, @Nullable String retryAfter, String... methods) {
      this.methods = Set.of(methods);
      this.status = status;
      this.retryAfter = retryAfter;
      this.readBody = true;
      failures.set(count);
    }

    /**
     * The next {@code count} requests with one of {@code methods} get {@code status} before their
     * body is read, as the handler answers an offset conflict.
     */
    void refuseUnread(int count, int status, String... methods) {
      fail(count, status, null, methods);
      this.readBody = false;
    }

    /** The next {@code count} PATCH bodies reach the handler with their first byte flipped. */
    void corrupt(int count) {
      corruptions.set(count);
    }

    /**
     * Every PATCH waits this long (or until {@link #reset}) before the handler sees it: a slow or
     * stuck server.
     */
    void stall(Duration stall) {
      this.unstall = new CountDownLatch(1);
      this.stall = stall;
    }

    /** PATCH requests seen (including X-HTTP-Method-Override ones). */
    int patches() {
      return patches.get();
    }

    void reset() {
      stall = Duration.ZERO;
      unstall.countDown();
      failures.set(0);
      corruptions.set(0);
      patches.set(0);
    }

    HttpResponse handle(HttpRequest request, HttpHandler handler) throws IOException {
      String method = method(request);
      if (method.equals("PATCH")) {
        patches.incrementAndGet();
        if (stall.isPositive()) {
          try {
            unstall.await(stall.toMillis(), TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stalling", e);
          }
        }
      }
      if (methods.contains(method) && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        // read the body first, as a real server failing after it would, so the client sees
        // the answer and not a reset
        if (readBody) {
          request.body().transferTo(OutputStream.nullOutputStream());
        }
        HttpResponse failure =
            HttpResponse.text(status, "injected failure").withHeader("Tus-Resumable", "1.0.0");
        String after = retryAfter;
        return after == null ? failure : failure.withHeader("Retry-After", after);
      }
      if (method.equals("PATCH") && corruptions.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        return handler.handle(corrupted(request));
      }
      return handler.handle(request);
    }

    private static String method(HttpRequest request) {
      String override = request.header("X-HTTP-Method-Override");
      return override != null && request.method().equals("POST") ? override : request.method();
    }

    private static HttpRequest corrupted(HttpRequest request) {
      return new ForwardingHttpRequest(request) {
        private boolean flipped;

        @Override
        public InputStream body() {
          return new FilterInputStream(delegate().body()) {
            @Override
            public int read() throws IOException {
              int b = super.read();
              if (b >= 0 && !flipped) {
                flipped = true;
                return b ^ 0xff;
              }
              return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
              int n = super.read(buffer, offset, length);
              if (n > 0 && !flipped) {
                flipped = true;
                buffer[offset] ^= (byte) 0xff;
              }
              return n;
            }
          };
        }
      };
    }
  }
}
