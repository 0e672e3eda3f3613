package dev.odim.bench.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * JSON over HTTP/1.1 to the reference server and the simulator, as a browser or a load script would
 * talk to them: a session cookie per user, an {@code Idempotency-Key} where a route asks for one,
 * and the answers' status, body and {@code Retry-After} handed back as they came.
 */
final class HttpApi {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** One answer: its status, its JSON body (missing when it had none) and headers of interest. */
  record Answer(
      int status, JsonNode body, Optional<String> setCookie, Optional<String> retryAfter) {

    /**
     * Whether the server asked to try again: 503 (the provider is down, the answer says so), 409
     * (the same Idempotency-Key is still running) or 429.
     */
    boolean retryable() {
      return status == 503 || status == 409 || status == 429;
    }

    /** How long to wait before trying again: the server's {@code Retry-After}, at most a second. */
    Duration backoff() {
      long seconds = retryAfter.map(HttpApi::seconds).orElse(0L);
      // Capped: the bench keeps asking so that it notices the end of an outage promptly.
      return seconds <= 0
          ? Duration.ofMillis(50)
          : Duration.ofMillis(Math.min(1_000, 1_000 * seconds));
    }
  }

  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private final URI server;
  private final URI paystack;
  private final String paystackKey;

  /**
   * @param server the reference server, e.g. {@code http://127.0.0.1:8080/}
   * @param paystack the simulator's base URI, e.g. {@code http://127.0.0.1:8090/sim/paystack}
   */
  HttpApi(URI server, URI paystack, String paystackKey) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    this.server = server;
    this.paystack = paystack;
    this.paystackKey = paystackKey;
  }

  /** A request to the reference server as the user of {@code cookie} (or nobody, when null). */
  Answer server(
      String method,
      String path,
      @Nullable String cookie,
      @Nullable Object body,
      @Nullable String idempotencyKey)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = request(server.resolve(path), method, body);
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return send(request);
  }

  /** A control call to the simulator ({@code /_control/...}); no key needed. */
  Answer control(String method, String path, @Nullable Object body)
      throws IOException, InterruptedException {
    return send(request(URI.create(paystack + path), method, body));
  }

  /** A Paystack API call to the simulator, with the secret key. */
  Answer paystack(String method, String pathAndQuery) throws IOException, InterruptedException {
    return send(
        request(URI.create(paystack + pathAndQuery), method, null)
            .header("Authorization", "Bearer " + paystackKey));
  }

  private HttpRequest.Builder request(URI uri, String method, @Nullable Object body)
      throws IOException {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(TIMEOUT).method(method, publisher);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return request;
  }

  private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    byte[] bytes = response.body();
    JsonNode body = MissingNode.getInstance();
    if (bytes.length > 0) {
      try {
        body = json.readTree(bytes);
      } catch (IOException e) {
        // Not JSON (a Jetty error page): the status alone tells what happened.
      }
    }
    return new Answer(
        response.statusCode(),
        body,
        response.headers().firstValue("Set-Cookie"),
        response.headers().firstValue("Retry-After"));
  }

  private static long seconds(String retryAfter) {
    try {
      return Long.parseLong(retryAfter.strip());
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
