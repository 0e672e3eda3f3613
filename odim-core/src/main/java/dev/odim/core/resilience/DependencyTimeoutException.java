package dev.odim.core.resilience;

import dev.odim.core.OdimException;
import java.io.Serial;
import java.time.Duration;

/** The last attempt of a call to a dependency ran longer than its per-attempt timeout. */
public class DependencyTimeoutException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final String dependency;
  private final Duration timeout;

  public DependencyTimeoutException(String dependency, Duration timeout, Throwable cause) {
    super(dependency + " did not answer within " + timeout, cause);
    this.dependency = dependency;
    this.timeout = timeout;
  }

  /** The dependency's name, as given to {@link Resilience#builder(String)}. */
  public String dependency() {
    return dependency;
  }

  /** The per-attempt timeout that was exceeded. */
  public Duration timeout() {
    return timeout;
  }
}
