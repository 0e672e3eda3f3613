package dev.odim.server.internal.admin;

import dev.odim.core.Problem;
import dev.odim.core.audit.AuditLog;
import dev.odim.core.audit.AuditPage;
import dev.odim.core.audit.AuditQuery;
import dev.odim.core.audit.ChainVerification;
import dev.odim.core.audit.Outcome;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Call;
import dev.odim.server.internal.web.Role;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** {@code /api/admin/audit}: the audit log, filtered and paged, and a check of its hash chain. */
public final class AdminRoutes {
  private static final Set<String> AUDIT_FILTERS =
      Set.of(
          "action", "actionPrefix", "actor", "target", "outcome", "from", "to", "limit", "cursor");

  private final AuditLog audit;

  public AdminRoutes(AuditLog audit) {
    this.audit = audit;
  }

  /** Declares the routes. */
  public void register(Api api) {
    api.get("/api/admin/audit")
        .summary(
            "Audit entries, newest first; filters action, actionPrefix, actor, target, outcome,"
                + " from, to (ISO-8601), limit (1-500), cursor")
        .tag("admin")
        .access(Access.role(Role.ADMIN))
        .handle(this::list);
    api.get("/api/admin/audit/verification")
        .summary(
            "Recompute the audit log's hash chain and report any row changed, removed or added")
        .tag("admin")
        .access(Access.role(Role.ADMIN))
        .handle(call -> call.ctx().json(verification(audit.verifyChain())));
  }

  private void list(Call call) {
    Map<String, List<String>> params = call.ctx().queryParamMap();
    for (String name : params.keySet()) {
      if (!AUDIT_FILTERS.contains(name)) {
        throw ProblemCode.VALIDATION_FAILED.exception(
            "Unknown filter "
                + name
                + "; the filters are "
                + AUDIT_FILTERS.stream().sorted().toList()
                + ".",
            List.of(new Problem.FieldError(name, "is not a known filter")));
      }
    }
    AuditQuery query;
    try {
      query =
          AuditQuery.builder()
              .action(param(call, "action", s -> s))
              .actionPrefix(param(call, "actionPrefix", s -> s))
              .actor(param(call, "actor", s -> s))
              .target(param(call, "target", s -> s))
              .outcome(param(call, "outcome", s -> Outcome.valueOf(s.toUpperCase(Locale.ROOT))))
              .from(param(call, "from", Instant::parse))
              .to(param(call, "to", Instant::parse))
              .limit(nonNull(param(call, "limit", Integer::parseInt), AuditQuery.DEFAULT_LIMIT))
              .cursor(param(call, "cursor", s -> s))
              .build();
    } catch (IllegalArgumentException e) {
      throw ProblemCode.VALIDATION_FAILED.exception(
          "The filters are not valid: " + e.getMessage() + ".",
          List.of(
              new Problem.FieldError(
                  "query", e.getMessage() == null ? "is invalid" : e.getMessage())));
    }
    AuditPage page;
    try {
      page = audit.query(query);
    } catch (IllegalArgumentException e) {
      // The log reads the cursor only when it runs the query: one it did not issue lands here.
      throw ProblemCode.VALIDATION_FAILED.exception(
          "The cursor is not one this log gave out; start again without it.",
          List.of(new Problem.FieldError("cursor", "is not a valid cursor")));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("entries", page.entries());
    body.put("nextCursor", page.nextCursor().orElse(null));
    call.ctx().json(body);
  }

  private static <T> @Nullable T param(Call call, String name, Function<String, T> parse) {
    List<String> values = call.ctx().queryParams(name);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw ProblemCode.VALIDATION_FAILED.exception(
          "Give the filter " + name + " once.",
          List.of(new Problem.FieldError(name, "is given more than once")));
    }
    String value = values.get(0);
    if (value.chars().anyMatch(Character::isISOControl)) {
      // No action, id or time holds one, and PostgreSQL refuses a NUL in text with an error.
      throw ProblemCode.VALIDATION_FAILED.exception(
          "The filter " + name + " may not contain control characters.",
          List.of(new Problem.FieldError(name, "contains a control character")));
    }
    try {
      return parse.apply(value);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw ProblemCode.VALIDATION_FAILED.exception(
          "The filter " + name + " has a value it cannot take.",
          List.of(new Problem.FieldError(name, "is not a valid " + name)));
    }
  }

  private static int nonNull(@Nullable Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  private static Map<String, Object> verification(ChainVerification result) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("ok", result.ok());
    body.put("rowsChecked", result.rowsChecked());
    body.put("breaks", result.breaks());
    return body;
  }
}
