package dev.odim.server.security;

import jakarta.validation.Validator;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Pattern;
import java.lang.reflect.Field;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Builds a valid JSON body for a route's body record from the record's own constraints: for each
 * component, candidate values (an email for {@code @Email}, a strong password for a field named
 * password, each alternative of a {@code @Pattern} like {@code fan|creator}, plain text, a local
 * path) are tried against the record's validator and the first it accepts is used. A new body
 * record is covered without touching the tests; one whose fields none of the candidates fit fails
 * with the field's name.
 */
final class ValidBodies {
  private static final java.util.regex.Pattern ALTERNATIVES =
      java.util.regex.Pattern.compile("\\^?([\\w-]+(?:\\|[\\w-]+)*)\\$?");

  private final Validator validator;

  ValidBodies(Validator validator) {
    this.validator = validator;
  }

  /**
   * A valid body for {@code type}, as a mutable map in component order; {@code known} gives values
   * a route needs that constraints cannot tell (the current password of the signed-in user).
   */
  Map<String, @Nullable Object> valid(Class<?> type, Map<String, Object> known) {
    if (!type.isRecord()) {
      throw new AssertionError(type + " is not a record; teach ValidBodies to build it");
    }
    Map<String, @Nullable Object> body = new LinkedHashMap<>();
    for (RecordComponent component : type.getRecordComponents()) {
      String name = component.getName();
      if (known.containsKey(name)) {
        body.put(name, known.get(name));
        continue;
      }
      body.put(name, fitting(type, component));
    }
    return body;
  }

  /** The names of the record's string components: the fields injection strings go into. */
  static List<String> stringFields(Class<?> type) {
    return Arrays.stream(type.getRecordComponents())
        .filter(c -> c.getType() == String.class)
        .map(RecordComponent::getName)
        .toList();
  }

  private @Nullable Object fitting(Class<?> type, RecordComponent component) {
    if (component.getType().isEnum()) {
      return ((Enum<?>) component.getType().getEnumConstants()[0]).name();
    }
    for (Object candidate : candidates(type, component)) {
      if (validator.validateValue(type, component.getName(), candidate).isEmpty()) {
        return candidate;
      }
    }
    if (validator.validateValue(type, component.getName(), null).isEmpty()) {
      return null;
    }
    throw new AssertionError(
        "no candidate value fits "
            + type.getSimpleName()
            + "."
            + component.getName()
            + "; add one to ValidBodies");
  }

  private static List<Object> candidates(Class<?> record, RecordComponent component) {
    Class<?> type = component.getType();
    String name = component.getName().toLowerCase(Locale.ROOT);
    // Constraint annotations do not target record components: Java puts them on the field.
    Field field;
    try {
      field = record.getDeclaredField(component.getName());
    } catch (NoSuchFieldException e) {
      throw new AssertionError(e);
    }
    List<Object> candidates = new ArrayList<>();
    if (type == String.class) {
      if (field.isAnnotationPresent(Email.class) || name.contains("email")) {
        candidates.add("valid-" + UUID.randomUUID() + "@odim.test");
      }
      if (name.contains("password")) {
        candidates.add("plausible walrus " + UUID.randomUUID());
      }
      Pattern pattern = field.getAnnotation(Pattern.class);
      if (pattern != null) {
        var m = ALTERNATIVES.matcher(pattern.regexp());
        if (m.matches()) {
          candidates.addAll(Arrays.asList(m.group(1).split("\\|")));
        }
      }
      // Digits last, for codes and account numbers: "058" a bank code, ten digits a NUBAN.
      candidates.addAll(
          List.of("Ada Lovelace", "/dashboard", "a", "x".repeat(12), "0123456789", "058"));
    } else if (type == int.class || type == Integer.class) {
      candidates.addAll(List.of(1, 0, 100));
    } else if (type == long.class || type == Long.class) {
      candidates.addAll(List.of(1L, 0L, 100L));
    } else if (type == boolean.class || type == Boolean.class) {
      candidates.add(true);
    } else if (type == UUID.class) {
      candidates.add(UUID.randomUUID());
    }
    return candidates;
  }
}
