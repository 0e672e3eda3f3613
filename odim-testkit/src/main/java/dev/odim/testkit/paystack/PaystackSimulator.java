package dev.odim.testkit.paystack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.odim.testkit.paystack.internal.Api;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * A stand-in for Paystack: its API subset (initialize, verify, list and charge transactions;
 * transfer recipients and transfers; refunds) in Paystack's request and response shapes, a hosted
 * checkout page where a person clicks Pay or Fail, and signed webhooks retried on Paystack's
 * schedule (compressible for tests), with faults to switch on while it runs. State is in memory.
 *
 * <pre>{@code
 * try (PaystackSimulator paystack = PaystackSimulator.builder()
 *         .webhookUrl(URI.create("http://localhost:8080/webhooks/paystack"))
 *         .webhookMinute(Duration.ofMillis(10))   // a 3-minute retry waits 30 ms
 *         .build()
 *         .start(0)) {
 *   URI api = paystack.baseUri();                 // http://localhost:PORT/sim/paystack
 *   paystack.faults(Faults.NONE.withWebhookDuplicateRate(1.0));
 * }
 * }</pre>
 *
 * <p>To serve it from another server, pass each request under the base path to {@link #handle} and
 * copy the answer back; then there is no need to {@link #start} it.
 */
public final class PaystackSimulator implements AutoCloseable {
  /** The secret key of the built-in simulator. */
  public static final String DEFAULT_SECRET_KEY = "sk_test_odim_simulator";

  /** Where the simulator's routes live, in its own server and in the reference server. */
  public static final String DEFAULT_BASE_PATH = "/sim/paystack";

  private static final int MAX_BODY = 1 << 20;

  private final Api api;
  private final String basePath;
  private final Object serverLock = new Object();
  private @Nullable HttpServer server;
  private @Nullable ExecutorService executor;

  private PaystackSimulator(Builder b) {
    this.basePath = b.basePath;
    this.api =
        new Api(
            b.secretKey,
            b.basePath,
            b.publicUri,
            b.webhookUrl,
            b.clock,
            b.webhookMinute,
            b.reorderWindow,
            b.webhookTimeout,
            b.seed,
            b.settlePayoutsManually);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Answers one request. {@code request.path()} is the full path, starting with the base path; any
   * other path is answered 404.
   */
  public SimulatorResponse handle(SimulatorRequest request) {
    return api.handle(request);
  }

  /**
   * Serves the simulator on the JDK's HTTP server on loopback, on {@code port} (0 for any free
   * one), one virtual thread per request.
   */
  public PaystackSimulator start(int port) {
    return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  /** Serves the simulator on {@code address}. */
  public PaystackSimulator start(InetSocketAddress address) {
    synchronized (serverLock) {
      if (server != null) {
        throw new IllegalStateException("the simulator is already started");
      }
      try {
        HttpServer created = HttpServer.create(address, 0);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        created.setExecutor(threads);
        created.createContext("/", this::exchange);
        created.start();
        server = created;
        executor = threads;
      } catch (IOException e) {
        throw new UncheckedIOException("could not listen on " + address, e);
      }
    }
    return this;
  }

  /** The port the simulator listens on; only after {@link #start}. */
  public int port() {
    synchronized (serverLock) {
      if (server == null) {
        throw new IllegalStateException("the simulator is not started");
      }
      return server.getAddress().getPort();
    }
  }

  /**
   * Where clients send Paystack API calls, e.g. {@code http://localhost:8090/sim/paystack} (use it
   * as the Paystack base URL); only after {@link #start}.
   */
  public URI baseUri() {
    return URI.create("http://localhost:" + port() + basePath);
  }

  /** The faults in force. */
  public Faults faults() {
    return api.faults();
  }

  /** Replaces the faults in force (the control API's {@code /_control/faults} merges instead). */
  public void faults(Faults faults) {
    api.faults(Objects.requireNonNull(faults, "faults"));
  }

  /** The JSON that {@code GET /_control/state} answers in its {@code data}. */
  public String stateJson() {
    return api.state().toString();
  }

  /** Stops the server, if started, and every pending webhook. */
  @Override
  public void close() {
    synchronized (serverLock) {
      if (server != null) {
        server.stop(0);
        server = null;
      }
      if (executor != null) {
        executor.shutdownNow();
        executor = null;
      }
    }
    api.close();
  }

  private void exchange(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      SimulatorResponse response;
      if (body.length > MAX_BODY) {
        response =
            new SimulatorResponse(
                413,
                Map.of("Content-Type", "application/json; charset=utf-8"),
                "{\"status\":false,\"message\":\"Request body too large\"}"
                    .getBytes(StandardCharsets.UTF_8));
      } else {
        URI uri = exchange.getRequestURI();
        String query = uri.getRawQuery();
        response =
            handle(
                new SimulatorRequest(
                    exchange.getRequestMethod(),
                    uri.getRawPath(),
                    query == null ? "" : query,
                    exchange.getRequestHeaders(),
                    body));
      }
      response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      byte[] out = response.body();
      boolean head = exchange.getRequestMethod().toUpperCase(Locale.ROOT).equals("HEAD");
      exchange.sendResponseHeaders(response.status(), out.length == 0 || head ? -1 : out.length);
      if (out.length > 0 && !head) {
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  /** Settings of a simulator; every one has a default that suits a test. */
  public static final class Builder {
    private String secretKey = DEFAULT_SECRET_KEY;
    private String basePath = DEFAULT_BASE_PATH;
    private @Nullable URI publicUri;
    private @Nullable URI webhookUrl;
    private Clock clock = Clock.systemUTC();
    private Duration webhookMinute = Duration.ofMinutes(1);
    private Duration reorderWindow = Duration.ofMillis(200);
    private Duration webhookTimeout = Duration.ofSeconds(30);
    private long seed = new java.security.SecureRandom().nextLong();
    private boolean settlePayoutsManually;

    private Builder() {}

    /**
     * The secret key requests must carry as {@code Authorization: Bearer} and webhooks are signed
     * with.
     */
    public Builder secretKey(String secretKey) {
      if (secretKey.isBlank()) {
        throw new IllegalArgumentException("secretKey must not be blank");
      }
      this.secretKey = secretKey;
      return this;
    }

    /**
     * Where the routes live, e.g. {@code /sim/paystack} (the default), or {@code ""} for the root.
     */
    public Builder basePath(String basePath) {
      String path =
          basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
      if (!path.isEmpty() && !path.startsWith("/")) {
        throw new IllegalArgumentException("basePath must start with / or be empty");
      }
      this.basePath = path;
      return this;
    }

    /**
     * The address clients reach the base path at, used in {@code authorization_url}; by default it
     * is made from each request's {@code Host} header and the base path.
     */
    public Builder publicUri(URI publicUri) {
      this.publicUri = publicUri;
      return this;
    }

    /** Where webhooks are sent; without one they are recorded but not sent. */
    public Builder webhookUrl(URI webhookUrl) {
      String scheme = webhookUrl.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
        throw new IllegalArgumentException("webhookUrl must be an http or https URL");
      }
      this.webhookUrl = webhookUrl;
      return this;
    }

    /** The clock for timestamps ({@code created_at}, {@code paid_at}) and list filters. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long one minute of Paystack's webhook retry schedule lasts here (default one minute):
     * {@code Duration.ofMillis(10)} makes the 3-minute retries 30 ms and the hourly ones 600 ms.
     */
    public Builder webhookMinute(Duration minute) {
      if (minute.isNegative()) {
        throw new IllegalArgumentException("webhookMinute must not be negative");
      }
      this.webhookMinute = minute;
      return this;
    }

    /** How long reordering holds webhooks before releasing them shuffled (default 200 ms). */
    public Builder reorderWindow(Duration window) {
      if (window.isNegative()) {
        throw new IllegalArgumentException("reorderWindow must not be negative");
      }
      this.reorderWindow = window;
      return this;
    }

    /** How long a webhook attempt may take before it counts as failed (default 30 s). */
    public Builder webhookTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("webhookTimeout must be positive");
      }
      this.webhookTimeout = timeout;
      return this;
    }

    /**
     * The seed of the random source behind fault decisions, generated codes and the first id;
     * random by default (shown in {@code /_control/state}), fixed in a test to repeat a run.
     */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Leaves transfers and refunds pending until {@code POST /_control/pay} settles them (with the
     * transfer's reference or code, or the refund's id); by default they succeed at once.
     */
    public Builder settlePayoutsManually(boolean manually) {
      this.settlePayoutsManually = manually;
      return this;
    }

    public PaystackSimulator build() {
      return new PaystackSimulator(this);
    }
  }
}
