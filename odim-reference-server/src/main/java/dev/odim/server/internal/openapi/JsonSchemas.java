package dev.odim.server.internal.openapi;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.validation.Constraint;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Negative;
import jakarta.validation.constraints.NegativeOrZero;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * JSON Schemas (draft 2020-12, the dialect of OpenAPI 3.1) for the records routes bind their bodies
 * to and answer with, made by reflection so that they say what the code does: a record becomes an
 * object with {@code additionalProperties: false} (the server's mapper refuses unknown fields), a
 * component that is not {@code @Nullable} is required, and each Jakarta Validation constraint
 * becomes the keyword that checks the same thing.
 *
 * <p>What has no faithful JSON Schema form is refused with {@link UndescribableTypeException}
 * rather than described loosely: classes that are not records, raw and wildcard types, constraints
 * this class does not know (custom ones included), {@code @Pattern} flags. For request bodies it
 * also refuses promises the server does not keep: a non-null field that nothing validates, a nested
 * record whose constraints Hibernate Validator would not cascade into.
 *
 * <p>One instance collects the schemas of one document; it is not thread-safe.
 */
final class JsonSchemas {
  /** Where component schemas live in the document. */
  static final String REF_PREFIX = "#/components/schemas/";

  /**
   * What {@code @NotBlank} checks ({@link String#isBlank()} is false): a character that is not
   * {@link Character#isWhitespace}, listed exactly, since {@code \S} means different sets in Java
   * and in the ECMA-262 dialect of JSON Schema.
   */
  static final String NOT_BLANK =
      "[^\\t\\n\\u000B\\f\\r\\u001C-\\u0020\\u1680\\u2000-\\u2006\\u2008-\\u200A"
          + "\\u2028\\u2029\\u205F\\u3000]";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final ObjectMapper mapper;
  private final Map<String, Class<?>> names = new LinkedHashMap<>();
  private final Map<String, ObjectNode> schemas = new LinkedHashMap<>();
  private final Set<Class<?>> enforced = new HashSet<>();

  JsonSchemas(ObjectMapper mapper) {
    if (mapper.getPropertyNamingStrategy() != null) {
      throw new UndescribableTypeException(
          "the mapper renames properties with "
              + mapper.getPropertyNamingStrategy().getClass().getSimpleName()
              + "; the schemas would name the record components instead");
    }
    this.mapper = mapper;
  }

  /** The component schemas described so far, by name, in the order they were first met. */
  Map<String, ObjectNode> schemas() {
    return Collections.unmodifiableMap(schemas);
  }

  /** The component name of a record. */
  static String nameOf(Class<?> record) {
    return record.getSimpleName();
  }

  /**
   * A {@code $ref} to the schema of {@code record} as a response, describing it on first use.
   *
   * @throws UndescribableTypeException when the record, or a type it contains, has no faithful
   *     schema
   */
  ObjectNode response(Class<?> record) {
    return ref(record, record.getName());
  }

  /**
   * A {@code $ref} to the schema of {@code record} as a request body, describing it on first use
   * and checking that validation enforces every constraint the schema states.
   *
   * @throws UndescribableTypeException as {@link #response}, and when the schema would promise more
   *     than validation checks
   */
  ObjectNode request(Class<?> record) {
    if (!mapper.isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)) {
      throw new UndescribableTypeException(
          "the mapper ignores unknown fields, and the schemas say additionalProperties: false");
    }
    ObjectNode ref = ref(record, record.getName());
    requireEnforced(record);
    return ref;
  }

  private ObjectNode ref(Class<?> type, String where) {
    if (!type.isRecord()) {
      throw new UndescribableTypeException(
          where + ": " + type.getName() + " is not a record; bodies and responses are records");
    }
    String name = nameOf(type);
    Class<?> known = names.putIfAbsent(name, type);
    if (known == null) {
      describe(type, name);
    } else if (known != type) {
      throw new UndescribableTypeException(
          "two records are named "
              + name
              + " ("
              + known.getName()
              + ", "
              + type.getName()
              + "); rename one, component schemas are known by simple name");
    }
    return JSON.objectNode().put("$ref", REF_PREFIX + name);
  }

  private void describe(Class<?> type, String name) {
    for (Annotation annotation : type.getAnnotations()) {
      if (isConstraint(annotation)) {
        throw new UndescribableTypeException(
            type.getName()
                + " has the class-level constraint @"
                + annotation.annotationType().getSimpleName()
                + ", which no JSON Schema keyword states");
      }
    }
    ObjectNode schema = JSON.objectNode();
    // Placed before the components are described, so that a record containing itself refers to
    // its own schema instead of recursing forever.
    schemas.put(name, schema);
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    ArrayNode required = JSON.arrayNode();
    for (RecordComponent component : type.getRecordComponents()) {
      String where = type.getName() + "." + component.getName();
      Field field = fieldOf(type, component);
      if (field.isAnnotationPresent(JsonIgnore.class)) {
        throw new UndescribableTypeException(
            where + " is @JsonIgnore'd; a record's components are its JSON, drop the component");
      }
      String property = propertyName(component, field);
      AnnotatedType annotated = component.getAnnotatedType();
      ObjectNode propertySchema = schema(annotated, annotationsOf(field, annotated), where);
      if (isNullable(annotated)) {
        properties.set(property, orNull(propertySchema));
      } else {
        properties.set(property, propertySchema);
        required.add(property);
      }
    }
    if (!required.isEmpty()) {
      schema.set("required", required);
    }
    schema.put("additionalProperties", false);
  }

  private ObjectNode schema(AnnotatedType annotated, Set<Annotation> annotations, String where) {
    Type type = annotated.getType();
    ObjectNode schema;
    Kind kind;
    if (type instanceof Class<?> plain) {
      if (plain.isRecord()) {
        schema = ref(plain, where);
        kind = Kind.RECORD;
      } else {
        schema = scalar(plain, where);
        kind = kindOf(schema);
      }
    } else if (type instanceof ParameterizedType parameterized
        && annotated instanceof AnnotatedParameterizedType withArguments) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      AnnotatedType[] arguments = withArguments.getAnnotatedActualTypeArguments();
      if (raw == List.class || raw == Set.class) {
        schema = JSON.objectNode().put("type", "array");
        schema.set("items", element(arguments[0], where + "[]"));
        if (raw == Set.class) {
          schema.put("uniqueItems", true);
        }
        kind = Kind.ARRAY;
      } else if (raw == Map.class) {
        if (arguments[0].getType() != String.class
            || !constraintsOf(annotationsOf(null, arguments[0])).isEmpty()) {
          throw new UndescribableTypeException(
              where + ": a map's keys must be plain Strings, was " + arguments[0].getType());
        }
        schema = JSON.objectNode().put("type", "object");
        schema.set("additionalProperties", element(arguments[1], where + "{}"));
        kind = Kind.MAP;
      } else {
        throw new UndescribableTypeException(
            where + ": " + type + " is not a List, Set or Map<String, ...>");
      }
    } else {
      throw new UndescribableTypeException(
          where + ": " + type + " is a raw, wildcard, variable or array type");
    }
    constrain(schema, kind, annotations, where);
    return schema;
  }

  /** The schema of a list element or map value, which may carry its own constraints. */
  private ObjectNode element(AnnotatedType annotated, String where) {
    ObjectNode schema = schema(annotated, annotationsOf(null, annotated), where);
    return isNullable(annotated) ? orNull(schema) : schema;
  }

  private ObjectNode scalar(Class<?> type, String where) {
    ObjectNode schema = JSON.objectNode();
    if (type == String.class) {
      return schema.put("type", "string");
    }
    if (type == UUID.class) {
      return schema.put("type", "string").put("format", "uuid");
    }
    if (type == Instant.class || type == OffsetDateTime.class) {
      return schema.put("type", "string").put("format", "date-time");
    }
    if (type == LocalDate.class) {
      return schema.put("type", "string").put("format", "date");
    }
    if (type == int.class || type == Integer.class) {
      return schema.put("type", "integer").put("format", "int32");
    }
    if (type == long.class || type == Long.class) {
      return schema.put("type", "integer").put("format", "int64");
    }
    if (type == boolean.class || type == Boolean.class) {
      return schema.put("type", "boolean");
    }
    if (type.isEnum()) {
      schema.put("type", "string");
      ArrayNode values = schema.putArray("enum");
      for (Object constant : type.getEnumConstants()) {
        // As the mapper writes and reads it, @JsonValue and @JsonProperty included.
        JsonNode value = mapper.valueToTree(constant);
        if (!value.isTextual()) {
          throw new UndescribableTypeException(
              where + ": " + type.getName() + "." + constant + " is not written as a string");
        }
        values.add(value);
      }
      return schema;
    }
    throw new UndescribableTypeException(
        where
            + ": "
            + type.getName()
            + " has no schema here; use a record, String, UUID, Instant, LocalDate, int, long,"
            + " boolean, an enum, List, Set or Map<String, ...>");
  }

  private static Kind kindOf(ObjectNode scalar) {
    return switch (scalar.path("type").asText()) {
      case "string" -> Kind.STRING;
      case "integer" -> Kind.INTEGER;
      default -> Kind.OTHER;
    };
  }

  /** Adds the keyword of every constraint; refuses a constraint it cannot state. */
  private static void constrain(
      ObjectNode schema, Kind kind, Set<Annotation> annotations, String where) {
    List<String> patterns = new ArrayList<>();
    for (Annotation annotation : constraintsOf(annotations)) {
      switch (annotation) {
        case NotNull notNull -> {
          // Stated by "required" and by the absence of "null" from the type.
        }
        case Valid valid -> {
          // Cascading validation: stated by the nested schema's own keywords.
        }
        case NotBlank notBlank -> {
          need(kind == Kind.STRING, annotation, where);
          atLeast(schema, "minLength", 1);
          patterns.add(NOT_BLANK);
        }
        case NotEmpty notEmpty -> {
          need(kind == Kind.STRING || kind == Kind.ARRAY || kind == Kind.MAP, annotation, where);
          atLeast(schema, sizeKeyword(kind, true), 1);
        }
        case Size size -> {
          need(kind == Kind.STRING || kind == Kind.ARRAY || kind == Kind.MAP, annotation, where);
          if (size.min() > 0) {
            atLeast(schema, sizeKeyword(kind, true), size.min());
          }
          if (size.max() != Integer.MAX_VALUE) {
            atMost(schema, sizeKeyword(kind, false), size.max());
          }
        }
        case Pattern pattern -> {
          need(kind == Kind.STRING, annotation, where);
          noFlags(pattern.flags(), annotation, where);
          patterns.add(wholeValue(pattern.regexp()));
        }
        case Email email -> {
          need(kind == Kind.STRING, annotation, where);
          noFlags(email.flags(), annotation, where);
          schema.put("format", "email");
          if (!email.regexp().equals(".*")) {
            patterns.add(wholeValue(email.regexp()));
          }
        }
        case Min min -> {
          need(kind == Kind.INTEGER, annotation, where);
          atLeast(schema, "minimum", min.value());
        }
        case Max max -> {
          need(kind == Kind.INTEGER, annotation, where);
          atMost(schema, "maximum", max.value());
        }
        case Positive positive -> {
          need(kind == Kind.INTEGER, annotation, where);
          atLeast(schema, "exclusiveMinimum", 0);
        }
        case PositiveOrZero positiveOrZero -> {
          need(kind == Kind.INTEGER, annotation, where);
          atLeast(schema, "minimum", 0);
        }
        case Negative negative -> {
          need(kind == Kind.INTEGER, annotation, where);
          atMost(schema, "exclusiveMaximum", 0);
        }
        case NegativeOrZero negativeOrZero -> {
          need(kind == Kind.INTEGER, annotation, where);
          atMost(schema, "maximum", 0);
        }
        default ->
            throw new UndescribableTypeException(
                where
                    + ": @"
                    + annotation.annotationType().getName()
                    + " has no JSON Schema equivalent here; describe it in OpenApiDocument's"
                    + " JsonSchemas or use a constraint it knows");
      }
    }
    if (!patterns.isEmpty()) {
      schema.put("pattern", patterns.get(0));
      if (patterns.size() > 1) {
        ArrayNode allOf = schema.putArray("allOf");
        patterns.subList(1, patterns.size()).forEach(p -> allOf.addObject().put("pattern", p));
      }
    }
  }

  /**
   * A JSON Schema pattern matching what {@code regexp} matches as a whole: validation matches the
   * whole value, a JSON Schema pattern matches anywhere in it. The end is a lookahead, not {@code
   * $}, because Java's {@code $} also matches before a final line break.
   */
  static String wholeValue(String regexp) {
    return "^(?:" + regexp + ")" + END;
  }

  /** The end of the value, in both Java's and ECMA-262's regular expressions. */
  static final String END = "(?![\\s\\S])";

  private static String sizeKeyword(Kind kind, boolean min) {
    return switch (kind) {
      case STRING -> min ? "minLength" : "maxLength";
      case ARRAY -> min ? "minItems" : "maxItems";
      default -> min ? "minProperties" : "maxProperties";
    };
  }

  private static void need(boolean applies, Annotation annotation, String where) {
    if (!applies) {
      throw new UndescribableTypeException(
          where
              + ": @"
              + annotation.annotationType().getSimpleName()
              + " does not apply to this type (validation would fail at run time)");
    }
  }

  private static void noFlags(Pattern.Flag[] flags, Annotation annotation, String where) {
    if (flags.length > 0) {
      throw new UndescribableTypeException(
          where
              + ": @"
              + annotation.annotationType().getSimpleName()
              + " has flags "
              + Arrays.toString(flags)
              + ", which a JSON Schema pattern cannot carry; write them into the expression");
    }
  }

  private static void atLeast(ObjectNode schema, String keyword, long value) {
    JsonNode old = schema.get(keyword);
    putNumber(schema, keyword, old == null ? value : Math.max(old.asLong(), value));
  }

  private static void atMost(ObjectNode schema, String keyword, long value) {
    JsonNode old = schema.get(keyword);
    putNumber(schema, keyword, old == null ? value : Math.min(old.asLong(), value));
  }

  /** An int when it fits, so that the same number reads back as the same node. */
  private static void putNumber(ObjectNode schema, String keyword, long value) {
    if (value == (int) value) {
      schema.put(keyword, (int) value);
    } else {
      schema.put(keyword, value);
    }
  }

  /** {@code schema} that also admits JSON {@code null}. */
  private static ObjectNode orNull(ObjectNode schema) {
    JsonNode type = schema.get("type");
    if (type == null || !type.isTextual()) {
      ObjectNode either = JSON.objectNode();
      ArrayNode anyOf = either.putArray("anyOf");
      anyOf.add(schema);
      anyOf.addObject().put("type", "null");
      return either;
    }
    ArrayNode types = JSON.arrayNode().add(type.asText()).add("null");
    schema.set("type", types);
    if (schema.get("enum") instanceof ArrayNode values) {
      values.addNull();
    }
    return schema;
  }

  /**
   * Checks that validation enforces what the schema of a request record promises: every non-null
   * component (and list element, and map value) has a constraint refusing null, and every nested
   * record is cascaded into with {@code @Valid}.
   */
  private void requireEnforced(Class<?> record) {
    if (!enforced.add(record)) {
      return;
    }
    JsonIgnoreProperties ignored = record.getAnnotation(JsonIgnoreProperties.class);
    if (ignored != null && ignored.ignoreUnknown()) {
      throw new UndescribableTypeException(
          record.getName()
              + " ignores unknown fields, and its schema says additionalProperties: false");
    }
    for (RecordComponent component : record.getRecordComponents()) {
      String where = record.getName() + "." + component.getName();
      AnnotatedType annotated = component.getAnnotatedType();
      Set<Annotation> annotations = annotationsOf(fieldOf(record, component), annotated);
      requireEnforced(annotated, annotations, false, where);
    }
  }

  private void requireEnforced(
      AnnotatedType annotated, Set<Annotation> annotations, boolean cascaded, String where) {
    boolean nullable = isNullable(annotated);
    boolean refusesNull =
        annotations.stream()
            .anyMatch(a -> a instanceof NotNull || a instanceof NotBlank || a instanceof NotEmpty);
    boolean primitive = annotated.getType() instanceof Class<?> c && c.isPrimitive();
    if (primitive && !mapper.isEnabled(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)) {
      throw new UndescribableTypeException(
          where
              + " is a primitive the mapper binds as 0 or false when it is missing or null,"
              + " and the document calls it required: enable FAIL_ON_NULL_FOR_PRIMITIVES");
    }
    if (nullable && refusesNull) {
      throw new UndescribableTypeException(
          where + " is @Nullable and refuses null; decide which it is");
    }
    if (!nullable && !primitive && !refusesNull) {
      throw new UndescribableTypeException(
          where
              + " is not @Nullable, so the document calls it required, but validation lets a"
              + " missing value through: add @NotNull (or @NotBlank, @NotEmpty), or mark it"
              + " @Nullable");
    }
    boolean valid = cascaded || annotations.stream().anyMatch(a -> a instanceof Valid);
    Type type = annotated.getType();
    if (type instanceof Class<?> plain && plain.isRecord()) {
      if (!valid) {
        throw new UndescribableTypeException(
            where
                + " is a record without @Valid: validation would not check its fields, which"
                + " the document says it does");
      }
      requireEnforced(plain);
    } else if (annotated instanceof AnnotatedParameterizedType withArguments) {
      AnnotatedType[] arguments = withArguments.getAnnotatedActualTypeArguments();
      AnnotatedType element = arguments[arguments.length - 1];
      // @Valid on a container cascades into its elements (Bean Validation's legacy rule).
      requireEnforced(element, annotationsOf(null, element), valid, where + "[]");
    }
  }

  private static boolean isNullable(AnnotatedType annotated) {
    return annotated.isAnnotationPresent(Nullable.class);
  }

  private static Field fieldOf(Class<?> record, RecordComponent component) {
    try {
      return record.getDeclaredField(component.getName());
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("a record without its component's field: " + record, e);
    }
  }

  private static String propertyName(RecordComponent component, Field field) {
    JsonProperty renamed = field.getAnnotation(JsonProperty.class);
    if (renamed == null) {
      renamed = component.getAccessor().getAnnotation(JsonProperty.class);
    }
    return renamed == null || renamed.value().isEmpty() ? component.getName() : renamed.value();
  }

  /**
   * The annotations of a component: those on its field and those on its type. An annotation that
   * applies to both (the Jakarta constraints do) is on both, and counted once.
   */
  private static Set<Annotation> annotationsOf(@Nullable Field field, AnnotatedType type) {
    Set<Annotation> all = new LinkedHashSet<>();
    if (field != null) {
      all.addAll(unwrapped(field.getDeclaredAnnotations()));
    }
    all.addAll(unwrapped(type.getDeclaredAnnotations()));
    return all;
  }

  /** Repeated annotations ({@code @Pattern.List}) as the annotations they contain. */
  private static List<Annotation> unwrapped(Annotation[] annotations) {
    List<Annotation> all = new ArrayList<>();
    for (Annotation annotation : annotations) {
      if (annotation instanceof Pattern.List list) {
        all.addAll(List.of(list.value()));
      } else if (annotation instanceof Size.List list) {
        all.addAll(List.of(list.value()));
      } else {
        all.add(annotation);
      }
    }
    return all;
  }

  private static List<Annotation> constraintsOf(Set<Annotation> annotations) {
    return annotations.stream().filter(JsonSchemas::isConstraint).toList();
  }

  /** A Bean Validation constraint, built in or custom, or {@code @Valid}. */
  private static boolean isConstraint(Annotation annotation) {
    Class<? extends Annotation> type = annotation.annotationType();
    return type == Valid.class
        || type.getPackageName().equals("jakarta.validation.constraints")
        || type.isAnnotationPresent(Constraint.class);
  }

  private enum Kind {
    STRING,
    INTEGER,
    ARRAY,
    MAP,
    RECORD,
    OTHER
  }
}
