package dev.odim.server.internal.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.core.Problem;
import dev.odim.server.internal.ProblemCode;
import dev.odim.server.internal.Problems;
import dev.odim.server.internal.web.Access;
import dev.odim.server.internal.web.Api;
import dev.odim.server.internal.web.Endpoint;
import dev.odim.server.internal.web.Idempotency;
import dev.odim.server.internal.web.Role;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.1 document of the server, built from the route declarations alone: every {@link
 * Endpoint} becomes an operation whose security, request body, limits and responses are read from
 * the declaration that also guards the route, so the document cannot promise what the route does
 * not do.
 *
 * <pre>{@code
 * ObjectNode document = OpenApiDocument.build(api.endpoints(), mapper, version);
 * app.get("/api/openapi.json", ctx -> ctx.json(document));
 * }</pre>
 *
 * <p>The problem responses listed are those the shared route machinery can answer with: 400, 413
 * and 415 for a body, 401 for a session, 403 for roles, owners and cross-site writes, 429 for the
 * rate limiter and 500 everywhere. What a handler adds of its own (a 404, a 409) its route does not
 * declare yet, so the document does not list it.
 */
public final class OpenApiDocument {
  /** The name of the security scheme: the session cookie. */
  public static final String SESSION_SCHEME = "session";

  /** The session cookie's name over HTTPS (and on localhost). */
  public static final String SESSION_COOKIE = "__Host-odim_session";

  /** The component schema every error response refers to. */
  public static final String PROBLEM_SCHEMA = "Problem";

  private static final Pattern JAVALIN_PARAMETER = Pattern.compile("\\{([^}/]+)}|<([^>/]+)>");
  private static final Set<HandlerType> SAFE_METHODS =
      Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

  private OpenApiDocument() {}

  /**
   * The document for {@code endpoints}, in their order.
   *
   * @param mapper the server's mapper: enum values are written as it writes them
   * @param version the server's version, for {@code info.version}
   * @throws UndescribableTypeException when a body or response type has no faithful schema
   */
  public static ObjectNode build(List<Endpoint> endpoints, ObjectMapper mapper, String version) {
    JsonSchemas schemas = new JsonSchemas(mapper);
    ObjectNode document = mapper.createObjectNode();
    document.put("openapi", "3.1.0");
    ObjectNode info = document.putObject("info");
    info.put("title", "Odim reference server");
    info.put("version", version);
    info.put(
        "description",
        "Generated from the server's route declarations. Errors are RFC 9457 problem details"
            + " (application/problem+json) with a stable `code` and the `requestId` to quote."
            + " Sign-in sets the session cookie `"
            + SESSION_COOKIE
            + "` (`odim_session` over plain HTTP to another host than localhost). String lengths"
            + " count UTF-16 code units, as the server's validator does: a character outside"
            + " the Basic Multilingual Plane counts two. A field's pattern from @Pattern is the Java"
            + " regular expression the server validates with, wrapped to match the whole value.");

    Set<String> tags = new LinkedHashSet<>();
    ObjectNode paths = document.putObject("paths");
    Set<String> operationIds = new HashSet<>();
    for (Endpoint endpoint : endpoints) {
      tags.add(endpoint.tag());
      String path = openApiPath(endpoint.path());
      ObjectNode item = paths.has(path) ? (ObjectNode) paths.get(path) : paths.putObject(path);
      String method = endpoint.method().name().toLowerCase(Locale.ROOT);
      if (item.has(method)) {
        throw new IllegalArgumentException(endpoint.key() + " is declared twice");
      }
      item.set(
          method, operation(endpoint, path, uniqueId(endpoint, operationIds), schemas, mapper));
    }

    ArrayNode tagList = document.putArray("tags");
    tags.forEach(tag -> tagList.addObject().put("name", tag));

    ObjectNode components = document.putObject("components");
    ObjectNode componentSchemas = components.putObject("schemas");
    componentSchemas.set(PROBLEM_SCHEMA, problemSchema(mapper));
    schemas.schemas().forEach(componentSchemas::set);
    ObjectNode session = components.putObject("securitySchemes").putObject(SESSION_SCHEME);
    session.put("type", "apiKey");
    session.put("in", "cookie");
    session.put("name", SESSION_COOKIE);
    session.put(
        "description",
        "The session cookie sign-in sets. Over plain HTTP to a host other than localhost it is"
            + " named `odim_session`, since browsers refuse `__Host-` cookies there.");
    return document;
  }

  /**
   * The operations of {@code document} as {@code METHOD path} keys, e.g. {@code GET
   * /api/sessions/{id}}: what a test compares with {@link #key(Endpoint)} of every route.
   */
  public static Set<String> operations(JsonNode document) {
    Set<String> keys = new LinkedHashSet<>();
    document
        .path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        method ->
                            keys.add(
                                method.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));
    return keys;
  }

  /** The key {@link #operations} lists {@code endpoint} under. */
  public static String key(Endpoint endpoint) {
    return endpoint.method().name() + " " + openApiPath(endpoint.path());
  }

  /**
   * A Javalin path as an OpenAPI path template: {@code {id}} stays, {@code <path>} (which may span
   * slashes) becomes {@code {path}}.
   *
   * @throws IllegalArgumentException for a wildcard ({@code *}), which OpenAPI cannot state
   */
  public static String openApiPath(String javalinPath) {
    if (javalinPath.contains("*")) {
      throw new IllegalArgumentException(
          javalinPath + ": a wildcard path has no OpenAPI form; name the parameter instead");
    }
    Matcher matcher = JAVALIN_PARAMETER.matcher(javalinPath);
    StringBuilder path = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
      matcher.appendReplacement(path, Matcher.quoteReplacement("{" + name + "}"));
    }
    matcher.appendTail(path);
    return path.toString();
  }

  /** The path parameter names of a Javalin path, in order. */
  static List<String> pathParameters(String javalinPath) {
    Matcher matcher = JAVALIN_PARAMETER.matcher(javalinPath);
    List<String> names = new ArrayList<>();
    while (matcher.find()) {
      names.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
    }
    return names;
  }

  /**
   * {@code getMeSessionsById} for {@code GET /api/me/sessions/{id}}: the method, then each path
   * segment capitalised (the {@code /api} prefix dropped), parameters as {@code ByName}. The same
   * declaration gives the same id; a clash (two paths differing only in punctuation) gets a number.
   */
  static String operationId(HandlerType method, String javalinPath) {
    StringBuilder id = new StringBuilder(method.name().toLowerCase(Locale.ROOT));
    String path = javalinPath.startsWith("/api/") ? javalinPath.substring(4) : javalinPath;
    for (String segment : path.split("/")) {
      Matcher parameter = JAVALIN_PARAMETER.matcher(segment);
      if (parameter.matches()) {
        id.append("By");
        segment = parameter.group(1) != null ? parameter.group(1) : parameter.group(2);
      }
      for (String word : segment.split("[^A-Za-z0-9]+")) {
        if (!word.isEmpty()) {
          id.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
      }
    }
    return id.toString();
  }

  private static String uniqueId(Endpoint endpoint, Set<String> taken) {
    String base = operationId(endpoint.method(), endpoint.path());
    String id = base;
    for (int n = 2; !taken.add(id); n++) {
      id = base + n;
    }
    return id;
  }

  private static ObjectNode operation(
      Endpoint endpoint,
      String path,
      String operationId,
      JsonSchemas schemas,
      ObjectMapper mapper) {
    ObjectNode operation = mapper.createObjectNode();
    operation.put("operationId", operationId);
    operation.put("summary", endpoint.summary());
    operation.put("description", "Who may call it: " + endpoint.access().describe() + ".");
    operation.putArray("tags").add(endpoint.tag());
    operation.put("x-access", accessName(endpoint.access()));
    if (endpoint.access() instanceof Access.Roles roles) {
      ArrayNode names = operation.putArray("x-roles");
      roles.roles().stream().map(Role::wireName).sorted().forEach(names::add);
    }

    ArrayNode security = operation.putArray("security");
    if (endpoint.access().requiresSession()) {
      security.addObject().putArray(SESSION_SCHEME);
    }

    List<String> parameters = pathParameters(endpoint.path());
    if (!parameters.isEmpty() || endpoint.idempotency() != Idempotency.NONE) {
      ArrayNode list = operation.putArray("parameters");
      for (String name : parameters) {
        ObjectNode parameter = list.addObject();
        parameter.put("name", name);
        parameter.put("in", "path");
        parameter.put("required", true);
        parameter.putObject("schema").put("type", "string");
      }
      if (endpoint.idempotency() != Idempotency.NONE) {
        ObjectNode key = list.addObject();
        key.put("name", Api.IDEMPOTENCY_HEADER);
        key.put("in", "header");
        key.put("required", endpoint.idempotency() == Idempotency.REQUIRED);
        key.put(
            "description",
            "A new random value (a UUID) per operation: a retry with the same key gets the first"
                + " success replayed (Idempotent-Replayed: true) for 24 hours instead of running"
                + " again; 409 idempotency_key_in_use while the first still runs, 422"
                + " idempotency_key_reused for another request with the same key.");
        key.putObject("schema").put("type", "string").put("minLength", 1).put("maxLength", 255);
      }
    }

    Class<?> bodyType = endpoint.bodyType();
    if (bodyType != null) {
      ObjectNode body = operation.putObject("requestBody");
      body.put("required", true);
      body.put("x-max-body-bytes", endpoint.maxBodyBytes());
      body.putObject("content")
          .putObject("application/json")
          .set("schema", schemas.request(bodyType));
    }

    ObjectNode responses = operation.putObject("responses");
    ObjectNode success = responses.putObject(Integer.toString(endpoint.successStatus()));
    Class<?> responseType = endpoint.responseType();
    if (responseType == null || endpoint.successStatus() == 204) {
      success.put("description", endpoint.successStatus() == 204 ? "Done; no content." : "Done.");
    } else {
      success.put("description", "Done.");
      success
          .putObject("content")
          .putObject("application/json")
          .set("schema", schemas.response(responseType));
    }

    if (bodyType != null) {
      ObjectNode invalid =
          problem(
              mapper,
              responses,
              400,
              "The body is not JSON, has a field the record does not know, or a field is invalid;"
                  + " `errors` lists each invalid field.",
              path,
              ProblemCode.VALIDATION_FAILED,
              ProblemCode.INVALID_JSON);
      // The example names a field the body really has.
      schemas.schemas().get(JsonSchemas.nameOf(bodyType)).path("properties").properties().stream()
          .findFirst()
          .ifPresent(
              field ->
                  ((ObjectNode)
                          invalid.at(
                              "/content/application~1problem+json/examples/validation_failed"
                                  + "/value/errors/0"))
                      .put("field", field.getKey()));
    }
    if (endpoint.access().requiresSession()) {
      problem(
          mapper,
          responses,
          401,
          "`unauthenticated`: no session, or one that was ended. `session_expired`: the session"
              + " timed out; sign in again, drafts are kept.",
          path,
          ProblemCode.UNAUTHENTICATED,
          ProblemCode.SESSION_EXPIRED);
    }
    boolean restricted =
        endpoint.access() instanceof Access.Roles || endpoint.access() instanceof Access.Owner;
    boolean unsafe = !SAFE_METHODS.contains(endpoint.method());
    if (restricted && unsafe) {
      problem(
          mapper,
          responses,
          403,
          "`forbidden`: only "
              + endpoint.access().describe()
              + " may call it. `cross_site_request`: a write sent from another site.",
          path,
          ProblemCode.FORBIDDEN,
          ProblemCode.CROSS_SITE_REQUEST);
    } else if (restricted) {
      problem(
          mapper,
          responses,
          403,
          "Only " + endpoint.access().describe() + " may call it.",
          path,
          ProblemCode.FORBIDDEN);
    } else if (unsafe) {
      problem(
          mapper,
          responses,
          403,
          "A write sent from another site is refused.",
          path,
          ProblemCode.CROSS_SITE_REQUEST);
    }
    if (bodyType != null) {
      problem(
          mapper,
          responses,
          413,
          "The body exceeds " + endpoint.maxBodyBytes() + " bytes.",
          path,
          ProblemCode.PAYLOAD_TOO_LARGE);
      problem(
          mapper,
          responses,
          415,
          "The body is not declared as application/json.",
          path,
          ProblemCode.UNSUPPORTED_MEDIA_TYPE);
    }
    ObjectNode limited =
        problem(
            mapper,
            responses,
            429,
            "Too many requests from this client; come back after `Retry-After` seconds.",
            path,
            ProblemCode.RATE_LIMITED);
    ObjectNode headers = limited.putObject("headers");
    header(headers, "Retry-After", "Seconds to wait before trying again.", "integer");
    header(
        headers,
        "RateLimit-Policy",
        "The policy that applied (IETF draft RateLimit header fields), when one did.",
        "string");
    header(
        headers,
        "RateLimit",
        "What remains of the policy's quota and when it resets (IETF draft), when a policy"
            + " applied.",
        "string");
    problem(
        mapper,
        responses,
        500,
        "An unexpected failure; it is logged under the `requestId` the problem carries.",
        path,
        ProblemCode.INTERNAL_ERROR);
    return operation;
  }

  private static String accessName(Access access) {
    return switch (access) {
      case Access.Public p -> "public";
      case Access.Authenticated a -> "authenticated";
      case Access.Roles r -> "roles";
      case Access.Owner o -> "owner";
    };
  }

  /** Adds a problem response with one example per code. */
  private static ObjectNode problem(
      ObjectMapper mapper,
      ObjectNode responses,
      int status,
      String description,
      String path,
      ProblemCode... codes) {
    ObjectNode response = responses.putObject(Integer.toString(status));
    response.put("description", description);
    ObjectNode media = response.putObject("content").putObject(Problems.CONTENT_TYPE);
    media.putObject("schema").put("$ref", JsonSchemas.REF_PREFIX + PROBLEM_SCHEMA);
    ObjectNode examples = media.putObject("examples");
    for (ProblemCode code : codes) {
      if (code.status() != status) {
        throw new IllegalStateException(code + " is not a " + status);
      }
      Problem problem = code.problem(code.title()).withInstance(examplePath(path));
      if (code == ProblemCode.VALIDATION_FAILED) {
        problem = problem.withError("field", "must not be blank");
      }
      Map<String, Object> value = new LinkedHashMap<>(problem.toMap());
      Object errors = value.remove("errors");
      value.put("requestId", "6f1c1f6e-1d0b-4a53-9f43-2f8c0a3e5d11");
      if (errors != null) {
        value.put("errors", errors);
      }
      ObjectNode example = examples.putObject(code.code());
      example.put("summary", code.title());
      example.set("value", mapper.valueToTree(value));
    }
    return response;
  }

  /** {@code path} as a request would name it: each parameter filled with a sample id. */
  private static String examplePath(String path) {
    return path.replaceAll("\\{[^}/]+}", "0190f3a4-5b6c-7d8e-9f01-23456789abcd");
  }

  private static void header(ObjectNode headers, String name, String description, String type) {
    ObjectNode header = headers.putObject(name);
    header.put("description", description);
    header.putObject("schema").put("type", type);
  }

  /** The problem details every error response carries (RFC 9457 plus Odim's members). */
  private static ObjectNode problemSchema(ObjectMapper mapper) {
    ObjectNode schema = mapper.createObjectNode();
    schema.put("type", "object");
    schema.put(
        "description",
        "RFC 9457 problem details. Clients branch on `code`, which is stable; `title` is the same"
            + " for every occurrence of a code, `detail` explains this one.");
    ObjectNode properties = schema.putObject("properties");
    properties
        .putObject("type")
        .put("type", "string")
        .put("format", "uri-reference")
        .put("description", "`" + Problem.TYPE_BASE + "` followed by the code.");
    properties.putObject("title").put("type", "string");
    properties
        .putObject("status")
        .put("type", "integer")
        .put("format", "int32")
        .put("minimum", 400)
        .put("maximum", 599);
    properties.putObject("detail").put("type", "string");
    properties
        .putObject("code")
        .put("type", "string")
        .put("pattern", "^[a-z][a-z0-9_]*$")
        .put("description", "The stable, machine-readable name of the failure.");
    properties
        .putObject("instance")
        .put("type", "string")
        .put("format", "uri-reference")
        .put("description", "The request path.");
    properties
        .putObject("requestId")
        .put("type", "string")
        .put("description", "Quote it when reporting a failure; the server logs it.");
    ObjectNode errors = properties.putObject("errors");
    errors.put("type", "array");
    errors.put("description", "The invalid fields of a `validation_failed` problem.");
    ObjectNode error = errors.putObject("items");
    error.put("type", "object");
    ObjectNode errorProperties = error.putObject("properties");
    errorProperties
        .putObject("field")
        .put("type", "string")
        .put("description", "The field as the client sent it, e.g. `tiers[0].price`.");
    errorProperties.putObject("message").put("type", "string");
    error.putArray("required").add("field").add("message");
    schema.putArray("required").add("type").add("title").add("status").add("code");
    return schema;
  }
}
