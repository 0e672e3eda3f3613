package dev.odim.uploads.client;

import dev.odim.core.OdimConfigException;
import dev.odim.uploads.client.internal.Settings;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link TusClient}; {@link #build()} checks them all and throws {@link
 * OdimConfigException} naming the first bad one.
 */
public final class TusClientBuilder {
  /**
   * 32 MiB: large enough that the per-request cost (a round trip, and on Odim's server one forced
   * write to disk) is small next to the transfer even over loopback, small enough that a break
   * re-sends little. Lower it on slow or flaky links, where a chunk should take seconds, not
   * minutes.
   */
  public static final long DEFAULT_CHUNK_SIZE = 32L * 1024 * 1024;

  /** Headers the client sets itself (or the HTTP client forbids), which the supplier may not. */
  private static final Set<String> RESERVED =
      Set.of(
          "tus-resumable",
          "upload-offset",
          "upload-length",
          "upload-metadata",
          "upload-concat",
          "upload-checksum",
          "content-type",
          "content-length",
          "connection",
          "expect",
          "host",
          "upgrade");

  private final URI endpoint;
  private @Nullable HttpClient http;
  private Duration connectTimeout = Duration.ofSeconds(10);
  private Supplier<Map<String, String>> headers = Map::of;
  private long chunkSize = DEFAULT_CHUNK_SIZE;
  private RetryPolicy retry = RetryPolicy.DEFAULT;
  private ChecksumAlgorithm checksum = ChecksumAlgorithm.NONE;
  private Duration requestTimeout = Duration.ofSeconds(30);
  private Duration chunkTimeout = Duration.ofMinutes(10);
  private boolean expectContinueOnResume = true;
  private Clock clock = Clock.systemUTC();

  TusClientBuilder(URI endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * The HTTP client to send with, e.g. one with a proxy, TLS settings or an executor of your own;
   * the {@link TusClient} does not close it. Default: a client of its own speaking HTTP/1.1 (an
   * HTTP/2 upgrade attempt on plain HTTP would cost a round trip and some servers refuse it), never
   * following redirects (a redirected PATCH would lose its body).
   */
  public TusClientBuilder httpClient(HttpClient http) {
    this.http = http;
    return this;
  }

  /** How long to wait for a connection, for the default HTTP client. Default 10 s. */
  public TusClientBuilder connectTimeout(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
    return this;
  }

  /**
   * Headers added to every request, asked for again before each one, so a refreshed session cookie
   * or bearer token is picked up by a long upload. Default none. The tus headers, {@code
   * Content-Type}, {@code Content-Length} and {@code Host} are the client's own and are refused.
   */
  public TusClientBuilder headers(Supplier<Map<String, String>> headers) {
    this.headers = headers;
    return this;
  }

  /**
   * Bytes per {@code PATCH}; the most a broken connection can make the client send twice. Default
   * {@link #DEFAULT_CHUNK_SIZE} (32 MiB). At least 1 byte; memory use does not grow with it.
   */
  public TusClientBuilder chunkSize(long chunkSize) {
    this.chunkSize = chunkSize;
    return this;
  }

  /** How failed requests are retried. Default {@link RetryPolicy#DEFAULT}. */
  public TusClientBuilder retry(RetryPolicy retry) {
    this.retry = retry;
    return this;
  }

  /**
   * The digest sent with each chunk ({@code Upload-Checksum}); the server must support it. Default
   * {@link ChecksumAlgorithm#NONE}.
   */
  public TusClientBuilder checksum(ChecksumAlgorithm checksum) {
    this.checksum = checksum;
    return this;
  }

  /**
   * How long a {@code POST}, {@code HEAD} or {@code DELETE} may take before it counts as failed
   * (and is retried). Default 30 s.
   */
  public TusClientBuilder requestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
    return this;
  }

  /**
   * How long one {@code PATCH} may take, sending its chunk included, before it counts as failed
   * (and the client resumes from the server's offset). Default 10 minutes, which a 32 MiB chunk
   * meets down to about 55 KB/s; keep it above {@code chunkSize} divided by the slowest bandwidth
   * you expect.
   */
  public TusClientBuilder chunkTimeout(Duration chunkTimeout) {
    this.chunkTimeout = chunkTimeout;
    return this;
  }

  /**
   * Whether the first {@code PATCH} after the client read the offset with {@code HEAD} (on resume,
   * and after every failure) asks {@code Expect: 100-continue} before sending its chunk. Default
   * true: right after a broken connection the server may still be recording that request's last
   * bytes, so the offset {@code HEAD} gave can be stale; asking first lets the server answer {@code
   * 409} before the chunk travels instead of after, which keeps a break's cost to one chunk. It
   * costs one round trip per resume, none per ordinary chunk. Turn it off only for a server or
   * proxy that mishandles {@code Expect}.
   */
  public TusClientBuilder expectContinueOnResume(boolean expectContinueOnResume) {
    this.expectContinueOnResume = expectContinueOnResume;
    return this;
  }

  /** The clock that reads a {@code Retry-After} given as a date. Default the system clock. */
  public TusClientBuilder clock(Clock clock) {
    this.clock = clock;
    return this;
  }

  /**
   * Checks the settings and freezes them.
   *
   * @throws OdimConfigException naming the first bad setting
   */
  public TusClient build() {
    String scheme = endpoint.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || endpoint.getHost() == null) {
      throw new OdimConfigException(
          "endpoint", "must be an absolute http or https URL, was " + endpoint);
    }
    if (chunkSize < 1) {
      throw new OdimConfigException("chunkSize", "must be at least 1 byte, was " + chunkSize);
    }
    positive("connectTimeout", connectTimeout);
    positive("requestTimeout", requestTimeout);
    positive("chunkTimeout", chunkTimeout);
    Supplier<Map<String, String>> supplied = headers;
    Supplier<Map<String, String>> checked =
        () -> {
          Map<String, String> values = supplied.get();
          for (String name : values.keySet()) {
            if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
              throw new OdimConfigException(
                  "headers", "may not set " + name + ", which the tus client sets itself");
            }
          }
          return values;
        };
    boolean owns = http == null;
    HttpClient client =
        http != null
            ? http
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
    return new TusClient(
        new Settings(
            endpoint,
            client,
            owns,
            checked,
            chunkSize,
            retry,
            checksum,
            requestTimeout,
            chunkTimeout,
            expectContinueOnResume,
            clock));
  }

  private static void positive(String setting, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new OdimConfigException(setting, "must be positive, was " + value);
    }
  }
}
