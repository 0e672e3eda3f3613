package dev.odim.core.resilience;

import dev.odim.core.OdimException;
import java.io.Serial;

/**
 * A call to a dependency failed with a checked exception (the cause), after any retries. Unchecked
 * exceptions from the call reach the caller unchanged.
 */
public class DependencyFailedException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  private final String dependency;

  public DependencyFailedException(String dependency, Throwable cause) {
    super(dependency + " call failed: " + cause, cause);
    this.dependency = dependency;
  }

  /** The dependency's name, as given to {@link Resilience#builder(String)}. */
  public String dependency() {
    return dependency;
  }
}
