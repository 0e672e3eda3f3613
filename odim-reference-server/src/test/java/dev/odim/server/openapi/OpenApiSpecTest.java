package dev.odim.server.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odim.server.internal.openapi.OpenApiDocument;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;

/**
 * The document read by an independent OpenAPI parser (swagger-parser), which reports every part
 * that does not fit the OpenAPI 3.1 structure. It checks the structure, not the JSON Schemas' every
 * keyword; {@link OpenApiDocumentTest} checks those.
 */
class OpenApiSpecTest {
  private final ObjectMapper mapper = SampleApi.mapper();

  @Test
  void theDocumentParsesAsOpenApi31WithoutMessages() throws Exception {
    String json = mapper.writeValueAsString(OpenApiDocument.build(SampleApi.ALL, mapper, "1.2.3"));

    SwaggerParseResult result = parse(json);

    assertThat(result.getMessages()).isEmpty();
    OpenAPI api = result.getOpenAPI();
    assertThat(api.getSpecVersion()).isEqualTo(SpecVersion.V31);
    assertThat(api.getPaths()).hasSize(5);
    assertThat(api.getPaths().get("/api/auth/signup").getPost().getRequestBody().get$ref())
        .isNull();
    assertThat(api.getComponents().getSchemas())
        .containsKeys("Problem", "Signup", "Address", "UserView", "SessionView", "Rename");
    assertThat(api.getComponents().getSecuritySchemes()).containsOnlyKeys("session");
    assertThat(
            api.getPaths()
                .get("/api/admin/users/{userId}/sessions")
                .getGet()
                .getParameters()
                .get(0)
                .getRequired())
        .isTrue();
  }

  @Test
  void theParserReportsABrokenDocument() throws Exception {
    // The check above is only worth something if the parser speaks up: break the document in
    // ways a hand edit could, and it must.
    ObjectNode broken = OpenApiDocument.build(SampleApi.ALL, mapper, "1");
    ((ObjectNode) broken.at("/paths/~1api~1me/get")).remove("responses");
    ((ObjectNode) broken.at("/paths/~1api~1admin~1users~1{userId}~1sessions/get/parameters/0"))
        .put("in", "body");
    ((ObjectNode) broken.path("info")).remove("title");

    SwaggerParseResult result = parse(mapper.writeValueAsString(broken));

    assertThat(result.getMessages())
        .anySatisfy(m -> assertThat(m).contains("responses"))
        .anySatisfy(m -> assertThat(m).contains("title"))
        .anySatisfy(m -> assertThat(m).contains("[userId].in is not of type"));
  }

  private static SwaggerParseResult parse(String json) {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    return new OpenAPIV3Parser().readContents(json, null, options);
  }
}
