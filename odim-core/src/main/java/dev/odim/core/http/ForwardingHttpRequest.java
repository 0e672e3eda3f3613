package dev.odim.core.http;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A request that answers every question by asking another, for wrappers that change one thing: a
 * host that attaches who is calling, a test that counts or corrupts the body. Everything a subclass
 * does not override is the wrapped request's, trailers included.
 */
public abstract class ForwardingHttpRequest implements HttpRequest {
  private final HttpRequest delegate;

  protected ForwardingHttpRequest(HttpRequest delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The wrapped request. */
  protected final HttpRequest delegate() {
    return delegate;
  }

  @Override
  public String method() {
    return delegate.method();
  }

  @Override
  public String path() {
    return delegate.path();
  }

  @Override
  public Set<String> headerNames() {
    return delegate.headerNames();
  }

  @Override
  public List<String> headers(String name) {
    return delegate.headers(name);
  }

  @Override
  public String remoteAddress() {
    return delegate.remoteAddress();
  }

  @Override
  public InputStream body() {
    return delegate.body();
  }

  @Override
  public long declaredLength() {
    return delegate.declaredLength();
  }

  @Override
  public Map<String, String> trailers() {
    return delegate.trailers();
  }
}
