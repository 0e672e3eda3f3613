package dev.odim.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Problem;
import dev.odim.core.http.HttpHandler;
import dev.odim.core.http.HttpRequest;
import dev.odim.core.http.HttpResponse;
import dev.odim.webhooks.internal.WebhookMeters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HTTP face of {@link Webhooks#receive} for one provider, framework-neutral: mount it in any
 * host through its {@link HttpHandler} adapter (Javalin in the reference server, Jakarta Servlet
 * through {@code odim-servlet}).
 *
 * <p>Answers: 200 once the delivery is durable (stored, a duplicate, or stored to be dead-lettered
 * because its signed body cannot be read: the provider must stop re-sending it); 401 for a missing
 * or wrong signature; 403 for a source outside the allow-list; 405 for a method other than POST;
 * 413 for a body over the limit, refused from {@code Content-Length} before reading or after
 * reading one byte past the limit; 415 for a content type other than JSON; 503 with {@code
 * Retry-After} when the inbox cannot be written (the provider's retry delivers it later). Errors
 * are {@code application/problem+json} with a stable {@code code}; none carries a stack trace.
 */
public final class WebhookEndpoint implements HttpHandler {
  private static final Map<String, List<String>> JSON =
      Map.of("Content-Type", List.of("application/json"));

  private final Webhooks webhooks;
  private final String provider;
  private final int maxBodyBytes;
  private final ObjectMapper json;
  private final WebhookMeters meters;

  WebhookEndpoint(
      Webhooks webhooks,
      String provider,
      int maxBodyBytes,
      ObjectMapper json,
      WebhookMeters meters) {
    this.webhooks = webhooks;
    this.provider = provider;
    this.maxBodyBytes = maxBodyBytes;
    this.json = json;
    this.meters = meters;
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws IOException {
    if (!request.method().equals("POST")) {
      return problem(405, "method_not_allowed", "Webhooks are delivered with POST.")
          .withHeader("Allow", "POST");
    }
    if (!isJson(request.header("Content-Type"))) {
      meters.refused(provider, "unsupported_media_type");
      return problem(415, "unsupported_media_type", "Webhook bodies must be application/json.");
    }
    if (request.declaredLength() > maxBodyBytes) {
      meters.refused(provider, "payload_too_large");
      return tooLarge();
    }
    byte[] body;
    try (InputStream in = request.body()) {
      body = in.readNBytes(maxBodyBytes + 1);
    }
    if (body.length > maxBodyBytes) {
      meters.refused(provider, "payload_too_large");
      return tooLarge();
    }
    WebhookDelivery delivery = new WebhookDelivery(headers(request), body, request.remoteAddress());
    Intake intake;
    try {
      intake = webhooks.receive(provider, delivery);
    } catch (RuntimeException e) {
      meters.refused(provider, "inbox_unavailable");
      return problem(
              503,
              "inbox_unavailable",
              "The webhook could not be stored right now; it was not accepted. Deliver it again.")
          .withHeader("Retry-After", "30");
    }
    return switch (intake) {
      case Intake.Refused refused -> problem(refused.status(), refused.code(), refused.message());
      case Intake.Accepted accepted -> ok(accepted.receipt());
    };
  }

  private static HttpResponse ok(Receipt receipt) {
    // Written out: a UUID and a boolean need no escaping, and this answer is sent for every
    // delivery.
    String body =
        "{\"id\":\""
            + receipt.id()
            + "\",\"duplicate\":"
            + (receipt instanceof Receipt.Duplicate)
            + "}";
    return new HttpResponse(200, JSON, body.getBytes(StandardCharsets.US_ASCII));
  }

  private HttpResponse tooLarge() {
    return problem(
        413, "payload_too_large", "Webhook bodies may be at most " + maxBodyBytes + " bytes.");
  }

  private HttpResponse problem(int status, String code, String detail) {
    Problem problem = Problem.of(status, code, title(status), detail);
    return HttpResponse.of(status, "application/problem+json", bytes(problem.toMap()));
  }

  private static String title(int status) {
    return switch (status) {
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 405 -> "Method not allowed";
      case 413 -> "Payload too large";
      case 415 -> "Unsupported media type";
      case 503 -> "Service unavailable";
      default -> "Bad request";
    };
  }

  private byte[] bytes(Object value) {
    try {
      return json.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("answers are plain maps", e);
    }
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return type.equals("application/json");
  }

  private static Map<String, List<String>> headers(HttpRequest request) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : request.headerNames()) {
      headers.put(name, request.headers(name));
    }
    return headers;
  }
}
