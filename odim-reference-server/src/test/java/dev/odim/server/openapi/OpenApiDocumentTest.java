package dev.odim.server.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.server.internal.openapi.OpenApiDocument;
import dev.odim.server.internal.openapi.UndescribableTypeException;
import dev.odim.server.internal.web.Endpoint;
import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class OpenApiDocumentTest {
  private final ObjectMapper mapper = SampleApi.mapper();
  private final ObjectNode document = OpenApiDocument.build(SampleApi.ALL, mapper, "1.2.3");

  @Test
  void describesTheDocumentAndTheSessionCookie() {
    assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
    assertThat(document.path("info").path("version").asText()).isEqualTo("1.2.3");
    assertThat(document.path("info").path("title").asText()).isEqualTo("Odim reference server");
    JsonNode session = document.at("/components/securitySchemes/session");
    assertThat(session.path("type").asText()).isEqualTo("apiKey");
    assertThat(session.path("in").asText()).isEqualTo("cookie");
    assertThat(session.path("name").asText()).isEqualTo("__Host-odim_session");
    assertThat(session.path("description").asText()).contains("`odim_session`");
    assertThat(document.path("tags").findValuesAsText("name"))
        .containsExactly("auth", "account", "admin", "files");
  }

  @Test
  void everyEndpointIsAnOperationUnderItsKey() {
    assertThat(OpenApiDocument.operations(document))
        .containsExactlyInAnyOrderElementsOf(
            SampleApi.ALL.stream().map(OpenApiDocument::key).toList())
        .containsExactlyInAnyOrder(
            "POST /api/auth/signup",
            "GET /api/me",
            "DELETE /api/me/sessions/{id}",
            "GET /api/admin/users/{userId}/sessions",
            "PUT /api/files/{path}");
  }

  @Test
  void operationIdsAreDerivedFromMethodAndPath() {
    assertThat(operation("post", "/api/auth/signup").path("operationId").asText())
        .isEqualTo("postAuthSignup");
    assertThat(operation("get", "/api/me").path("operationId").asText()).isEqualTo("getMe");
    assertThat(operation("delete", "/api/me/sessions/{id}").path("operationId").asText())
        .isEqualTo("deleteMeSessionsById");
    assertThat(operation("get", "/api/admin/users/{userId}/sessions").path("operationId").asText())
        .isEqualTo("getAdminUsersByUserIdSessions");
    assertThat(operation("put", "/api/files/{path}").path("operationId").asText())
        .isEqualTo("putFilesByPath");
  }

  @Test
  void operationIdsStayUniqueWhenPathsDifferOnlyInPunctuation() {
    ObjectNode clash =
        OpenApiDocument.build(List.of(at("/api/a-b"), at("/api/a/b"), at("/api/a_b")), mapper, "1");
    assertThat(clash.findValuesAsText("operationId")).containsExactly("getAB", "getAB2", "getAB3");
  }

  @Test
  void securityIsEmptyForPublicRoutesAndTheSessionOtherwise() {
    assertThat(operation("post", "/api/auth/signup").path("security")).isEqualTo(json("[]"));
    for (String[] route :
        new String[][] {
          {"get", "/api/me"},
          {"delete", "/api/me/sessions/{id}"},
          {"get", "/api/admin/users/{userId}/sessions"}
        }) {
      assertThat(operation(route[0], route[1]).path("security"))
          .isEqualTo(json("[{\"session\": []}]"));
    }
    assertThat(operation("get", "/api/admin/users/{userId}/sessions").path("x-roles"))
        .isEqualTo(json("[\"admin\", \"creator\"]"));
    assertThat(operation("delete", "/api/me/sessions/{id}").path("description").asText())
        .isEqualTo("Who may call it: the owner of the resource.");
  }

  @Test
  void pathParametersComeFromTheTemplate() {
    assertThat(operation("get", "/api/admin/users/{userId}/sessions").path("parameters"))
        .isEqualTo(
            json(
                """
                [{"name": "userId", "in": "path", "required": true, "schema": {"type": "string"}}]
                """));
    assertThat(operation("put", "/api/files/{path}").at("/parameters/0/name").asText())
        .isEqualTo("path");
    assertThat(operation("get", "/api/me").has("parameters")).isFalse();
    assertThatThrownBy(() -> OpenApiDocument.openApiPath("/api/files/*"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRequestBodyRefersToTheRecordsSchemaAndStatesItsLimit() {
    JsonNode body = operation("post", "/api/auth/signup").path("requestBody");
    assertThat(body)
        .isEqualTo(
            json(
                """
                {"required": true, "x-max-body-bytes": 8192,
                 "content": {"application/json":
                   {"schema": {"$ref": "#/components/schemas/Signup"}}}}
                """));
  }

  @Test
  void eachRouteListsTheProblemsItsMachineryCanAnswer() {
    assertThat(statuses("post", "/api/auth/signup"))
        .containsExactly("201", "400", "403", "413", "415", "429", "500");
    assertThat(statuses("get", "/api/me")).containsExactly("200", "401", "429", "500");
    assertThat(statuses("delete", "/api/me/sessions/{id}"))
        .containsExactly("204", "401", "403", "429", "500");
    assertThat(statuses("get", "/api/admin/users/{userId}/sessions"))
        .containsExactly("200", "401", "403", "429", "500");
    assertThat(statuses("put", "/api/files/{path}"))
        .containsExactly("200", "400", "401", "403", "413", "415", "429", "500");

    assertThat(codes("post", "/api/auth/signup", "400"))
        .containsExactly("validation_failed", "invalid_json");
    assertThat(codes("post", "/api/auth/signup", "403")).containsExactly("cross_site_request");
    assertThat(codes("get", "/api/me", "401"))
        .containsExactly("unauthenticated", "session_expired");
    assertThat(operation("get", "/api/me").at("/responses/401/description").asText())
        .contains("session_expired")
        .contains("unauthenticated");
    assertThat(codes("get", "/api/admin/users/{userId}/sessions", "403"))
        .containsExactly("forbidden");
    assertThat(codes("delete", "/api/me/sessions/{id}", "403"))
        .containsExactly("forbidden", "cross_site_request");
    assertThat(operation("post", "/api/auth/signup").at("/responses/413/description").asText())
        .contains("8192");
  }

  @Test
  void problemResponsesCarryTheProblemSchemaAndARealisticExample() {
    JsonNode invalid =
        operation("post", "/api/auth/signup")
            .at("/responses/400/content/application~1problem+json");
    assertThat(invalid.path("schema"))
        .isEqualTo(json("{\"$ref\": \"#/components/schemas/Problem\"}"));
    JsonNode example = invalid.at("/examples/validation_failed/value");
    assertThat(example.path("status").asInt()).isEqualTo(400);
    assertThat(example.path("type").asText())
        .isEqualTo("https://odim.dev/problems/validation_failed");
    assertThat(example.path("instance").asText()).isEqualTo("/api/auth/signup");
    assertThat(example.at("/errors/0/field").asText()).isEqualTo("email");
    assertThat(
            operation("put", "/api/files/{path}")
                .at(
                    "/responses/400/content/application~1problem+json/examples/validation_failed"
                        + "/value/errors/0/field")
                .asText())
        .isEqualTo("name");
    assertThat(
            operation("delete", "/api/me/sessions/{id}")
                .at(
                    "/responses/401/content/application~1problem+json/examples/unauthenticated"
                        + "/value/instance")
                .asText())
        .isEqualTo("/api/me/sessions/0190f3a4-5b6c-7d8e-9f01-23456789abcd");
    assertThat(fieldNames(example))
        .containsExactly(
            "type", "title", "status", "detail", "code", "instance", "requestId", "errors");

    JsonNode problem = document.at("/components/schemas/Problem");
    assertThat(fieldNames(problem.path("properties")))
        .containsExactly(
            "type", "title", "status", "detail", "code", "instance", "requestId", "errors");
    assertThat(problem.at("/properties/errors/items/required"))
        .isEqualTo(json("[\"field\", \"message\"]"));
  }

  @Test
  void tooManyRequestsStatesItsHeaders() {
    for (String path : List.of("/api/me", "/api/auth/signup")) {
      String method = path.equals("/api/me") ? "get" : "post";
      JsonNode headers = operation(method, path).at("/responses/429/headers");
      assertThat(fieldNames(headers))
          .containsExactly("Retry-After", "RateLimit-Policy", "RateLimit");
      assertThat(headers.at("/Retry-After/schema/type").asText()).isEqualTo("integer");
    }
  }

  @Test
  void successAnswersReferToTheResponseRecordOrHaveNoContent() {
    assertThat(operation("post", "/api/auth/signup").at("/responses/201/content"))
        .isEqualTo(
            json(
                """
                {"application/json": {"schema": {"$ref": "#/components/schemas/UserView"}}}
                """));
    assertThat(operation("delete", "/api/me/sessions/{id}").at("/responses/204").has("content"))
        .isFalse();
    assertThat(operation("put", "/api/files/{path}").at("/responses/200").has("content")).isFalse();
  }

  @Test
  void everyConstraintBecomesItsKeyword() {
    assertThat(schema("Signup"))
        .isEqualTo(
            json(
                """
                {
                  "type": "object",
                  "properties": {
                    "email": {"type": "string", "format": "email", "minLength": 1,
                              "maxLength": 254, "pattern": NOT_BLANK},
                    "password": {"type": "string", "minLength": 12, "maxLength": 128},
                    "handle": {"type": "string", "minLength": 1, "pattern": NOT_BLANK,
                               "allOf": [{"pattern": "^(?:[a-z0-9_]{3,20})(?![\\\\s\\\\S])"}]},
                    "bio": {"type": ["string", "null"], "maxLength": 500},
                    "age": {"type": "integer", "format": "int32", "minimum": 13, "maximum": 150},
                    "credits": {"type": "integer", "format": "int64", "exclusiveMinimum": 0},
                    "referrals": {"type": "integer", "format": "int32", "minimum": 0},
                    "newsletter": {"type": "boolean"},
                    "role": {"type": "string", "enum": ["FAN", "CREATOR", "ADMIN"]},
                    "interests": {"type": "array", "minItems": 1, "maxItems": 3,
                                  "items": {"type": "string", "minLength": 1, "maxLength": 20,
                                            "pattern": NOT_BLANK}},
                    "address": {"$ref": "#/components/schemas/Address"},
                    "limits": {"type": "object", "minProperties": 1,
                               "additionalProperties": {"type": "integer", "format": "int32",
                                                        "exclusiveMinimum": 0}},
                    "follows": {"type": "array", "uniqueItems": true,
                                "items": {"type": "string", "format": "uuid"}},
                    "birthday": {"type": ["string", "null"], "format": "date"},
                    "referrer_id": {"type": ["string", "null"], "format": "uuid"},
                    "previousAddresses": {"type": ["array", "null"],
                                          "items": {"$ref": "#/components/schemas/Address"}}
                  },
                  "required": ["email", "password", "handle", "age", "credits", "referrals",
                               "newsletter", "role", "interests", "address", "limits", "follows"],
                  "additionalProperties": false
                }
                """));
    assertThat(schema("Address"))
        .isEqualTo(
            json(
                """
                {
                  "type": "object",
                  "properties": {
                    "line1": {"type": "string", "minLength": 1, "pattern": NOT_BLANK},
                    "line2": {"type": ["string", "null"]},
                    "country": {"type": "string", "minLength": 2, "maxLength": 2,
                                "pattern": NOT_BLANK, "allOf": [{"pattern": "^(?:[A-Z]+)(?![\\\\s\\\\S])"}]}
                  },
                  "required": ["line1", "country"],
                  "additionalProperties": false
                }
                """));
  }

  @Test
  void responseRecordsRequireTheirNonNullComponentsAndMayReferToThemselves() {
    assertThat(schema("UserView").path("required"))
        .isEqualTo(json("[\"id\", \"email\", \"createdAt\", \"role\", \"sessions\"]"));
    assertThat(schema("UserView").at("/properties/createdAt"))
        .isEqualTo(json("{\"type\": \"string\", \"format\": \"date-time\"}"));
    assertThat(schema("UserView").at("/properties/sessions"))
        .isEqualTo(
            json(
                "{\"type\": \"array\", \"items\": {\"$ref\": \"#/components/schemas/SessionView\"}}"));
    assertThat(schema("SessionView").at("/properties/replacedBy"))
        .isEqualTo(
            json(
                """
                {"anyOf": [{"$ref": "#/components/schemas/SessionView"}, {"type": "null"}]}
                """));
  }

  @Test
  void enumValuesAreWrittenAsTheMapperWritesThem() {
    ObjectMapper lowerCase =
        SampleApi.mapper()
            .configure(
                com.fasterxml.jackson.databind.cfg.EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true);
    ObjectNode lower = OpenApiDocument.build(SampleApi.ALL, lowerCase, "1");
    assertThat(lower.at("/components/schemas/Signup/properties/role/enum"))
        .isEqualTo(json("[\"fan\", \"creator\", \"admin\"]"));
  }

  // The refusals: each record below would be described wrongly, so building fails loudly.

  static final class NotARecord {}

  record HasAnObject(@NotNull Object value) {}

  record HasADouble(double value) {}

  record HasARawList(@NotNull @SuppressWarnings("rawtypes") List values) {}

  record HasAWildcard(@NotNull List<? extends CharSequence> values) {}

  record HasAnOptional(@NotNull Optional<String> value) {}

  record HasAnArray(@NotNull String[] values) {}

  record HasNonStringKeys(@NotNull Map<Integer, String> values) {}

  record UnvalidatedNonNull(String name) {}

  record UnvalidatedElement(@NotNull List<String> names) {}

  record NullableAndNotNull(@Nullable @NotNull String name) {}

  record Nested(@NotBlank String name) {}

  record NestedWithoutValid(@NotNull Nested nested) {}

  record NestedListWithoutValid(@NotNull List<@NotNull Nested> nested) {}

  record PatternWithFlags(
      @NotNull @Pattern(regexp = "[a-z]+", flags = Pattern.Flag.CASE_INSENSITIVE) String name) {}

  record UnknownConstraint(@NotNull @Future java.time.Instant when) {}

  record DecimalConstraint(@NotNull @DecimalMin("0.5") Long amount) {}

  record SizeOnANumber(@NotNull @Size(max = 3) Integer amount) {}

  record BlankOnAList(@NotBlank List<@NotNull String> names) {}

  /** A custom constraint: its meaning is in code, which no schema keyword states. */
  @Constraint(validatedBy = {})
  @Target({ElementType.TYPE, ElementType.FIELD, ElementType.TYPE_USE})
  @Retention(RetentionPolicy.RUNTIME)
  @interface Consistent {
    String message() default "is inconsistent";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
  }

  @Consistent
  record ClassLevelConstraint(@NotNull String name) {}

  record CustomConstraint(@NotNull @Consistent String name) {}

  static final class One {
    record Item(@NotNull String name) {}
  }

  static final class Two {
    record Item(@NotNull String name) {}
  }

  record TwoItems(@NotNull @Valid One.Item one, @NotNull @Valid Two.Item two) {}

  @Test
  void typesWithoutAFaithfulSchemaAreRefused() {
    Map<Class<?>, String> refused = new java.util.LinkedHashMap<>();
    refused.put(NotARecord.class, "is not a record");
    refused.put(HasAnObject.class, "java.lang.Object has no schema");
    refused.put(HasADouble.class, "double has no schema");
    refused.put(HasARawList.class, "java.util.List has no schema");
    refused.put(HasAWildcard.class, "wildcard");
    refused.put(HasAnOptional.class, "is not a List, Set or Map");
    refused.put(HasAnArray.class, "has no schema");
    refused.put(HasNonStringKeys.class, "a map's keys must be plain Strings");
    refused.put(PatternWithFlags.class, "CASE_INSENSITIVE");
    refused.put(UnknownConstraint.class, "jakarta.validation.constraints.Future");
    refused.put(DecimalConstraint.class, "jakarta.validation.constraints.DecimalMin");
    refused.put(SizeOnANumber.class, "@Size does not apply");
    refused.put(BlankOnAList.class, "@NotBlank does not apply");
    refused.put(ClassLevelConstraint.class, "class-level constraint @Consistent");
    refused.put(CustomConstraint.class, "OpenApiDocumentTest$Consistent has no JSON Schema");
    refused.put(TwoItems.class, "two records are named Item");
    List<String> notRefused = new ArrayList<>();
    refused.forEach(
        (type, message) -> {
          for (Endpoint endpoint : List.of(SampleApi.posting(type), SampleApi.answering(type))) {
            try {
              OpenApiDocument.build(List.of(endpoint), mapper, "1");
              notRefused.add(endpoint.key() + " " + type.getSimpleName());
            } catch (UndescribableTypeException e) {
              assertThat(e.getMessage()).as(type.getSimpleName()).contains(message);
            }
          }
        });
    assertThat(notRefused).isEmpty();
  }

  @Test
  void requestBodiesMustValidateWhatTheirSchemaPromises() {
    Map<Class<?>, String> refused =
        Map.of(
            UnvalidatedNonNull.class, "UnvalidatedNonNull.name is not @Nullable",
            UnvalidatedElement.class, "UnvalidatedElement.names[] is not @Nullable",
            NullableAndNotNull.class, "is @Nullable and refuses null",
            NestedWithoutValid.class, "NestedWithoutValid.nested is a record without @Valid",
            NestedListWithoutValid.class,
                "NestedListWithoutValid.nested[] is a record without @Valid");
    refused.forEach(
        (type, message) -> {
          assertThatThrownBy(
                  () -> OpenApiDocument.build(List.of(SampleApi.posting(type)), mapper, "1"))
              .as(type.getSimpleName())
              .isInstanceOf(UndescribableTypeException.class)
              .hasMessageContaining(message);
          // As responses they are fine: the server writes them, nothing validates them.
          if (type != NullableAndNotNull.class) {
            OpenApiDocument.build(List.of(SampleApi.answering(type)), mapper, "1");
          }
        });
  }

  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
  record IgnoresUnknown(@NotNull String name) {}

  record HasAPrimitive(int count) {}

  @Test
  void requestSchemasNeedTheMapperToRefuseWhatTheyRefuse() {
    assertThatThrownBy(
            () ->
                OpenApiDocument.build(
                    List.of(SampleApi.posting(IgnoresUnknown.class)), mapper, "1"))
        .isInstanceOf(UndescribableTypeException.class)
        .hasMessageContaining("ignores unknown fields");
    ObjectMapper lenient =
        SampleApi.mapper()
            .disable(
                com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    assertThatThrownBy(
            () ->
                OpenApiDocument.build(
                    List.of(SampleApi.posting(HasAPrimitive.class)), lenient, "1"))
        .isInstanceOf(UndescribableTypeException.class)
        .hasMessageContaining("HasAPrimitive.count is a primitive the mapper binds as 0");
    OpenApiDocument.build(List.of(SampleApi.posting(HasAPrimitive.class)), mapper, "1");
    ObjectMapper ignoring =
        SampleApi.mapper()
            .disable(
                com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    assertThatThrownBy(
            () ->
                OpenApiDocument.build(
                    List.of(SampleApi.posting(HasAPrimitive.class)), ignoring, "1"))
        .isInstanceOf(UndescribableTypeException.class)
        .hasMessageContaining("the mapper ignores unknown fields");
    // Responses are written, not read: the same records and mappers describe them.
    OpenApiDocument.build(List.of(SampleApi.answering(IgnoresUnknown.class)), ignoring, "1");
  }

  private static Endpoint at(String path) {
    return new Endpoint(
        io.javalin.http.HandlerType.GET,
        path,
        "Test",
        "test",
        dev.odim.server.internal.web.Access.PUBLIC,
        null,
        Endpoint.DEFAULT_MAX_BODY_BYTES,
        200,
        null,
        dev.odim.server.internal.web.Idempotency.NONE);
  }

  private JsonNode operation(String method, String path) {
    JsonNode operation = document.path("paths").path(path).path(method);
    assertThat(operation.isObject()).as(method + " " + path).isTrue();
    return operation;
  }

  private JsonNode schema(String name) {
    return document.path("components").path("schemas").path(name);
  }

  private List<String> statuses(String method, String path) {
    return fieldNames(operation(method, path).path("responses"));
  }

  private List<String> codes(String method, String path, String status) {
    return fieldNames(
        operation(method, path)
            .path("responses")
            .path(status)
            .path("content")
            .path("application/problem+json")
            .path("examples"));
  }

  private static List<String> fieldNames(JsonNode node) {
    return node.properties().stream().map(Map.Entry::getKey).collect(Collectors.toList());
  }

  /** What {@code @NotBlank} becomes; OpenApiSchemaAgreementTest checks it is exact. */
  static final String NOT_BLANK =
      "[^\\t\\n\\u000B\\f\\r\\u001C-\\u0020\\u1680\\u2000-\\u2006\\u2008-\\u200A"
          + "\\u2028\\u2029\\u205F\\u3000]";

  private JsonNode json(String text) {
    try {
      return mapper.readTree(text.replace("NOT_BLANK", mapper.writeValueAsString(NOT_BLANK)));
    } catch (Exception e) {
      throw new AssertionError(text, e);
    }
  }
}
