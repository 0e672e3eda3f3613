package dev.odim.server.internal.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.core.Problem;
import dev.odim.server.internal.JsonBody;
import dev.odim.server.internal.ProblemCode;
import io.javalin.http.Context;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Binds a JSON body to a route's record and validates it with Hibernate Validator: every problem
 * with the body is a 4xx before the handler runs, so a handler never sees an invalid request and
 * never writes half of one.
 */
public final class BodyReader {
  private final ObjectMapper mapper;
  private final Validator validator;

  public BodyReader(ObjectMapper mapper, Validator validator) {
    this.mapper = mapper;
    this.validator = validator;
  }

  /**
   * The body's bytes, when declared as JSON and within {@code maxBytes}.
   *
   * @throws dev.odim.core.ProblemException 413, 415
   */
  public byte[] raw(Context ctx, int maxBytes) {
    return new JsonBody(mapper, maxBytes).readBytes(ctx);
  }

  /**
   * {@code body} as a valid {@code type}.
   *
   * @throws dev.odim.core.ProblemException 400 (not JSON, unknown field, invalid field)
   */
  public <T> T bind(byte[] body, Class<T> type) {
    T value = new JsonBody(mapper, Integer.MAX_VALUE).parse(body, type);
    validate(value);
    refuseHalfSurrogates(value);
    return value;
  }

  /**
   * JSON may escape half of a surrogate pair ({@code "\\ud800"}), which no UTF-8 text can hold:
   * PostgreSQL's driver, a cipher or a hash would turn it into {@code ?} without a word, storing
   * something else than was sent. Such a string field is refused like any invalid field.
   */
  private static void refuseHalfSurrogates(Object body) {
    if (!body.getClass().isRecord()) {
      return;
    }
    List<Problem.FieldError> errors = new ArrayList<>();
    for (RecordComponent component : body.getClass().getRecordComponents()) {
      if (component.getType() != String.class) {
        continue;
      }
      String value;
      try {
        value = (String) component.getAccessor().invoke(body);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + component, e);
      }
      if (value != null && hasHalfSurrogate(value)) {
        errors.add(
            new Problem.FieldError(component.getName(), "contains half of a surrogate pair"));
      }
    }
    if (!errors.isEmpty()) {
      throw ProblemCode.VALIDATION_FAILED.exception("Check the highlighted fields.", errors);
    }
  }

  private static boolean hasHalfSurrogate(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** Validates a value bound some other way (a query string, say) the same way as bodies. */
  public <T> void validate(T value) {
    Set<ConstraintViolation<T>> violations = validator.validate(value);
    if (!violations.isEmpty()) {
      List<Problem.FieldError> errors =
          violations.stream()
              .map(v -> new Problem.FieldError(v.getPropertyPath().toString(), v.getMessage()))
              .sorted(
                  Comparator.comparing(Problem.FieldError::field)
                      .thenComparing(Problem.FieldError::message))
              .toList();
      throw ProblemCode.VALIDATION_FAILED.exception("Check the highlighted fields.", errors);
    }
  }
}
