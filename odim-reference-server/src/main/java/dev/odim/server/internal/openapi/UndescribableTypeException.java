package dev.odim.server.internal.openapi;

import dev.odim.core.OdimException;
import java.io.Serial;

/**
 * A body or response type the OpenAPI document cannot describe faithfully: a class that is not a
 * record, a raw or wildcard type, a constraint without a JSON Schema equivalent, a non-null field
 * that validation does not enforce. A bug in a route declaration, found when the document is built
 * (in tests, and at start-up), never papered over with a looser schema.
 */
public final class UndescribableTypeException extends OdimException {
  @Serial private static final long serialVersionUID = 1L;

  public UndescribableTypeException(String message) {
    super(message);
  }
}
