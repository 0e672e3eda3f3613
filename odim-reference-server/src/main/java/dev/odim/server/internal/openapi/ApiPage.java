package dev.odim.server.internal.openapi;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.odim.server.internal.web.Endpoint;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The API reference as an HTML page, rendered from the OpenAPI document so that the page and the
 * document say the same thing. The template ({@code src/main/jte/api.jte}) is compiled to Java at
 * build time and escapes every value it writes; the page has no script and one {@code <style>}
 * carrying the request's CSP nonce.
 *
 * <pre>{@code
 * ApiPage page = new ApiPage(OpenApiDocument.build(api.endpoints(), mapper, version));
 * ctx.html(page.render(ctx.attribute("odim.cspNonce")));
 * }</pre>
 */
public final class ApiPage {
  private static final String TEMPLATE = "api.jte";

  private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);
  private final String title;
  private final String version;
  private final List<Group> groups;
  private final List<Schema> schemas;

  /** The page of {@code document}, as {@link OpenApiDocument#build} made it. */
  public ApiPage(JsonNode document) {
    this.title = document.path("info").path("title").asText();
    this.version = document.path("info").path("version").asText();
    this.groups = groups(document);
    this.schemas = schemas(document);
  }

  /**
   * The page of {@code endpoints}, built with a mapper that binds as the server's does (enum values
   * as their names, unknown fields and missing primitives refused): for a page rendered once; a
   * server builds the document once and keeps an {@code ApiPage} of it.
   */
  public static String render(List<Endpoint> endpoints, String nonce) {
    ObjectMapper mapper =
        new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    return new ApiPage(OpenApiDocument.build(endpoints, mapper, "dev")).render(nonce);
  }

  /**
   * The HTML page, its {@code <style>} carrying {@code nonce}.
   *
   * @param nonce the request's Content-Security-Policy nonce, base64 characters only
   */
  public String render(String nonce) {
    Objects.requireNonNull(nonce, "nonce");
    StringOutput output = new StringOutput();
    engine.render(TEMPLATE, new Model(title, version, nonce, groups, schemas), output);
    return output.toString();
  }

  /** What the template shows. */
  public record Model(
      String title, String version, String nonce, List<Group> groups, List<Schema> schemas) {}

  /** The routes of one tag. */
  public record Group(String tag, List<Route> routes) {}

  /**
   * One route.
   *
   * @param anchor the operation id, the fragment that links to the route
   * @param method the HTTP method in upper case
   * @param access who may call it, in words
   */
  public record Route(
      String anchor,
      String method,
      String path,
      String summary,
      String access,
      @Nullable Body body,
      List<Response> responses) {
    /** The method in lower case, for the style of its badge. */
    public String methodClass() {
      return method.toLowerCase(Locale.ROOT);
    }
  }

  /** A request body: its schema's name, its size limit and its fields. */
  public record Body(String schema, long maxBytes, List<Field> fields) {}

  /**
   * One field of a record.
   *
   * @param type the type in words, e.g. {@code string (uuid)}, {@code list of Tier}
   * @param link the schema the type names, for a link; {@code null} for plain types
   * @param constraints the constraints in words, e.g. {@code length 1 to 100}
   */
  public record Field(
      String name, String type, @Nullable String link, boolean required, String constraints) {}

  /**
   * One response.
   *
   * @param codes the problem codes it carries; empty for a success
   * @param schema the schema of its body, {@code null} for none
   */
  public record Response(
      String status, String description, List<String> codes, @Nullable String schema) {}

  /** A component schema and its fields. */
  public record Schema(String name, @Nullable String description, List<Field> fields) {}

  private static List<Group> groups(JsonNode document) {
    Map<String, List<Route>> byTag = new LinkedHashMap<>();
    document.path("tags").forEach(tag -> byTag.put(tag.path("name").asText(), new ArrayList<>()));
    document
        .path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        method -> {
                          JsonNode operation = method.getValue();
                          Route route = route(document, path.getKey(), method.getKey(), operation);
                          byTag
                              .computeIfAbsent(
                                  operation.path("tags").path(0).asText(), t -> new ArrayList<>())
                              .add(route);
                        }));
    List<Group> groups = new ArrayList<>();
    byTag.forEach((tag, routes) -> groups.add(new Group(tag, List.copyOf(routes))));
    return List.copyOf(groups);
  }

  private static Route route(JsonNode document, String path, String method, JsonNode operation) {
    Body body = null;
    JsonNode requestBody = operation.path("requestBody");
    if (!requestBody.isMissingNode()) {
      JsonNode schema = requestBody.path("content").path("application/json").path("schema");
      String name = refName(schema);
      body =
          new Body(
              name == null ? "" : name,
              requestBody.path("x-max-body-bytes").asLong(),
              name == null
                  ? List.of()
                  : fields(document.path("components").path("schemas").path(name)));
    }
    List<Response> responses = new ArrayList<>();
    operation
        .path("responses")
        .properties()
        .forEach(
            response -> {
              JsonNode content = response.getValue().path("content");
              List<String> codes = new ArrayList<>();
              String schema = null;
              for (var media : content.properties()) {
                media.getValue().path("examples").properties().forEach(e -> codes.add(e.getKey()));
                if (media.getKey().equals("application/json")) {
                  schema = refName(media.getValue().path("schema"));
                }
              }
              responses.add(
                  new Response(
                      response.getKey(),
                      response.getValue().path("description").asText(),
                      List.copyOf(codes),
                      schema));
            });
    String description = operation.path("description").asText();
    String access =
        description.startsWith("Who may call it: ")
            ? description.substring("Who may call it: ".length()).replaceAll("\\.$", "")
            : operation.path("x-access").asText();
    return new Route(
        operation.path("operationId").asText(),
        method.toUpperCase(Locale.ROOT),
        path,
        operation.path("summary").asText(),
        access,
        body,
        List.copyOf(responses));
  }

  private static List<Schema> schemas(JsonNode document) {
    List<Schema> schemas = new ArrayList<>();
    document
        .path("components")
        .path("schemas")
        .properties()
        .forEach(
            schema -> {
              JsonNode description = schema.getValue().get("description");
              schemas.add(
                  new Schema(
                      schema.getKey(),
                      description == null ? null : description.asText(),
                      fields(schema.getValue())));
            });
    return List.copyOf(schemas);
  }

  private static List<Field> fields(JsonNode schema) {
    List<String> required = new ArrayList<>();
    schema.path("required").forEach(name -> required.add(name.asText()));
    List<Field> fields = new ArrayList<>();
    schema
        .path("properties")
        .properties()
        .forEach(
            property ->
                fields.add(
                    new Field(
                        property.getKey(),
                        typeOf(property.getValue()),
                        linkOf(property.getValue()),
                        required.contains(property.getKey()),
                        String.join("; ", constraintsOf(property.getValue())))));
    return List.copyOf(fields);
  }

  /** The type of a schema in words. */
  static String typeOf(JsonNode schema) {
    String ref = refName(schema);
    if (ref != null) {
      return ref;
    }
    JsonNode anyOf = schema.get("anyOf");
    if (anyOf != null) {
      List<String> types = new ArrayList<>();
      anyOf.forEach(option -> types.add(typeOf(option)));
      return String.join(" or ", types);
    }
    JsonNode type = schema.path("type");
    if (type.isArray()) {
      List<String> types = new ArrayList<>();
      type.forEach(
          one -> types.add(one.asText().equals("null") ? "null" : typeOf(schema, one.asText())));
      return String.join(" or ", types);
    }
    return typeOf(schema, type.asText());
  }

  private static String typeOf(JsonNode schema, String type) {
    return switch (type) {
      case "array" ->
          (schema.path("uniqueItems").asBoolean() ? "set of " : "list of ")
              + typeOf(schema.path("items"));
      case "object" ->
          schema.has("additionalProperties") && schema.get("additionalProperties").isObject()
              ? "map of string to " + typeOf(schema.get("additionalProperties"))
              : "object";
      case "string" -> {
        JsonNode values = schema.get("enum");
        if (values != null) {
          List<String> names = new ArrayList<>();
          values.forEach(value -> names.add(value.isNull() ? "null" : value.asText()));
          yield "one of " + String.join(", ", names);
        }
        yield schema.has("format") ? "string (" + schema.get("format").asText() + ")" : "string";
      }
      case "integer" ->
          schema.has("format") ? "integer (" + schema.get("format").asText() + ")" : "integer";
      default -> type;
    };
  }

  private static @Nullable String linkOf(JsonNode schema) {
    String ref = refName(schema);
    if (ref != null) {
      return ref;
    }
    for (String nested : List.of("items", "additionalProperties")) {
      if (schema.get(nested) instanceof JsonNode inner && inner.isObject()) {
        return linkOf(inner);
      }
    }
    if (schema.get("anyOf") instanceof JsonNode anyOf) {
      for (JsonNode option : anyOf) {
        String link = linkOf(option);
        if (link != null) {
          return link;
        }
      }
    }
    return null;
  }

  /** The constraints of a schema in words. */
  static List<String> constraintsOf(JsonNode schema) {
    List<String> words = new ArrayList<>();
    range(words, schema, "length", "minLength", "maxLength");
    range(words, schema, "items", "minItems", "maxItems");
    range(words, schema, "entries", "minProperties", "maxProperties");
    if (schema.has("exclusiveMinimum")) {
      words.add("greater than " + schema.get("exclusiveMinimum").asText());
    }
    if (schema.has("exclusiveMaximum")) {
      words.add("less than " + schema.get("exclusiveMaximum").asText());
    }
    range(words, schema, "value", "minimum", "maximum");
    List<String> patterns = new ArrayList<>();
    if (schema.has("pattern")) {
      patterns.add(schema.get("pattern").asText());
    }
    schema.path("allOf").forEach(part -> patterns.add(part.path("pattern").asText()));
    for (String pattern : patterns) {
      if (pattern.equals(JsonSchemas.NOT_BLANK)) {
        words.add("not blank");
      } else if (pattern.startsWith("^(?:") && pattern.endsWith(")" + JsonSchemas.END)) {
        String regexp = pattern.substring(4, pattern.length() - 1 - JsonSchemas.END.length());
        words.add("matches " + regexp + " (the whole value)");
      } else {
        words.add("matches " + pattern);
      }
    }
    for (String nested : List.of("items", "additionalProperties")) {
      if (schema.get(nested) instanceof JsonNode inner && inner.isObject()) {
        List<String> each = constraintsOf(inner);
        if (!each.isEmpty()) {
          words.add("each: " + String.join(", ", each));
        }
      }
    }
    return words;
  }

  private static void range(
      List<String> words, JsonNode schema, String what, String min, String max) {
    JsonNode low = schema.get(min);
    JsonNode high = schema.get(max);
    if (low != null && high != null) {
      words.add(what + " " + low.asText() + " to " + high.asText());
    } else if (low != null) {
      words.add(what + " at least " + low.asText());
    } else if (high != null) {
      words.add(what + " at most " + high.asText());
    }
  }

  private static @Nullable String refName(JsonNode schema) {
    JsonNode ref = schema.get("$ref");
    if (ref == null || !ref.asText().startsWith(JsonSchemas.REF_PREFIX)) {
      return null;
    }
    return ref.asText().substring(JsonSchemas.REF_PREFIX.length());
  }
}
