package dev.odim.server.internal;

import dev.odim.core.Problem;
import dev.odim.core.ProblemException;
import java.io.Serial;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A problem with extension members (RFC 9457 section 3.2): facts a client acts on, such as {@code
 * available} on an {@code insufficient_balance}, as JSON members rather than only in the detail.
 * Built by {@link ProblemCode#exception(String, Map)}; {@link Problems} writes the members after
 * the standard ones.
 */
public final class ExtendedProblemException extends ProblemException {
  @Serial private static final long serialVersionUID = 1L;

  /** Names the standard members and the server's own use; an extension may not take them. */
  private static final Set<String> RESERVED =
      Set.of("type", "title", "status", "detail", "code", "instance", "requestId", "errors");

  private final transient Map<String, Object> members;

  ExtendedProblemException(Problem problem, Map<String, Object> members) {
    super(problem);
    for (String name : members.keySet()) {
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException(name + " is a member every problem has already");
      }
    }
    this.members = new LinkedHashMap<>(members);
  }

  /** The extension members, in the order given. */
  public Map<String, Object> members() {
    return Collections.unmodifiableMap(members);
  }
}
