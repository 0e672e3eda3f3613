package dev.odim.core.http;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP request as a framework-neutral {@link HttpHandler} sees it. Adapters implement it over
 * their framework's request; {@link #of} builds one in memory (tests, in-process calls).
 */
public interface HttpRequest {

  /** The method in upper case, e.g. {@code POST}. */
  String method();

  /** The path, without the query string. */
  String path();

  /** The names of the headers the request has, in the case the client or framework gave them. */
  Set<String> headerNames();

  /** Every value of a header, matched without regard to case; empty when it is absent. */
  List<String> headers(String name);

  /** The first value of a header, or null when it is absent. */
  default @Nullable String header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? null : values.getFirst();
  }

  /**
   * The address of the peer that opened the connection: a proxy, when there is one. Which forwarded
   * address to believe is the handler's decision, not the adapter's.
   */
  String remoteAddress();

  /**
   * The body as a stream, which may be read once. A handler that limits the body's size reads at
   * most one byte past its limit, so a large body is never held whole.
   */
  InputStream body();

  /**
   * The trailer fields that followed a chunked body (names in lower case), such as tus's {@code
   * upload-checksum}. Known only once the body was read to its end; empty before, and empty for
   * adapters and requests that carry none.
   */
  default Map<String, String> trailers() {
    return Map.of();
  }

  /** The {@code Content-Length} the client declared, or -1 when it declared none or a bad one. */
  default long declaredLength() {
    String value = header("Content-Length");
    if (value == null) {
      return -1;
    }
    try {
      long length = Long.parseLong(value.trim());
      return length < 0 ? -1 : length;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * An in-memory request.
   *
   * @param headers header names (any case) to their values
   */
  static HttpRequest of(
      String method,
      String path,
      Map<String, List<String>> headers,
      byte[] body,
      String remoteAddress) {
    Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> byName.put(name, List.copyOf(values)));
    byte[] copy = body.clone();
    String upper = method.toUpperCase(Locale.ROOT);
    return new HttpRequest() {
      @Override
      public String method() {
        return upper;
      }

      @Override
      public String path() {
        return path;
      }

      @Override
      public Set<String> headerNames() {
        return Collections.unmodifiableSet(byName.keySet());
      }

      @Override
      public List<String> headers(String name) {
        return byName.getOrDefault(name, List.of());
      }

      @Override
      public String remoteAddress() {
        return remoteAddress;
      }

      @Override
      public InputStream body() {
        return new ByteArrayInputStream(copy);
      }
    };
  }
}
